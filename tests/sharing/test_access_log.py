"""The patient's page "Who viewed my data" and what each access-log row holds."""
import pytest
from django.test import Client
from django.urls import reverse

from sharing.models import AuditLog
from tests.factories import make_diagnosis

pytestmark = pytest.mark.django_db


def browser(user, **defaults):
    client = Client(**defaults)
    client.force_login(user)
    return client


def test_the_patient_sees_who_viewed_what_and_when(patient_client, patient, shared_doctor,
                                                   staff, signal_diagnosis):
    doctor = browser(shared_doctor, REMOTE_ADDR="203.0.113.9")
    doctor.get(signal_diagnosis.get_absolute_url())
    doctor.get(signal_diagnosis.input_files[0].get_absolute_url())
    browser(staff).get(f"/diagnosis/{signal_diagnosis.pk}/report.pdf")
    patient_client.get(signal_diagnosis.get_absolute_url())  # own views are not logged

    page = patient_client.get(reverse("sharing:access_log"))

    html = page.content.decode()
    assert page.status_code == 200
    assert [v["viewer_email"] for v in page.context["viewers"]] == [staff.email,
                                                                    shared_doctor.email]
    assert [v["views"] for v in page.context["viewers"]] == [1, 2]
    assert "Doctor you share with" in html and "Site administrator (support)" in html
    for what in ("Result page", "Uploaded file", "PDF report"):
        assert what in html
    assert AuditLog.objects.count() == 3
    first = AuditLog.objects.order_by("pk").first()
    assert (first.ip, first.detail) == ("203.0.113.9", "")
    assert AuditLog.objects.get(what="file").detail == "100.hea"


def test_another_patient_sees_nothing_of_it(client, other_patient, shared_doctor,
                                            signal_diagnosis):
    browser(shared_doctor).get(signal_diagnosis.get_absolute_url())
    client.force_login(other_patient)
    page = client.get(reverse("sharing:access_log"))
    assert not page.context["viewers"] and "doctor@example.com" not in page.content.decode()


def test_the_record_outlives_the_deleted_result(patient_client, patient, shared_doctor):
    d = make_diagnosis(patient)
    browser(shared_doctor).get(d.get_absolute_url())
    pk = d.pk
    patient_client.post(reverse("diagnosis:delete", args=[pk]))

    row = AuditLog.objects.get()
    assert row.diagnosis is None and row.diagnosis_ref == pk
    assert f"Result {pk} (deleted)" in patient_client.get(
        reverse("sharing:access_log")).content.decode()


def test_the_sharing_page_links_to_the_log_and_shows_the_count(patient_client, shared_doctor,
                                                               signal_diagnosis):
    browser(shared_doctor).get(signal_diagnosis.get_absolute_url())
    html = patient_client.get(reverse("sharing:index")).content.decode()
    assert reverse("sharing:access_log") in html and "Who viewed my data (1)" in html


def test_the_history_page_links_to_sharing(patient_client):
    assert reverse("sharing:index") in patient_client.get(
        reverse("diagnosis:history")).content.decode()
