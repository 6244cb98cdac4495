"""A worker killed (SIGKILL) in the middle of a task: after a restart the task completes,
once. A real ``celery -A ecgsite worker`` process on the real Redis broker.

Timeline: the first worker claims the row and pauses (ECG_TEST_CLAIM_PAUSE_S, a receiver of
diagnosis.signals.run_claimed that worker_settings.py connects) so it can be killed while
running. The message stays unacknowledged (acks_late); Redis hands it out
again after the visibility timeout, here shortened to 25 s with the time limits below it
(and worker_settings.py makes kombu look for such messages every 2 s).
The row's lease (6 s, no longer renewed by the dead worker's heartbeat) has expired by then,
so the restarted worker claims it and finishes it.
"""
import os
import signal
import subprocess
import sys
import time

import pytest
import redis
from django.conf import settings
from django.db import connection

from diagnosis.models import Diagnosis
from tests.inputs import post_upload, real_beat_png, upload

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

LIMITS = {
    "CELERY_VISIBILITY_TIMEOUT": "25",
    "CELERY_TASK_SOFT_TIME_LIMIT": "15",
    "CELERY_TASK_TIME_LIMIT": "20",
    "ECG_DIAGNOSIS_LEASE_S": "6",
}


def worker_env(media_root, delay):
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    env.update(LIMITS)
    env.update({
        "DJANGO_SETTINGS_MODULE": "tests.diagnosis.worker_settings",
        "TEST_DATABASE_URL": (f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:"
                              f"{db['PORT'] or 5432}/{db['NAME']}"),
        "TEST_REDIS_URL": settings.CELERY_BROKER_URL,
        "ECG_TEST_MEDIA_ROOT": str(media_root),
        "ECG_MODEL_DIR": str(settings.ECG_MODEL_DIR),
        "ECG_TEST_CLAIM_PAUSE_S": str(delay),
        "PYTHONUNBUFFERED": "1",
    })
    return env


def start(media_root, delay, log_path, name):
    log = open(log_path, "wb")  # noqa: SIM115 - closed by the caller through the process
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "ecgsite", "worker", "--pool=prefork",
         "--concurrency=1", "--loglevel=INFO", "--without-gossip", "--without-mingle",
         "--without-heartbeat", "-n", f"{name}@%h"],
        cwd=settings.BASE_DIR, env=worker_env(media_root, delay), stdout=log,
        stderr=subprocess.STDOUT, start_new_session=True,
    )


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def status_of(pk):
    return Diagnosis.objects.filter(pk=pk).values_list("status", flat=True).first()


def stop(process):
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)


def test_a_task_killed_with_its_worker_completes_once_after_a_restart(mitdb, patient_client,
                                                                       media_root, tmp_path):
    assert settings.DATABASES["default"]["NAME"] == connection.settings_dict["NAME"]
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    first_log, second_log = tmp_path / "worker1.log", tmp_path / "worker2.log"
    first = start(media_root, delay=60, log_path=first_log, name="first")
    second = None
    try:
        png = real_beat_png(mitdb, "100", "N")
        response = post_upload(patient_client, [upload("beat.png", png)])
        pk = response.json()["id"]
        wait_for(lambda: status_of(pk) == "running", 90, "the first worker to claim the row")
        claimed = Diagnosis.objects.get(pk=pk)

        wait_for(lambda: f"after claiming diagnosis {pk}" in first_log.read_text(), 30,
                 "the first worker to pause in the task")
        os.killpg(first.pid, signal.SIGKILL)  # the worker and its pool process, mid-task
        first.wait(10)
        assert status_of(pk) == "running"
        assert broker.hlen("unacked") == 1  # the message was never acknowledged

        second = start(media_root, delay=0, log_path=second_log, name="second")
        done = wait_for(lambda: Diagnosis.objects.filter(pk=pk, status__in=["done", "failed"])
                        .first(), 120, "the restarted worker to finish the task")
        time.sleep(2)  # room for a second, unwanted run to show itself

        assert done.status == "done", done.error_message
        assert done.attempts == 2 and done.started_at > claimed.started_at
        assert done.claim_token != claimed.claim_token
        logs = first_log.read_text() + second_log.read_text()
        assert logs.count("succeeded in") == 1, logs[-3000:]
        assert "'done'" in second_log.read_text()
        assert "after claiming" not in second_log.read_text()  # no pause unless asked
        assert broker.llen("celery") == 0 and broker.hlen("unacked") == 0
    finally:
        stop(first)
        if second is not None:
            stop(second)
