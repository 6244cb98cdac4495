"""Test settings: the real PostgreSQL and Redis on 127.0.0.1, fast hashing, no real e-mail.

Concurrent test runs on one machine keep apart by TEST_DATABASE_NAME and the Redis database
number in REDIS_URL.
"""
import tempfile

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = "test-only-secret-key"
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]

# The connection handling the site runs with (persistent, health-checked), so the tests
# exercise it too.
_SITE_CONNECTIONS = {key: DATABASES["default"][key]  # noqa: F405
                     for key in ("CONN_MAX_AGE", "CONN_HEALTH_CHECKS")}
DATABASES = {
    "default": env.db(
        "TEST_DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/postgres"
    )
}
DATABASES["default"].update(_SITE_CONNECTIONS)
DATABASES["default"]["TEST"] = {"NAME": env.str("TEST_DATABASE_NAME", default="test_ecgsite")}

REDIS_URL = env.str("TEST_REDIS_URL", default="redis://127.0.0.1:6379/15")
CACHES = redis_cache(REDIS_URL, "ecgsite-test")  # noqa: F405
CELERY_BROKER_URL = REDIS_URL
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}  # noqa: F405

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="ecgsite-test-media-"))  # noqa: F405
STATIC_ROOT = Path(tempfile.mkdtemp(prefix="ecgsite-test-static-"))  # noqa: F405
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
SOCIALACCOUNT_PROVIDERS = {}
