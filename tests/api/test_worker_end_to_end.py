"""End to end through the API with a real Celery worker on the real Redis broker: submit with a
token, poll the status, read the result, its beats and its FHIR export.

The worker runs in a thread of the test process (celery.contrib.testing.worker.start_worker)
with the committed default model; transactional tests, because the worker thread has its own
database connection and must see committed rows.
"""
import io
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from fhir.resources.R4B.bundle import Bundle
from PIL import Image

from diagnosis import inference
from ecgsite.celery import app
from ml import Predictor
from ml.formats import read_recording
from tests.inputs import excerpt_record, real_beat_png, upload

from .client import api_client

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def worker():
    with start_worker(app, pool="solo", concurrency=1, perform_ping_check=False,
                      shutdown_timeout=60, loglevel="WARNING") as w:
        yield w


def poll(client, status_url, timeout=180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = client.get(status_url).json()
        if body["finished"]:
            return body
        time.sleep(0.2)
    raise AssertionError(f"{status_url} still {body['status']} after {timeout} s")


def test_a_beat_picture_submitted_through_the_api_is_classified(patient, worker, mitdb):
    client = api_client(patient)
    png = real_beat_png(mitdb, "208", "V")

    submitted = client.post_files("/api/v1/diagnoses/", [upload("pvc.png", png)],
                                  headers={"Idempotency-Key": "e2e-picture"})
    assert submitted.status_code == 201, submitted.content
    status = poll(client, submitted.json()["links"]["status"])

    expected = inference.get_predictor().predict_images([Image.open(io.BytesIO(png))])[0]
    assert status["status"] == "done", status["error"]
    result = client.get(submitted.json()["links"]["self"]).json()
    assert result["label"] == expected.label
    assert {p["code"]: p["probability"] for p in result["probabilities"]} == pytest.approx(
        expected.probabilities, abs=1e-6)
    assert result["model_version"] == inference.get_predictor().version
    assert result["analysis_mode"] == "picture" and result["leads_used"] == []
    Bundle.model_validate(client.get(result["links"]["fhir"]).json())


def test_json_leads_go_the_workers_way_and_come_back_with_beats(patient, worker, tmp_path,
                                                               mitdb):
    header = excerpt_record(mitdb, "208", tmp_path / "rec", seconds=60)
    recording = read_recording(header)
    client = api_client(patient)
    body = {"sampling_rate": recording.fs, "name": "bedside monitor", "leads": [
        {"name": name, "samples": recording.samples[:, i].tolist()}
        for i, name in enumerate(recording.lead_names)]}

    submitted = client.post_json("/api/v1/diagnoses/", body)
    assert submitted.status_code == 201, submitted.content
    status = poll(client, submitted.json()["links"]["status"])
    assert status["status"] == "done", status["error"]

    direct = Predictor(model_dir=settings.ECG_MODEL_DIR,
                       leads_dir=settings.ECG_LEADS_MODEL_DIR).analyze_recording(recording)
    result = client.get(submitted.json()["links"]["self"]).json()
    assert result["label"] == direct.finding
    assert result["analysis_mode"] == "one lead" and result["leads_used"] == ["II"]
    assert result["model_version"] == direct.model_version
    assert result["recording"]["beat_count"] == len(direct.beats)
    assert result["recording"]["leads"] == list(recording.lead_names)
    assert result["recording"]["lead_used"] == recording.lead == "MLII"
    assert {c["code"]: c["count"] for c in result["recording"]["counts"]} == direct.counts

    beats, url = [], result["links"]["beats"] + "?page_size=100"
    while url:
        page = client.get(url).json()
        beats += page["results"]
        url = page["next"]
    assert [b["sample"] for b in beats] == [b.sample for b in direct.beats]
    assert [b["label"] for b in beats] == [b.label for b in direct.beats]

    bundle = Bundle.model_validate(client.get(result["links"]["fhir"]).json())
    report = next(e.resource for e in bundle.entry
                  if e.resource.get_resource_type() == "DiagnosticReport")
    assert report.status == "final" and report.conclusion == result["label_name"]
