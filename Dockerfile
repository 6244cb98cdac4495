# One image for every role of the production topology (docker-compose.yml): the web server
# (gunicorn), the Celery worker, the scheduler and the one-off migration job.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=ecgsite.settings.production \
    STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/data/media \
    ECG_VAR_DIR=/data/var

WORKDIR /app
RUN useradd --create-home --uid 1000 ecg \
    && mkdir -p /data/media /data/var \
    && chown -R ecg:ecg /data

COPY requirements.txt .
RUN pip install -r requirements.txt

COPY --chown=ecg:ecg . .

# Static files are gathered at build time and served by whitenoise. The throw-away key and
# host exist only so the production settings load for this one command.
RUN SECRET_KEY="build-only-$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
    ALLOWED_HOSTS=build.invalid \
    python manage.py collectstatic --noinput

USER ecg
EXPOSE 8000
# Workers, threads and timeouts: gunicorn.conf.py (threads, so long-polls do not starve it).
CMD ["gunicorn", "ecgsite.wsgi:application", "--config", "gunicorn.conf.py"]
