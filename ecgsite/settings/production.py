"""Production settings: no insecure defaults; a missing or weak secret refuses to start."""
from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

DEBUG = False

SECRET_KEY = env.str("SECRET_KEY")  # no default: ImproperlyConfigured when it is missing
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure"):
    raise ImproperlyConfigured(
        "SECRET_KEY must be a random string of at least 50 characters in production."
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")  # no default
if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must list the real host names in production.")

# E-mails link to this host: no default (base.py's localhost would send people nowhere).
SITE_DOMAIN = env.str("SITE_DOMAIN")
if not SITE_DOMAIN or SITE_DOMAIN.split(":")[0] in ("localhost", "127.0.0.1", "[::1]"):
    raise ImproperlyConfigured(
        "SITE_DOMAIN must be the site's public host name in production (e-mails link to it)."
    )

# The site sits behind a TLS-terminating proxy (see docker-compose.yml).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"
