from django.http import HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from .context_processors import CLASS_COLOUR_CSS


def home(request):
    return render(request, "home.html")


@require_GET
def class_colours(request):
    """The beat classes' colours as a stylesheet, linked by base.html with its version in the
    address. A file rather than a <style> element: the Content-Security-Policy allows no
    inline style."""
    response = HttpResponse(CLASS_COLOUR_CSS, content_type="text/css; charset=utf-8")
    patch_cache_control(response, public=True, max_age=365 * 24 * 3600, immutable=True)
    return response
