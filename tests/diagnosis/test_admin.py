"""The Django admin for diagnoses: staff see them (each opening is in the access log) and
can queue failed ones again."""
import pytest
import redis
from django.conf import settings

from sharing.models import AuditLog
from tests.factories import admin_login, make_diagnosis

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
    failed = make_diagnosis(patient, status="failed", attempts=3)
    done = make_diagnosis(patient, status="done")
    admin_login(client, staff)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/diagnosis/diagnosis/", {
            "action": "retry_failed", "_selected_action": [failed.pk, done.pk]}, follow=True)

    assert "1 failed diagnoses queued again" in response.content.decode()
    failed.refresh_from_db()
    done.refresh_from_db()
    assert (failed.status, failed.attempts, failed.error_message) == ("queued", 0, "")
    assert failed.enqueued_at is not None
    assert done.status == "done" and done.finished_at is not None
    assert broker.llen("celery") == 1
    broker.delete("celery")


def test_patients_cannot_use_the_admin(patient_client, patient):
    make_diagnosis(patient)
    response = patient_client.get("/admin/diagnosis/diagnosis/")
    assert response.status_code == 302


def test_opening_a_diagnosis_in_the_admin_is_logged(client, staff, signal_diagnosis):
    admin_login(client, staff)
    page = client.get(f"/admin/diagnosis/diagnosis/{signal_diagnosis.pk}/change/")
    assert page.status_code == 200
    row = AuditLog.objects.get()
    assert (row.viewer, row.what, row.viewer_role, row.diagnosis) == (
        staff, "admin", "staff", signal_diagnosis)
