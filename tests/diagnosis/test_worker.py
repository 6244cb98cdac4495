"""End to end with a real Celery worker on the real Redis broker (not eager mode).

The worker runs in a thread of the test process (celery.contrib.testing.worker.start_worker)
and uses the committed default model through diagnosis.inference; transactional tests,
because the worker thread has its own database connection and must see committed rows.
"""
import io
import time

import numpy as np
import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core.management import call_command
from PIL import Image

from diagnosis import inference
from diagnosis.models import Diagnosis, SignalResult
from ecgsite.celery import app
from ml.formats import read_recording
from ml.registry import CLASS_CODES
from tests.diagnosis.broker import CLOSED_PORT_BROKER, broker_url
from tests.inputs import copy_record, post_upload, real_beat_png, upload

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


def test_an_uploaded_beat_image_is_classified_by_the_worker(mitdb, patient_client, worker):
    png = real_beat_png(mitdb, "208", "V")

    response = post_upload(patient_client, [upload("pvc.png", png)])
    assert response.status_code == 201
    d = wait_until_finished(response.json()["id"])

    expected = inference.get_predictor().predict_images([Image.open(io.BytesIO(png))])[0]
    assert d.status == "done", d.error_message
    assert d.model_version == inference.get_predictor().version
    assert d.analysis_mode == "picture" and d.leads_used == []
    assert d.label == expected.label
    assert d.probabilities == pytest.approx(expected.probabilities, abs=1e-6)
    assert sum(d.probabilities.values()) == pytest.approx(1, abs=1e-4)
    assert d.confidence == pytest.approx(expected.confidence, abs=1e-6)
    assert d.queued_at <= d.started_at <= d.finished_at and d.attempts == 1

    page = patient_client.get(d.get_absolute_url()).content.decode()
    history = patient_client.get("/diagnosis/history/").content.decode()
    assert d.label_name in page and 'id="live-status"' not in page
    assert d.get_absolute_url() in history and d.label_name in history


def test_an_uploaded_wfdb_record_gets_the_beats_and_counts_the_predictor_gives(
        mitdb, patient_client, worker, tmp_path):
    header = copy_record(mitdb, "208", tmp_path / "upload")
    dat = header.with_suffix(".dat")

    response = post_upload(patient_client, [upload("208.hea", header.read_bytes()),
                                            upload("208.dat", dat.read_bytes())])
    assert response.status_code == 201, response.content
    d = wait_until_finished(response.json()["id"], timeout=240)

    # The same record through ml directly, with a Predictor of its own.
    from ml import Predictor

    signal = read_recording(header)
    direct = Predictor(model_dir=settings.ECG_MODEL_DIR,
                       leads_dir=settings.ECG_LEADS_MODEL_DIR).analyze_recording(signal)

    assert d.status == "done", d.error_message
    # A two-lead Holter record (MLII, V1) is read from lead II (ml.beatinput.analysed_slots).
    assert d.analysis_mode == "one lead" and d.leads_used == ["II"]
    assert d.model_version == direct.model_version == inference.get_predictor().leads_version
    result = SignalResult.objects.get(diagnosis=d)
    assert result.samples == [b.sample for b in direct.beats]
    assert result.beat_labels() == [b.label for b in direct.beats]
    assert result.confidences == pytest.approx([b.confidence for b in direct.beats], abs=1e-3)
    assert d.counts == direct.counts and d.beat_count == len(direct.beats)
    assert d.label == direct.finding
    assert d.heart_rate_bpm == pytest.approx(direct.heart_rate_bpm)
    assert d.vf_episodes == [[e.start_s, e.end_s] for e in direct.vf_episodes]
    assert d.duration_s == pytest.approx(direct.duration_s) and d.fs == signal.fs
    assert sum(d.counts.values()) == d.beat_count > 2000  # a 30-minute record
    assert set(d.counts) == set(CLASS_CODES)

    # The plot: a 30-minute record in pages, every beat on exactly one page.
    first = patient_client.get(f"/diagnosis/{d.pk}/signal.json?overview=1").json()
    assert first["pages"] == int(np.ceil(d.duration_s / settings.ECG_PLOT_PAGE_SECONDS))
    assert len(first["overview"]["times"]) == d.beat_count
    on_pages = sum(len(patient_client.get(f"/diagnosis/{d.pk}/signal.json?page={p}")
                       .json()["beats"]) for p in range(first["pages"]))
    assert on_pages == d.beat_count

    page = patient_client.get(d.get_absolute_url()).content.decode()
    assert f"{d.beat_count}" in page and 'id="strip-canvas"' in page
    assert patient_client.get(f"/diagnosis/{d.pk}/report.pdf").status_code == 200


def test_an_image_the_model_refuses_fails_with_the_models_message(patient_client, worker):
    blank = Image.new("RGB", (192, 128), "white")
    buffer = io.BytesIO()
    blank.save(buffer, format="PNG")

    response = post_upload(patient_client, [upload("blank.png", buffer.getvalue())])
    d = wait_until_finished(response.json()["id"])

    assert d.status == "failed" and d.error_message
    assert d.label == "" and d.attempts == 1
    page = patient_client.get(d.get_absolute_url()).content.decode()
    assert "could not be analysed" in page


def test_an_upload_made_while_the_broker_is_down_is_kept_and_completed_by_the_sweep(
        mitdb, patient_client, settings):
    with broker_url(CLOSED_PORT_BROKER):
        png = real_beat_png(mitdb, "100", "N")
        response = post_upload(patient_client, [upload("beat.png", png)])

    assert response.status_code == 201
    assert response.json()["status"] == "queued"
    d = Diagnosis.objects.get(pk=response.json()["id"])
    assert d.status == "queued" and d.enqueued_at is None

    with start_worker(app, pool="solo", concurrency=1, perform_ping_check=False,
                      shutdown_timeout=60, loglevel="WARNING"):
        time.sleep(3)
        d.refresh_from_db()
        assert d.status == "queued"  # nothing was sent, so nothing ran

        settings.ECG_DIAGNOSIS_REQUEUE_AFTER_S = 0
        call_command("requeue_stale")
        d = wait_until_finished(d.pk)

    assert d.status == "done" and d.attempts == 1
