"""Settings for a ``celery -A ecgsite worker`` subprocess started by test_worker_kill.py.

The test settings (ecgsite.settings.test) with the TEST_* environment of the test run, plus
what a second process cannot share by itself: test.py gives every process a fresh temporary
MEDIA_ROOT, so the worker is told the test's folder. The test points TEST_DATABASE_URL at the
test database pytest-django created.

With ECG_TEST_CLAIM_PAUSE_S set, every run pauses that long once it has claimed its row
(diagnosis.signals.run_claimed), so the test can kill a worker in the middle of a task; the
production task has no such pause.
"""
import logging
import os
import time
from pathlib import Path

from celery.signals import worker_process_init

from ecgsite.settings.test import *  # noqa: F403

MEDIA_ROOT = Path(os.environ["ECG_TEST_MEDIA_ROOT"])

# kombu looks for unacknowledged messages past the visibility timeout only every
# interval x throttle seconds (10 x 10 by default); look every 2 s so the test is short.
CELERY_BROKER_TRANSPORT_OPTIONS = {  # noqa: F405
    **CELERY_BROKER_TRANSPORT_OPTIONS,  # noqa: F405
    "unacked_restore_interval": 2,
    "unacked_restore_throttle": 1,
}

CLAIM_PAUSE_S = float(os.environ.get("ECG_TEST_CLAIM_PAUSE_S", "0"))


def _pause(diagnosis, **kwargs):
    logging.getLogger("tests.worker").warning("Pausing %s s after claiming diagnosis %s",
                                              CLAIM_PAUSE_S, diagnosis.pk)
    time.sleep(CLAIM_PAUSE_S)


@worker_process_init.connect(weak=False)
def _pause_after_each_claim(**kwargs):
    # In each pool process, once Django is set up (models cannot be imported while the
    # settings load).
    if CLAIM_PAUSE_S:
        from diagnosis.signals import run_claimed

        run_claimed.connect(_pause, weak=False, dispatch_uid="test-claim-pause")
