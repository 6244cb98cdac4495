"""Rate limits per API token (or per signed-in user, or per address without either), counted
in the shared cache so that they hold across every web process.

A fixed window per limit: the counter ``api-rate:<scope>:<who>:<window start>`` is created
with the window's lifetime and incremented atomically (Redis INCR). A refused request gets
429 with ``Retry-After``: the seconds until the window ends.
"""
import math
import time

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from rest_framework.throttling import BaseThrottle

from .models import ApiToken

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate):
    """"60/m" -> (60, 60 seconds)."""
    try:
        count, period = rate.split("/")
        return int(count), PERIODS[period.strip()[0].lower()]
    except (ValueError, KeyError, IndexError):
        raise ImproperlyConfigured(
            f"API rate limit {rate!r} is not <count>/<s|m|h|d>, e.g. 60/m") from None


def client_ip(request):
    try:
        return get_adapter(request).get_client_ip(request)
    except Exception:  # a malformed X-Forwarded-For: all such clients share one bucket
        return "unknown"


class RequestRateThrottle(BaseThrottle):
    """Every API request counts here."""

    scope = "request"

    def rate(self, request):
        if request.user and request.user.is_authenticated:
            return settings.ECG_API_RATE_LIMIT
        return settings.ECG_API_ANON_RATE_LIMIT

    def applies(self, request, view):
        return True

    def who(self, request):
        if isinstance(request.auth, ApiToken):
            return f"token:{request.auth.pk}"
        if request.user and request.user.is_authenticated:
            return f"user:{request.user.pk}"
        return f"ip:{client_ip(request)}"

    def allow_request(self, request, view):
        self.wait_s = None
        if not self.applies(request, view):
            return True
        limit, period = parse_rate(self.rate(request))
        now = time.time()
        window = int(now // period) * period
        key = f"api-rate:{self.scope}:{self.who(request)}:{window}"
        cache.add(key, 0, timeout=period + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr: a new window has begun
            cache.add(key, 1, timeout=period + 1)
            count = 1
        if count <= limit:
            return True
        self.wait_s = max(1, math.ceil(window + period - now))
        return False

    def wait(self):
        return self.wait_s


class SubmitRateThrottle(RequestRateThrottle):
    """Submissions (POST to the diagnoses collection) count here as well."""

    scope = "submit"

    def rate(self, request):
        return settings.ECG_API_SUBMIT_RATE_LIMIT

    def applies(self, request, view):
        return request.method == "POST"
