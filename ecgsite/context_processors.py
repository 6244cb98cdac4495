from django.conf import settings


def site(request):
    """Values every page needs: the site's name and whether social providers are set up."""
    return {
        "SITE_NAME": settings.SITE_NAME,
    }
