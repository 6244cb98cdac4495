"""The Django admin for diagnoses: staff see them and can queue failed ones again."""
import pytest
import redis
from django.conf import settings

from diagnosis.models import Diagnosis
from tests.conftest import admin_login

from .conftest import make_diagnosis

pytestmark = pytest.mark.django_db


def test_staff_see_the_diagnoses_and_their_files(client, staff, patient):
    d = make_diagnosis(patient, kind="signal", label="V")
    admin_login(client, staff)

    listing = client.get("/admin/diagnosis/diagnosis/?status__exact=done")
    detail = client.get(f"/admin/diagnosis/diagnosis/{d.pk}/change/")

    assert listing.status_code == 200 and "patient@example.com" in listing.content.decode()
    assert detail.status_code == 200 and "100.hea" in detail.content.decode()


def test_the_retry_action_queues_failed_diagnoses_again(client, staff, patient,
                                                       django_capture_on_commit_callbacks):
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    broker.delete("celery")
    failed = make_diagnosis(patient, status="failed")
    done = make_diagnosis(patient, status="done")
    admin_login(client, staff)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/diagnosis/diagnosis/", {
            "action": "retry_failed", "_selected_action": [failed.pk, done.pk]}, follow=True)

    assert "1 failed diagnoses queued again" in response.content.decode()
    assert Diagnosis.objects.get(pk=failed.pk).status == "queued"
    assert Diagnosis.objects.get(pk=done.pk).status == "done"
    assert broker.llen("celery") == 1
    broker.delete("celery")


def test_patients_cannot_use_the_admin(patient_client, patient):
    make_diagnosis(patient)
    response = patient_client.get("/admin/diagnosis/diagnosis/")
    assert response.status_code == 302
