"""A picture's upload answer may carry its result (``/diagnosis/upload/?wait=<seconds>``,
services.picture_result): the upload page asks for it, so a beat picture takes one request
instead of an upload and a status long-poll. Only pictures wait; a recording, a refused
upload and an upload without ``wait`` answer at once.

Transactional tests: the worker runs in a thread with its own database connection."""
import time

import numpy as np
import pytest
from celery.contrib.testing.worker import start_worker

from diagnosis import live
from diagnosis.models import Diagnosis
from ecgsite.celery import app
from tests.inputs import real_beat_png, upload

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def redis_reachable_again():
    live._redis_down_until[0] = 0.0
    yield
    live._redis_down_until[0] = 0.0


@pytest.fixture
def only_a_message_wakes(settings):
    # Re-reading the row on a clock is slower than these tests wait: an early answer can only
    # come from the message the worker published.
    settings.ECG_STATUS_RECHECK_S = 60
    settings.ECG_STATUS_POLL_S = 60


def post(client, files, wait=None):
    url = "/diagnosis/upload/" + (f"?wait={wait}" if wait is not None else "")
    started = time.monotonic()
    response = client.post(url, {"files": files}, headers={"Accept": "application/json"})
    return response, time.monotonic() - started


def csv_recording():
    t = np.arange(0, 12, 1 / 250)
    wave = 0.1 * np.sin(2 * np.pi * 1.2 * t)
    text = "time,II\n" + "\n".join(f"{a:.4f},{b:.4f}" for a, b in zip(t, wave, strict=True))
    return text.encode()


@pytest.mark.slow
def test_a_picture_uploaded_with_wait_comes_back_with_its_result(
        mitdb, patient_client, only_a_message_wakes):
    png = real_beat_png(mitdb, "208", "V")
    with start_worker(app, pool="solo", concurrency=1, perform_ping_check=False,
                      shutdown_timeout=60, loglevel="WARNING"):
        response, seconds = post(patient_client, [upload("pvc.png", png)], wait=20)

    assert response.status_code == 201
    body = response.json()
    stored = Diagnosis.objects.get(pk=body["id"])
    assert body["finished"] and body["status"] == "done" == stored.status
    assert body["label"] == stored.label and body["label"] in {"N", "L", "R", "A", "V", "F"}
    assert body["finished_at"] == stored.finished_at.isoformat()
    # Answered by the worker's message, not by the end of the wait.
    assert seconds < 15


def test_without_a_worker_the_answer_comes_when_the_wait_is_over(patient_client, mitdb):
    response, seconds = post(patient_client, [upload("beat.png", real_beat_png(mitdb, "100", "N"))],
                             wait=1)

    assert response.status_code == 201
    assert response.json()["status"] == "queued" and not response.json()["finished"]
    assert 0.9 <= seconds < 5


@pytest.mark.parametrize("wait", [None, "", "soon", "0"])
def test_without_a_usable_wait_the_upload_answers_at_once(patient_client, mitdb, wait):
    response, seconds = post(patient_client, [upload("beat.png", real_beat_png(mitdb, "100", "N"))],
                             wait=wait)

    assert response.status_code == 201 and response.json()["status"] == "queued"
    assert seconds < 0.9


def test_a_recording_answers_at_once_whatever_the_wait(patient_client):
    response, seconds = post(patient_client, [upload("ecg.csv", csv_recording())], wait=5)

    assert response.status_code == 201
    assert response.json()["kind"] == "signal" and response.json()["status"] == "queued"
    assert seconds < 3


def test_a_refused_picture_answers_at_once_with_its_message(patient_client):
    response, seconds = post(patient_client, [upload("beat.png", b"\x89PNG\r\n\x1a\nbroken")],
                             wait=5)

    assert response.status_code == 400 and response.json()["error"]
    assert seconds < 3
    assert not Diagnosis.objects.exists()


def test_an_upload_reads_its_owners_diagnoses_once_and_updates_nothing(patient_client, mitdb):
    # The same upload sent just before and the pending uploads: one query. The time it was
    # sent to the worker is written with the row, not by an UPDATE after the commit.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response, _ = post(patient_client, [upload("beat.png", real_beat_png(mitdb, "100", "N"))])

    assert response.status_code == 201
    sql = [q["sql"] for q in queries.captured_queries]
    reads = [q for q in sql if q.startswith("SELECT") and 'FROM "diagnosis_diagnosis"' in q]
    assert len(reads) == 2, "\n".join(sql)  # the owner's uploads; the queue position answered
    assert not [q for q in sql if q.startswith("UPDATE")], "\n".join(sql)
    assert Diagnosis.objects.get().enqueued_at is not None
