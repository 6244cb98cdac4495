"""Settings for a ``celery -A ecgsite worker`` subprocess started by test_worker_kill.py.

The test settings (ecgsite.settings.test) with the TEST_* environment of the test run, plus
the one thing a second process cannot share by itself: test.py gives every process a fresh
temporary MEDIA_ROOT, so the worker is told the test's folder. The test points
TEST_DATABASE_URL at the test database pytest-django created.
"""
import os
from pathlib import Path

from ecgsite.settings.test import *  # noqa: F403

MEDIA_ROOT = Path(os.environ["ECG_TEST_MEDIA_ROOT"])

# kombu looks for unacknowledged messages past the visibility timeout only every
# interval x throttle seconds (10 x 10 by default); look every 2 s so the test is short.
CELERY_BROKER_TRANSPORT_OPTIONS = {  # noqa: F405
    **CELERY_BROKER_TRANSPORT_OPTIONS,  # noqa: F405
    "unacked_restore_interval": 2,
    "unacked_restore_throttle": 1,
}
