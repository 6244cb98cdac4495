"""The production web server's settings (gunicorn.conf.py, used by the Dockerfile): threads,
so that status requests waiting for a result (long-polling) cannot take every thread."""
import runpy
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def test_gunicorn_runs_threads_with_room_beyond_the_waiting_requests(monkeypatch):
    for name in ("WEB_CONCURRENCY", "GUNICORN_THREADS", "GUNICORN_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))

    assert config["worker_class"] == "gthread"
    assert config["threads"] >= 2 * settings.ECG_STATUS_MAX_WAITERS
    assert config["timeout"] > settings.ECG_STATUS_MAX_WAIT_S


def test_the_docker_image_starts_gunicorn_with_that_file():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert '"--config", "gunicorn.conf.py"' in dockerfile
