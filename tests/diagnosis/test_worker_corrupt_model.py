"""A worker whose model file is corrupt refuses to start, with one clear line in its log, and
the uploads made meanwhile stay queued (and are taken by the next worker with a usable model).
A real ``celery -A ecgsite worker`` process on the real Redis broker."""
import shutil

import pytest
import redis

from diagnosis.models import Diagnosis
from ecgsite.celery import EXIT_UNUSABLE_MODEL
from ml.predictor import DEFAULT_MODEL_DIR, MODEL_FILE
from tests.inputs import beat_png, post_upload, upload

from .test_worker_kill import start, status_of, stop

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_a_worker_with_a_corrupt_model_refuses_to_start_and_uploads_stay_queued(
        patient_client, media_root, tmp_path, settings):
    corrupt = tmp_path / "model"
    shutil.copytree(DEFAULT_MODEL_DIR, corrupt)
    data = (corrupt / MODEL_FILE).read_bytes()
    (corrupt / MODEL_FILE).write_bytes(data[: len(data) // 3])  # a copy cut short
    settings.ECG_MODEL_DIR = str(corrupt)
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    log = tmp_path / "worker.log"

    response = post_upload(patient_client, [upload("beat.png", beat_png())])
    pk = response.json()["id"]
    worker = start(media_root, delay=0, log_path=log, name="corrupt")
    try:
        code = worker.wait(90)
        text = log.read_text()

        assert code == EXIT_UNUSABLE_MODEL, text[-3000:]
        assert "The worker refuses to start" in text and str(corrupt / MODEL_FILE) in text
        assert "not a readable Keras archive" in text
        assert "ready." not in text and "Received task" not in text, text[-3000:]
        assert status_of(pk) == Diagnosis.Status.QUEUED
        assert broker.llen("celery") == 1  # the task waits in the broker for a good worker
    finally:
        stop(worker)
        broker.delete("celery")  # leave no message for the workers of later tests
