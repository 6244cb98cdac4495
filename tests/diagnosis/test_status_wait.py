"""The status endpoint's long-polling (``?since=<status>&wait=<seconds>``, diagnosis/live.py):
it answers as soon as the worker changes the diagnosis (woken through Redis pub/sub), or when
the wait is over; with Redis down it reads the database instead and never fails; and only
ECG_STATUS_MAX_WAITERS requests of a process wait at once.

Transactional tests: the waiting request runs in a thread with its own database connection
and must see what the test commits."""
import threading
import time

import pytest
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from diagnosis import live
from diagnosis.models import Diagnosis
from tests.diagnosis.broker import CLOSED_PORT_BROKER
from tests.factories import make_diagnosis

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def redis_reachable_again():
    live._redis_down_until[0] = 0.0
    yield
    live._redis_down_until[0] = 0.0


@pytest.fixture
def only_a_message_wakes(settings):
    """Re-reading the row on a clock is slower than any test here waits: an early answer can
    only come from the message the worker published."""
    settings.ECG_STATUS_RECHECK_S = 60
    settings.ECG_STATUS_POLL_S = 60


class Waiter(threading.Thread):
    """A signed-in browser asking for the status in the background."""

    def __init__(self, user, url):
        super().__init__(daemon=True)
        self.client = Client()
        self.client.force_login(user)
        self.url = url
        self.response = None
        self.seconds = None
        self.queries = None

    def run(self):
        from django.db import connection

        start = time.monotonic()
        try:
            with CaptureQueriesContext(connection) as queries:
                self.response = self.client.get(self.url, HTTP_ACCEPT="application/json")
            self.queries = [q["sql"] for q in queries.captured_queries]
        finally:
            self.seconds = time.monotonic() - start
            connection.close()

    def json(self):
        self.join(30)
        assert self.response is not None and self.response.status_code == 200
        return self.response.json()


def status_url(diagnosis, **query):
    url = reverse("diagnosis:status", args=[diagnosis.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def wait_until_waiting(count=1, timeout=10):
    deadline = time.monotonic() + timeout
    while live.waiting_now() < count:
        assert time.monotonic() < deadline, "the request never started waiting"
        time.sleep(0.01)


def test_it_answers_as_soon_as_the_worker_claims_the_diagnosis(patient, only_a_message_wakes):
    queued = make_diagnosis(patient, status="queued")
    waiter = Waiter(patient, status_url(queued, since="queued", wait=20))
    waiter.start()
    wait_until_waiting()

    started = time.monotonic()
    assert Diagnosis.objects.claim(queued.pk) is not None
    body = waiter.json()

    assert body["status"] == "running" and not body["finished"]
    assert time.monotonic() - started < 2


def test_it_answers_with_the_result_as_soon_as_the_worker_finishes(patient,
                                                                   only_a_message_wakes):
    queued = make_diagnosis(patient, status="queued")
    token = Diagnosis.objects.claim(queued.pk)
    running = Diagnosis.objects.get(pk=queued.pk)
    waiter = Waiter(patient, status_url(running, since="running", wait=20))
    waiter.start()
    wait_until_waiting()

    started = time.monotonic()
    running.mark_done(token, label="V", confidence=0.8, probabilities={"V": 0.8})
    body = waiter.json()

    assert body["finished"] and body["status"] == "done" and body["label"] == "V"
    assert time.monotonic() - started < 2


def test_a_wait_that_ends_with_the_result_reads_the_diagnosis_three_times(
        patient, only_a_message_wakes):
    # The view's read, one once subscribed (a change in between is not missed) and one on the
    # wake-up, which is the answer: every request of every waiting page pays for these.
    queued = make_diagnosis(patient, status="queued")
    waiter = Waiter(patient, status_url(queued, since="queued,running", wait=20))
    waiter.start()
    wait_until_waiting()

    token = Diagnosis.objects.claim(queued.pk)
    Diagnosis.objects.get(pk=queued.pk).mark_done(token, label="N", confidence=0.9)
    assert waiter.json()["status"] == "done"

    reads = [q for q in waiter.queries if 'FROM "diagnosis_diagnosis"' in q]
    assert len(reads) == 3, "\n".join(reads)


def test_it_answers_at_the_end_of_the_wait_when_nothing_changed(patient_client, patient):
    queued = make_diagnosis(patient, status="queued")

    started = time.monotonic()
    response = patient_client.get(status_url(queued, since="queued", wait=0.6))
    waited = time.monotonic() - started

    assert response.status_code == 200 and response.json()["status"] == "queued"
    assert 0.6 <= waited < 3
    assert live.waiting_now() == 0


def test_it_answers_at_once_when_the_page_saw_an_older_state(patient_client, patient):
    done = make_diagnosis(patient, status="done")

    started = time.monotonic()
    response = patient_client.get(status_url(done, since="running", wait=20))

    assert response.json()["status"] == "done" and time.monotonic() - started < 1


def test_a_wait_is_cut_to_the_longest_the_settings_allow(patient_client, patient, settings):
    settings.ECG_STATUS_MAX_WAIT_S = 0.3
    queued = make_diagnosis(patient, status="queued")

    started = time.monotonic()
    for wait in ("3600", "1e308", "inf"):
        response = patient_client.get(status_url(queued, since="queued", wait=wait))
        assert response.status_code == 200
    assert time.monotonic() - started < 3


@pytest.mark.parametrize("wait", ["soon", "nan", "-5", ""])
def test_a_wait_that_is_not_a_number_of_seconds_answers_at_once(patient_client, patient, wait):
    queued = make_diagnosis(patient, status="queued")

    started = time.monotonic()
    response = patient_client.get(status_url(queued, since="queued", wait=wait))

    assert response.status_code == 200 and time.monotonic() - started < 1


def test_nobody_else_can_wait_on_a_diagnosis(client, other_patient, patient):
    queued = make_diagnosis(patient, status="queued")
    client.force_login(other_patient)

    started = time.monotonic()
    response = client.get(status_url(queued, since="queued", wait=5))

    assert response.status_code == 404 and time.monotonic() - started < 1


def test_with_redis_down_a_wait_reads_the_database_and_sees_the_change(patient, settings):
    settings.REDIS_URL = CLOSED_PORT_BROKER
    settings.ECG_STATUS_POLL_S = 0.1
    queued = make_diagnosis(patient, status="queued")
    waiter = Waiter(patient, status_url(queued, since="queued", wait=20))
    waiter.start()
    wait_until_waiting()

    started = time.monotonic()
    token = Diagnosis.objects.claim(queued.pk)  # its publish fails quietly: Redis is down
    body = waiter.json()

    assert token is not None and body["status"] == "running"
    assert time.monotonic() - started < 2


def test_with_redis_down_a_wait_ends_normally_and_the_worker_still_finishes(
        patient_client, patient, settings):
    settings.REDIS_URL = CLOSED_PORT_BROKER
    queued = make_diagnosis(patient, status="queued")

    response = patient_client.get(status_url(queued, since="queued", wait=0.5))
    token = Diagnosis.objects.claim(queued.pk)
    finished = Diagnosis.objects.get(pk=queued.pk).mark_failed(token, "Not an ECG.")

    assert response.status_code == 200 and response.json()["status"] == "queued"
    assert finished and Diagnosis.objects.get(pk=queued.pk).status == "failed"


def test_over_the_bound_a_request_answers_at_once(patient, patient_client, settings):
    settings.ECG_STATUS_MAX_WAITERS = 1
    queued = make_diagnosis(patient, status="queued")
    first = Waiter(patient, status_url(queued, since="queued", wait=3))
    first.start()
    wait_until_waiting()

    started = time.monotonic()
    second = patient_client.get(status_url(queued, since="queued", wait=3))

    assert second.status_code == 200 and second.json()["status"] == "queued"
    assert time.monotonic() - started < 1
    assert first.json()["status"] == "queued" and first.seconds >= 3
    assert live.waiting_now() == 0


def test_a_diagnosis_deleted_during_the_wait_is_a_404(patient, settings):
    settings.ECG_STATUS_POLL_S = 0.1
    settings.ECG_STATUS_RECHECK_S = 0.1
    queued = make_diagnosis(patient, status="queued")
    waiter = Waiter(patient, status_url(queued, since="queued", wait=10))
    waiter.start()
    wait_until_waiting()

    Diagnosis.objects.filter(pk=queued.pk).delete()
    waiter.join(10)

    assert waiter.response.status_code == 404 and waiter.seconds < 5


def test_a_page_may_wait_through_the_analysis_straight_for_the_result(patient,
                                                                       only_a_message_wakes):
    queued = make_diagnosis(patient, status="queued")
    waiter = Waiter(patient, status_url(queued, since="queued,running", wait=20))
    waiter.start()
    wait_until_waiting()

    token = Diagnosis.objects.claim(queued.pk)
    time.sleep(0.3)
    still_waiting = waiter.is_alive()
    Diagnosis.objects.get(pk=queued.pk).mark_done(token, label="N", confidence=0.9)
    body = waiter.json()

    assert still_waiting and body["status"] == "done"
