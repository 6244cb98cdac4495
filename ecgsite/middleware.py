"""Response headers the whole site sends (beside Django's SecurityMiddleware and django-csp)."""
from django.utils.cache import add_never_cache_headers

# Features no page of the site uses; a page that is ever made to run foreign script cannot
# use them either.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()" for feature in (
        "accelerometer", "camera", "geolocation", "gyroscope", "magnetometer", "microphone",
        "payment", "usb",
    )
)


class SecurityHeadersMiddleware:
    """Pages shown to a signed-in person hold their data: browsers and proxies must not keep
    them (``Cache-Control: no-store``, unless the view chose its own caching). Every response
    gets a Permissions-Policy and a same-origin Cross-Origin-Resource-Policy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "Cache-Control" not in response:
            add_never_cache_headers(response)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response
