"""Development settings: DEBUG on, everything embedded unless DATABASE_URL/REDIS_URL are set."""
from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
# Static files come straight from static/ (whitenoise's finders); the folder only has to
# exist so whitenoise does not warn about it.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
