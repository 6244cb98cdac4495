"""A worker killed (SIGKILL) in the middle of a task: the diagnosis is retried within 60 s, by
another worker, and never runs twice at once. Real ``celery worker`` processes on the real
Redis broker, with the production timings (lease ECG_DIAGNOSIS_LEASE_S = 30 s renewed by the
task's heartbeat, the sweep every 15 s, Redis's visibility timeout of an hour).

Timeline: the first worker claims the row and pauses in the task (ECG_TEST_CLAIM_PAUSE_S,
worker_settings.py). A second worker, with the scheduler (-B), runs the sweep meanwhile: while
the first is alive its heartbeat keeps the lease, so the sweep leaves the row alone. Then the
first worker is killed; its lease runs out, the next sweep re-sends the row and the second
worker finishes it.
"""
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.utils import timezone

from diagnosis.models import Diagnosis
from tests.inputs import post_upload, real_beat_png, upload

from .test_worker_kill import LIMITS, status_of, stop, wait_for, worker_env

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

RETRY_TARGET_S = 60


def start(media_root, delay, log_path, name, beat_schedule=None):
    env = worker_env(media_root, delay)
    for key in LIMITS:  # the production timings
        env.pop(key)
    command = [sys.executable, "-m", "celery", "-A", "ecgsite", "worker", "--pool=prefork",
               "--concurrency=1", "--loglevel=INFO", "--without-gossip", "--without-mingle",
               "--without-heartbeat", "-n", f"{name}@%h"]
    if beat_schedule is not None:
        command += ["-B", "-s", str(beat_schedule)]
    log = open(log_path, "wb")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)


def test_a_killed_task_is_retried_within_a_minute_and_never_runs_twice_at_once(
        patient_client, media_root, tmp_path, mitdb):
    assert settings.ECG_DIAGNOSIS_LEASE_S == 30
    assert settings.CELERY_BEAT_SCHEDULE["diagnosis-requeue-stale"]["schedule"] == 15
    first_log, second_log = tmp_path / "worker1.log", tmp_path / "worker2.log"
    first = start(media_root, delay=600, log_path=first_log, name="first")
    second = None
    try:
        png = real_beat_png(mitdb, "100", "N")
        response = post_upload(patient_client, [upload("beat.png", png)])
        pk = response.json()["id"]
        wait_for(lambda: status_of(pk) == "running", 90, "the first worker to claim the row")
        wait_for(lambda: f"after claiming diagnosis {pk}" in first_log.read_text(), 30,
                 "the first worker to pause in the task")
        claimed = Diagnosis.objects.get(pk=pk)

        second = start(media_root, delay=0, log_path=second_log, name="second",
                       beat_schedule=tmp_path / "beat-schedule")
        wait_for(lambda: "requeue_stale" in second_log.read_text(), 60,
                 "the second worker's scheduler to run the sweep")
        time.sleep(settings.ECG_DIAGNOSIS_LEASE_S + 10)  # past the first lease, with sweeps

        alive = Diagnosis.objects.get(pk=pk)
        assert alive.status == "running" and alive.attempts == 1
        assert alive.claim_token == claimed.claim_token  # nobody took it from a live worker
        assert alive.lease_expires_at > claimed.lease_expires_at  # the heartbeat renewed it
        assert "after claiming" not in second_log.read_text()

        stop(first)  # SIGKILL, mid-task
        killed_at = timezone.now()
        retried = wait_for(lambda: Diagnosis.objects.filter(pk=pk, attempts=2).first(),
                           RETRY_TARGET_S + 30, "the row to be claimed again")
        assert (retried.started_at - killed_at).total_seconds() <= RETRY_TARGET_S

        done = wait_for(lambda: Diagnosis.objects.filter(pk=pk, status__in=["done", "failed"])
                        .first(), 120, "the second worker to finish the task")
        assert done.status == "done", done.error_message
        assert done.attempts == 2
        # The row is committed before the task returns and Celery logs its result.
        wait_for(lambda: "'done'" in second_log.read_text(), 30, "the task's result in the log")
        assert second_log.read_text().count("'done'") == 1
    finally:
        stop(first)
        if second is not None:
            stop(second)
