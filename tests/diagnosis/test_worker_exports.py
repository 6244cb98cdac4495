"""End to end with a real Celery worker on the real Redis broker: single-lead exports as
people have them (written by tests/inputs.py) go through the upload page, and a CSV file
without a rate is kept, given its rate, then analysed.

Transactional tests, the worker in a thread of the test process, as in test_worker.py."""
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.urls import reverse

from diagnosis.models import Diagnosis
from ecgsite.celery import app
from tests.inputs import (
    apple_health_csv,
    physionet_samples_csv,
    post_upload,
    record_lead_mv,
    upload,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def worker():
    with start_worker(app, pool="solo", concurrency=1, perform_ping_check=False,
                      shutdown_timeout=60, loglevel="WARNING") as w:
        yield w


def wait_until_finished(pk, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        d = Diagnosis.objects.get(pk=pk)
        if d.is_finished:
            return d
        time.sleep(0.2)
    raise AssertionError(f"diagnosis {pk} still {d.status} after {timeout} s")


def test_an_apple_watch_ecg_exported_by_apple_health_is_analysed(mitdb, patient_client,
                                                                 worker):
    data = apple_health_csv(record_lead_mv(mitdb, "100", 30, fs=512), decimal_comma=True)

    response = post_upload(patient_client, [upload("ecg_2026-11-30.csv", data)])

    assert response.status_code == 201, response.content
    assert response.json()["status"] == "queued"
    d = wait_until_finished(response.json()["id"])
    assert d.status == "done", d.error_message
    assert d.fs == 512.0 and 30 <= d.beat_count <= 45 and 28 < d.duration_s <= 30
    page = patient_client.get(d.get_absolute_url()).content.decode()
    assert "512 Hz" in page and d.label_name in page


def test_physionet_samples_are_analysed(mitdb, patient_client, worker):
    x = record_lead_mv(mitdb, "100", 20)
    data = physionet_samples_csv([x], ["MLII"], fs=360)

    response = post_upload(patient_client, [upload("samples.csv", data)])

    d = wait_until_finished(response.json()["id"])
    assert d.status == "done", d.error_message
    assert d.fs == 360.0 and d.beat_count > 15


def test_a_csv_without_a_rate_is_kept_then_analysed_once_the_rate_is_given(
        mitdb, patient_client, worker):
    x = record_lead_mv(mitdb, "100", 20)
    data = ("MLII\n" + "\n".join(f"{v:.3f}" for v in x) + "\n").encode()

    response = post_upload(patient_client, [upload("monitor.csv", data)])
    pk = response.json()["id"]
    time.sleep(1)  # the worker has nothing to do with it meanwhile
    assert Diagnosis.objects.get(pk=pk).status == "needs_rate"
    given = patient_client.post(reverse("diagnosis:rate", args=[pk]),
                                {"sampling_rate": "360"}, headers={"Accept": "application/json"})

    assert given.status_code == 200 and given.json()["status"] in ("queued", "running", "done")
    d = wait_until_finished(pk)
    assert d.status == "done", d.error_message
    assert d.input_fs == 360.0 and d.fs == 360.0 and d.beat_count > 15
