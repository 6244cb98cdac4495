#!/usr/bin/env bash
# Development server: prepares the database, then runs the Django web server and a Celery
# worker (with the periodic-task scheduler) side by side until Ctrl-C, which stops both.
# Called by `make run`; HOST, PORT, PYTHON and WORKER_CONCURRENCY can be set from outside.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-.venv/bin/python}
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
WORKER_CONCURRENCY=${WORKER_CONCURRENCY:-1}
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-ecgsite.settings.local}
export PYTHONUNBUFFERED=1
# Links in e-mails (sign-up codes, reviews) name the address this server answers on, unless
# SITE_DOMAIN says otherwise; "all interfaces" is reached as localhost.
case "$HOST" in 0.0.0.0|::|"[::]") SITE_HOST=localhost ;; *) SITE_HOST=$HOST ;; esac
export SITE_DOMAIN=${SITE_DOMAIN:-$SITE_HOST:$PORT}

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

say "E-mails link to http://$SITE_DOMAIN"
say "Database: ${DATABASE_URL:+PostgreSQL (DATABASE_URL)}${DATABASE_URL:-embedded SQLite in var/}"
say "Broker and cache: ${REDIS_URL:+Redis (REDIS_URL)}${REDIS_URL:-embedded (files in var/broker, database cache)}"
"$PY" manage.py migrate --noinput
"$PY" manage.py createcachetable
if [ "$("$PY" manage.py shell -c 'from django.conf import settings; print(settings.DEBUG)')" != "True" ]; then
  # Without DEBUG, whitenoise serves only what collectstatic gathered.
  "$PY" manage.py collectstatic --noinput -v 0
fi

# Each child gets its own process group (job control), so stopping it also stops what it
# started (runserver's auto-reloader child, the worker's pool processes).
set -m
pids=()
stopped=0
stop_all() {
  [ "$stopped" = 1 ] && return
  stopped=1
  say "Stopping the web server and the worker..."
  for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  say "Stopped."
}
trap 'stop_all; exit 0' INT TERM
trap stop_all EXIT

mkdir -p var
"$PY" -m celery -A ecgsite worker --beat --schedule var/celerybeat-schedule \
  --concurrency "$WORKER_CONCURRENCY" --loglevel INFO </dev/null \
  > >(sed -u 's/^/[worker] /') 2>&1 &
pids+=($!)
"$PY" manage.py runserver "$HOST:$PORT" </dev/null \
  > >(sed -u 's/^/[web]    /') 2>&1 &
pids+=($!)

url="http://$HOST:$PORT/"
for _ in $(seq 1 120); do
  if "$PY" -c "import urllib.request, sys; urllib.request.urlopen(sys.argv[1], timeout=2)" "$url" 2>/dev/null; then
    break
  fi
  sleep 0.5
done
say "ECG Insight is running: $url"
say "E-mails (sign-up codes included) are printed here, in the [web] lines. Ctrl-C stops everything."

# Whichever stops first (a crash, or Ctrl-C), the EXIT trap stops the other.
wait -n "${pids[@]}" || true
