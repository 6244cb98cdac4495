"""The API's status endpoint waits like the site's (``?since=<status>&wait=<seconds>``):
it answers as soon as the worker changes the diagnosis, or when the wait is over."""
import threading
import time

import pytest
from django.db import connection

from diagnosis import live
from diagnosis.models import Diagnosis
from tests.factories import make_diagnosis

from .client import api_client

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_waiting_status_call_answers_when_the_worker_claims_it(patient, settings):
    settings.ECG_STATUS_RECHECK_S = 60
    settings.ECG_STATUS_POLL_S = 60
    queued = make_diagnosis(patient, status="queued")
    api = api_client(patient)
    answers = []

    def ask():
        try:
            answers.append(api.get(f"/api/v1/diagnoses/{queued.pk}/status/",
                                   {"since": "queued", "wait": "20"}))
        finally:
            connection.close()  # this thread's own connection

    waiter = threading.Thread(target=ask, daemon=True)
    waiter.start()
    deadline = time.monotonic() + 10
    while live.waiting_now() < 1:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    started = time.monotonic()
    Diagnosis.objects.claim(queued.pk)
    waiter.join(10)

    assert answers[0].status_code == 200 and answers[0].json()["status"] == "running"
    assert time.monotonic() - started < 2


def test_a_status_call_without_since_answers_at_once(patient):
    queued = make_diagnosis(patient, status="queued")

    started = time.monotonic()
    response = api_client(patient).get(f"/api/v1/diagnoses/{queued.pk}/status/",
                                       {"wait": "20"})

    assert response.json()["status"] == "queued" and time.monotonic() - started < 1
