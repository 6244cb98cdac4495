"""Per-person limits on uploads, and the same upload sent many times at once becoming one
diagnosis."""
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from diagnosis.models import Diagnosis
from tests.inputs import beat_png, post_upload, stored_files, upload

PICTURE = beat_png()


@pytest.mark.django_db(transaction=True)
def test_twelve_identical_uploads_at_once_make_one_diagnosis(patient, media_root):
    answers, errors = [], []

    def send():
        try:
            browser = Client()
            browser.force_login(patient)
            response = post_upload(browser, [upload("beat.png", PICTURE)])
            answers.append((response.status_code, response.json().get("id")))
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)

    assert not errors
    [diagnosis] = Diagnosis.objects.all()
    assert answers == [(201, diagnosis.pk)] * 12
    assert len(stored_files(media_root)) == 1


@pytest.mark.django_db
def test_the_same_upload_later_or_after_a_failure_is_a_new_diagnosis(patient_client, settings):
    first = post_upload(patient_client, [upload("beat.png", PICTURE)]).json()["id"]
    again = post_upload(patient_client, [upload("other name.png", PICTURE)]).json()["id"]
    assert again == first

    Diagnosis.objects.filter(pk=first).update(
        queued_at=timezone.now() - timedelta(seconds=settings.ECG_UPLOAD_DEDUPE_WINDOW_S + 1))
    later = post_upload(patient_client, [upload("beat.png", PICTURE)]).json()["id"]
    assert later != first

    Diagnosis.objects.filter(pk=later).update(status="failed")
    assert post_upload(patient_client, [upload("beat.png", PICTURE)]).json()["id"] != later


@pytest.mark.django_db
def test_another_person_uploading_the_same_file_gets_their_own_diagnosis(patient_client,
                                                                        other_patient):
    mine = post_upload(patient_client, [upload("beat.png", PICTURE)]).json()["id"]
    browser = Client()
    browser.force_login(other_patient)
    theirs = post_upload(browser, [upload("beat.png", PICTURE)]).json()["id"]
    assert mine != theirs


@pytest.mark.django_db
def test_uploads_per_minute_are_limited(patient_client, settings, media_root):
    settings.ECG_UPLOADS_PER_MINUTE = 3
    for size in (100, 110, 120):
        response = post_upload(patient_client, [upload("b.png", beat_png(size=(size, 80)))])
        assert response.status_code == 201

    response = post_upload(patient_client, [upload("b.png", beat_png(size=(130, 80)))])

    assert response.status_code == 429
    assert "uploaded 3 files in a minute" in response.json()["error"]
    assert Diagnosis.objects.count() == 3 and len(stored_files(media_root)) == 3


@pytest.mark.django_db
def test_uploads_waiting_at_once_are_limited(patient_client, settings):
    settings.ECG_UPLOAD_MAX_PENDING = 2
    for size in (100, 110):
        post_upload(patient_client, [upload("b.png", beat_png(size=(size, 80)))])

    response = post_upload(patient_client, [upload("b.png", beat_png(size=(120, 80)))])

    assert response.status_code == 429
    assert "2 uploads waiting" in response.json()["error"]
    Diagnosis.objects.update(status="done")
    assert post_upload(patient_client,
                       [upload("b.png", beat_png(size=(120, 80)))]).status_code == 201
