"""A worker keeps its PostgreSQL connection from one task to the next (DATABASE_CONN_MAX_AGE),
as web requests do, and replaces one the server dropped before using it. A real
``celery -A ecgsite worker`` process (started as test_worker_kill.py starts it) on the real
broker and database; the worker's connections are read from pg_stat_activity.

Celery's Django fixup alone would close the connection after every task, so the server would
start a new process for every diagnosis.
"""
import time

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from tests.inputs import post_upload, real_beat_png, upload

from .test_worker_kill import start as start_worker
from .test_worker_kill import status_of, stop, wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

# After a task's row says done, the task still returns and Celery runs its post-task steps
# (where a connection would be closed): give them time before looking.
SETTLE_S = 1.5


def backends():
    """Process ids of the database sessions other than this test's own."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                       "AND pid <> pg_backend_pid()")
        return {row[0] for row in cursor.fetchall()}


def diagnose(client, png, name):
    pk = post_upload(client, [upload(name, png)]).json()["id"]
    status = wait_for(lambda: status_of(pk) in ("done", "failed") and status_of(pk), 90,
                      f"the worker to finish {name}")
    time.sleep(SETTLE_S)
    return status


def terminate(pids):
    db = settings.DATABASES["default"]
    with psycopg.connect(host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432,
                         user=db["USER"], password=db["PASSWORD"], dbname=db["NAME"],
                         autocommit=True) as other:
        for pid in pids:
            other.execute("SELECT pg_terminate_backend(%s)", (pid,))


def test_a_worker_keeps_its_connection_between_tasks_and_replaces_a_dropped_one(
        mitdb, patient_client, media_root, tmp_path):
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] > 0
    # Sessions left by earlier tests (a live server's threads closing) are not the worker's.
    earlier = backends()

    def worker_backends():
        return backends() - earlier

    worker = start_worker(media_root, delay=0, log_path=tmp_path / "worker.log", name="conn")
    try:
        assert diagnose(patient_client, real_beat_png(mitdb, "100", "N", nth=1), "a.png") == "done"
        first = worker_backends()
        assert first, "the worker closed its connection after the task"

        assert diagnose(patient_client, real_beat_png(mitdb, "100", "N", nth=2), "b.png") == "done"
        assert worker_backends() == first  # the same server process served the second task

        terminate(first)  # as a database restart or an idle timeout would
        wait_for(lambda: not (worker_backends() & first), 10, "the sessions to end")

        assert diagnose(patient_client, real_beat_png(mitdb, "100", "N", nth=3), "c.png") == "done"
        replaced = worker_backends()
        assert replaced and not (replaced & first)
    finally:
        stop(worker)
