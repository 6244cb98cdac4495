"""The administration pages of the care app and the diagnosis admin's additions."""
import pytest
from django.test import Client
from django.urls import reverse

from care.models import Review
from sharing.models import AuditLog
from tests.conftest import admin_login

from .conftest import make_diagnosis, share_between

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, staff):
    return admin_login(client, staff)


@pytest.fixture
def entry(patient, shared_doctor, signal_diagnosis):
    doctor_browser = Client()
    doctor_browser.force_login(shared_doctor)
    doctor_browser.get(signal_diagnosis.get_absolute_url())
    return AuditLog.objects.get()


def test_the_access_log_is_read_only_even_for_superusers(admin_client, entry):
    changelist = reverse("admin:sharing_auditlog_changelist")
    page = admin_client.get(changelist)
    assert page.status_code == 200 and "doctor@example.com" in page.content.decode()
    assert admin_client.get(reverse("admin:sharing_auditlog_add")).status_code == 403
    assert admin_client.get(reverse("admin:sharing_auditlog_delete", args=[entry.pk])
                            ).status_code == 403
    detail = admin_client.get(reverse("admin:sharing_auditlog_change", args=[entry.pk]))
    assert detail.status_code == 200 and 'name="_save"' not in detail.content.decode()
    response = admin_client.post(reverse("admin:sharing_auditlog_change", args=[entry.pk]),
                                 {"viewer_email": "someone@else.example"})
    assert response.status_code == 403
    bulk = admin_client.post(changelist, {"action": "delete_selected",
                                          "_selected_action": [entry.pk]})
    assert bulk.status_code in (200, 302)
    entry.refresh_from_db()
    assert entry.viewer_email == "doctor@example.com"
    assert AuditLog.objects.count() == 1


def test_the_access_log_can_be_searched_and_filtered(admin_client, entry):
    url = reverse("admin:sharing_auditlog_changelist")
    assert list(admin_client.get(url, {"q": "patient@example.com"}).context["cl"].result_list) \
        == [entry]
    assert not admin_client.get(url, {"viewer_role__exact": "staff"}).context["cl"].result_list
    assert list(admin_client.get(url, {"viewer_role__exact": "doctor"}).context["cl"]
                .result_list) == [entry]


def test_opening_a_diagnosis_in_the_admin_is_logged(admin_client, staff, signal_diagnosis):
    page = admin_client.get(reverse("admin:diagnosis_diagnosis_change",
                                    args=[signal_diagnosis.pk]))
    assert page.status_code == 200
    row = AuditLog.objects.get()
    assert (row.viewer, row.what, row.viewer_role, row.diagnosis) == (
        staff, "admin", "staff", signal_diagnosis)


def test_failed_diagnoses_are_queued_again_from_the_admin(admin_client, patient,
                                                         django_capture_on_commit_callbacks):
    failed = make_diagnosis(patient, status="failed", attempts=3)
    done = make_diagnosis(patient)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = admin_client.post(reverse("admin:diagnosis_diagnosis_changelist"), {
            "action": "retry_failed", "_selected_action": [failed.pk, done.pk]})
    assert response.status_code == 302
    assert len(callbacks) == 1  # one task published (to the test Redis), for the failed row
    failed.refresh_from_db()
    done.refresh_from_db()
    assert (failed.status, failed.attempts, failed.error_message) == ("queued", 0, "")
    assert failed.enqueued_at is not None
    assert done.status == "done" and done.finished_at is not None


def test_diagnoses_can_be_filtered_by_review(admin_client, patient, doctor):
    reviewed, corrected, plain = (make_diagnosis(patient) for _ in range(3))
    Review.objects.create(diagnosis=reviewed, doctor=doctor, original_label="N",
                          reviewed_label="N", agrees=True)
    Review.objects.create(diagnosis=corrected, doctor=doctor, original_label="N",
                          reviewed_label="V", agrees=False)
    url = reverse("admin:diagnosis_diagnosis_changelist")

    def listed(state):
        response = admin_client.get(url, {"review": state})
        return {d.pk for d in response.context["cl"].result_list}

    assert listed("none") == {plain.pk}
    assert listed("agreed") == {reviewed.pk}
    assert listed("corrected") == {corrected.pk}


def test_shares_and_reviews_are_listed_for_staff(admin_client, patient, doctor,
                                                 signal_diagnosis):
    share_between(patient, doctor)
    Review.objects.create(diagnosis=signal_diagnosis, doctor=doctor, original_label="V",
                          reviewed_label="A", agrees=False, notes="atrial")
    shares = admin_client.get(reverse("admin:sharing_share_changelist"), {"q": "doctor@"})
    reviews = admin_client.get(reverse("admin:care_review_changelist"), {"agrees__exact": "0"})
    assert "patient@example.com" in shares.content.decode()
    assert f"Diagnosis {signal_diagnosis.pk}" in reviews.content.decode()
    assert admin_client.get(reverse("admin:sharing_share_add")).status_code == 403
    assert admin_client.get(reverse("admin:care_review_add")).status_code == 403


def test_the_diagnosis_admin_shows_reviews_without_being_replaced(admin_client, patient,
                                                                  doctor):
    from django.contrib import admin

    from diagnosis.admin import DiagnosisAdmin
    from diagnosis.models import Diagnosis

    d = make_diagnosis(patient, label="V")
    Review.objects.create(diagnosis=d, doctor=doctor, original_label="V", reviewed_label="A",
                          agrees=False, notes="looks atrial to me")

    page = admin_client.get(reverse("admin:diagnosis_diagnosis_change", args=[d.pk]))

    assert type(admin.site._registry[Diagnosis]) is DiagnosisAdmin
    assert page.status_code == 200 and "looks atrial to me" in page.content.decode()
