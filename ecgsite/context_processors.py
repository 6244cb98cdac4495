import hashlib
import re

from django.conf import settings
from django.contrib.humanize.templatetags.humanize import apnumber
from django.utils.safestring import mark_safe

from ml.registry import CLASSES, N_CLASSES

# Which main-navigation entry a page belongs to, from its URL namespace or name.
_SECTION_BY_NAMESPACE = {"articles": "learn", "accounts": "account", "doctors": "patients",
                         "sharing": "history", "api_tokens": "account"}
_SECTION_BY_NAME = {"home": "home", "about": "about", "info": "learn", "upload": "upload",
                    "metrics": "metrics"}
_ACCOUNT_PREFIXES = ("account_", "mfa_", "socialaccount_")
_HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?")
_CSS_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")


def _nav_section(request):
    match = getattr(request, "resolver_match", None)
    if match is None:
        return ""
    name = match.url_name or ""
    if match.namespace == "diagnosis":
        return "upload" if name.startswith("upload") else "history"
    if match.namespace in _SECTION_BY_NAMESPACE:
        return _SECTION_BY_NAMESPACE[match.namespace]
    if name == "account_signup":
        return "signup"  # the Sign up link, not Sign in, is where the visitor is
    if name.startswith(_ACCOUNT_PREFIXES):
        return "account"
    return _SECTION_BY_NAME.get(name, "")


def class_colour_css(classes=CLASSES):
    """The beat classes' colours as CSS, from the registry (served by views.class_colours,
    which base.html links on every page).

    ``--class-<code>`` on :root holds each colour (the rhythm strip reads it); the helper
    class ``.beat-class-<CODE>`` points ``--class-colour`` at it, which the badge, swatch and
    chart-bar rules in static/css colour themselves with. A new class needs no CSS edit.
    """
    for c in classes:
        # Written into the stylesheet unescaped: only plain names and hex colours.
        if not (_HEX_COLOUR.fullmatch(c.colour) and _CSS_NAME.fullmatch(c.code)):
            raise ValueError(f"class {c.code!r}: unusable code or colour {c.colour!r} for CSS")
    variables = "".join(f"{c.css_var}:{c.colour};" for c in classes)
    helpers = "".join(f".beat-class-{c.code}{{--class-colour:var({c.css_var})}}"
                      for c in classes)
    return mark_safe(f":root{{{variables}}}{helpers}")


CLASS_COLOUR_CSS = class_colour_css()
# Part of the stylesheet's address, so that browsers may keep it until the colours change.
CLASS_COLOUR_CSS_VERSION = hashlib.sha256(CLASS_COLOUR_CSS.encode()).hexdigest()[:12]


def site(request):
    """Values every page needs: the site's name, the active navigation entry and the beat
    classes (their number in words for the text, the version of their colours' stylesheet
    for base.html)."""
    return {
        "SITE_NAME": settings.SITE_NAME,
        "nav_section": _nav_section(request),
        "beat_classes": CLASSES,
        "class_count": N_CLASSES,
        "class_count_word": apnumber(N_CLASSES),
        "class_colour_css_version": CLASS_COLOUR_CSS_VERSION,
    }
