"""A real web server (gunicorn) in a subprocess on the test database, for the tests that kill
it or talk to it over a socket. Its settings are tests/diagnosis/worker_settings.py (the test
settings with the test's media folder)."""
import os
import signal
import socket
import subprocess
import sys
import time

from django.conf import settings


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(media_root, tmp_dir, **extra):
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    env.update({
        "DJANGO_SETTINGS_MODULE": "tests.diagnosis.worker_settings",
        "TEST_DATABASE_URL": (f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:"
                              f"{db['PORT'] or 5432}/{db['NAME']}"),
        "TEST_REDIS_URL": settings.CACHES["default"]["LOCATION"],
        "ECG_TEST_MEDIA_ROOT": str(media_root),
        "TMPDIR": str(tmp_dir),
        "PYTHONUNBUFFERED": "1",
        **extra,
    })
    return env


def start_gunicorn(media_root, tmp_dir, log_path, **extra):
    """(process, port) of a one-worker gunicorn serving the site, once it accepts
    connections."""
    port = free_port()
    log = open(log_path, "wb")  # noqa: SIM115 - lives as long as the process
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "ecgsite.wsgi:application", "--workers", "1",
         "--bind", f"127.0.0.1:{port}", "--timeout", "120"],
        cwd=settings.BASE_DIR, env=server_env(media_root, tmp_dir, **extra), stdout=log,
        stderr=subprocess.STDOUT, start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"gunicorn exited:\n{log_path.read_text()[-3000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process, port
        except OSError:
            time.sleep(0.2)
    kill(process)
    raise AssertionError(f"gunicorn did not start:\n{log_path.read_text()[-3000:]}")


def kill(process):
    """kill -9 of the server and its workers."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)
