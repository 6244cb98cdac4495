import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecgsite.settings.production")
application = get_wsgi_application()
# Django imports the URLconf, and with it every view module (the API, allauth, the admin),
# during the first request a process serves: about 0.3 s that one visitor per web process
# waited after each start (scripts/bench_site.py saw it as one slow upload in twenty). Each
# gunicorn process imports this module before it serves, so the wait happens there.
get_resolver().url_patterns  # noqa: B018
