"""gunicorn settings for the web process (the Dockerfile's command: `gunicorn ecgsite.wsgi`,
which reads this file from the working directory; the benchmark starts it the same way).

Threads, not only processes: a result page long-polls its status (diagnosis/live.py), and a
waiting request holds a thread while it waits, not a CPU. Each process lets at most
ECG_STATUS_MAX_WAITERS requests wait (16 by default) and has GUNICORN_THREADS threads (32 by
default), so at least half of its threads always serve ordinary pages and uploads. Raise
both together; keep PostgreSQL's max_connections above WEB_CONCURRENCY x GUNICORN_THREADS
plus the workers' connections (each thread keeps one open for DATABASE_CONN_MAX_AGE seconds).
"""
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "32"))
# The longest request is a status wait (ECG_STATUS_MAX_WAIT_S, 25 s by default) or an upload
# of ECG_UPLOAD_MAX_BYTES over a slow line; a worker silent for this long is restarted.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# The TLS proxy in front sets X-Forwarded-Proto (SECURE_PROXY_SSL_HEADER in production.py).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "*")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
