import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from .context_processors import CLASS_COLOUR_CSS

logger = logging.getLogger(__name__)

# The database could not be reached (down, restarting, out of connections): not a bug of the
# site, and nothing the person sent was kept, so say so and ask them to come back.
UNAVAILABLE_ERRORS = (OperationalError, InterfaceError)
UNAVAILABLE_RETRY_AFTER_S = 30
MSG_UNAVAILABLE = "The service is temporarily unavailable. Please try again in a few minutes."
MSG_NOT_STORED = ("The service is temporarily unavailable: your file was not stored. "
                  "Please upload it again in a few minutes.")


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


def server_error(request, *args, **kwargs):
    """handler500: an error the site did not expect. Django calls it while the exception is
    being handled, so the exception is known here: a database that cannot be reached gets a
    503 saying the service is temporarily unavailable (and, for a POST, that nothing sent was
    stored) instead of the generic 500 page."""
    from django.views import defaults

    if isinstance(sys.exception(), UNAVAILABLE_ERRORS):
        return service_unavailable(request)
    return defaults.server_error(request, *args, **kwargs)


def service_unavailable(request):
    """503 with Retry-After, as JSON for the upload page's script and the API, else a page
    that needs neither the database nor a request context."""
    message = MSG_NOT_STORED if request.method == "POST" else MSG_UNAVAILABLE
    logger.error("Database unavailable for %s %s", request.method, request.path)
    wants_json = (request.path.startswith("/api/")
                  or "application/json" in request.headers.get("Accept", ""))
    if wants_json:
        response = JsonResponse({"error": message, "retry_after_s": UNAVAILABLE_RETRY_AFTER_S},
                                status=503)
    else:
        response = HttpResponse(render_to_string("503.html", {"message": message}), status=503)
    response["Retry-After"] = str(UNAVAILABLE_RETRY_AFTER_S)
    return response
