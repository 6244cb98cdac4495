from django.conf import settings

# Which main-navigation entry a page belongs to, from its URL namespace or name.
_SECTION_BY_NAMESPACE = {"articles": "learn", "accounts": "account", "doctors": "patients",
                         "sharing": "history"}
_SECTION_BY_NAME = {"home": "home", "about": "about", "info": "learn", "upload": "upload",
                    "metrics": "metrics"}
_ACCOUNT_PREFIXES = ("account_", "mfa_", "socialaccount_")


def _nav_section(request):
    match = getattr(request, "resolver_match", None)
    if match is None:
        return ""
    name = match.url_name or ""
    if match.namespace == "diagnosis":
        return "upload" if name.startswith("upload") else "history"
    if match.namespace in _SECTION_BY_NAMESPACE:
        return _SECTION_BY_NAMESPACE[match.namespace]
    if name.startswith(_ACCOUNT_PREFIXES):
        return "account"
    return _SECTION_BY_NAME.get(name, "")


def site(request):
    """Values every page needs: the site's name and the active navigation entry."""
    return {
        "SITE_NAME": settings.SITE_NAME,
        "nav_section": _nav_section(request),
    }
