"""The doctor's workspace: the patients who share with them and each patient's results
with the filters (abnormal only, not yet reviewed, date range)."""
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from care.models import Review
from care.workspace import needs_attention
from diagnosis.models import Diagnosis
from tests.factories import make_diagnosis, make_user, share_between

pytestmark = pytest.mark.django_db


def at(day, hour=12):
    return timezone.make_aware(datetime(2026, 3, day, hour))


@pytest.fixture
def results(patient):
    """One result of each kind that matters to the filters, on different days."""
    return {
        "normal": make_diagnosis(patient, label="N", when=at(1)),
        "normal_unsure": make_diagnosis(patient, label="N", when=at(2), low_confidence=True,
                                        confidence=0.41),
        "pvc": make_diagnosis(patient, kind="signal", label="V", when=at(3)),
        "failed": make_diagnosis(patient, status="failed", when=at(4)),
        "queued": make_diagnosis(patient, status="queued", when=at(5)),
        "lbbb": make_diagnosis(patient, label="L", when=at(6)),
    }


def listed(client, patient, **query):
    response = client.get(reverse("doctors:patient", args=[patient.pk]), query)
    assert response.status_code == 200
    return {d.pk for d in response.context["page"].object_list}


def test_the_list_shows_only_patients_who_share_with_this_doctor(client, patient, doctor,
                                                                 other_patient, results):
    share_between(patient, doctor)
    share_between(other_patient, make_user("elsewhere@example.com", role="doctor",
                                           verified_doctor=True))
    client.force_login(doctor)

    response = client.get(reverse("doctors:patients"))

    rows = list(response.context["patients"])
    assert [p.pk for p in rows] == [patient.pk]
    assert rows[0].result_count == len(results)
    # abnormal and not yet reviewed by this doctor: unsure normal, pvc, failed, lbbb
    assert rows[0].to_review == 4
    assert "Pat Ient" in response.content.decode()


def test_reviewing_lowers_the_to_review_count(client, patient, doctor, results):
    share_between(patient, doctor)
    Review.objects.create(diagnosis=results["pvc"], doctor=doctor, original_label="V",
                          reviewed_label="V", agrees=True)
    client.force_login(doctor)
    rows = list(client.get(reverse("doctors:patients")).context["patients"])
    assert rows[0].to_review == 3


def test_the_abnormal_filter(client, patient, doctor, results):
    share_between(patient, doctor)
    client.force_login(doctor)
    expected = {results[k].pk for k in ("normal_unsure", "pvc", "failed", "lbbb")}
    assert listed(client, patient, abnormal="on") == expected
    assert set(Diagnosis.objects.filter(needs_attention()).values_list("pk", flat=True)) \
        == expected


def test_the_not_yet_reviewed_filter_counts_only_this_doctors_reviews(client, patient,
                                                                       doctor, results):
    share_between(patient, doctor)
    colleague = make_user("colleague@example.com", role="doctor", verified_doctor=True)
    Review.objects.create(diagnosis=results["pvc"], doctor=doctor, original_label="V",
                          reviewed_label="V", agrees=True)
    Review.objects.create(diagnosis=results["lbbb"], doctor=colleague, original_label="L",
                          reviewed_label="R", agrees=False)
    client.force_login(doctor)

    shown = listed(client, patient, unreviewed="on")

    # finished results only; the colleague's review does not count as this doctor's
    assert shown == {results[k].pk for k in ("normal", "normal_unsure", "failed", "lbbb")}


def test_the_date_range_filter_and_combinations(client, patient, doctor, results):
    share_between(patient, doctor)
    client.force_login(doctor)
    assert listed(client, patient, date_from="2026-03-02", date_to="2026-03-04") == {
        results[k].pk for k in ("normal_unsure", "pvc", "failed")}
    assert listed(client, patient, abnormal="on", date_from="2026-03-04") == {
        results[k].pk for k in ("failed", "lbbb")}


def test_a_reversed_date_range_is_explained_and_lists_nothing(client, patient, doctor,
                                                             results):
    share_between(patient, doctor)
    client.force_login(doctor)
    response = client.get(reverse("doctors:patient", args=[patient.pk]),
                          {"date_from": "2026-03-05", "date_to": "2026-03-01"})
    assert "must not be after" in response.content.decode()
    # Not the unfiltered list, which would look filtered (issue 16, defect 6).
    assert len(response.context["page"].object_list) == 0


def test_the_patient_history_is_recorded_in_the_access_log(client, patient, doctor, results):
    from sharing.models import AuditLog

    share_between(patient, doctor)
    client.force_login(doctor)
    listed(client, patient, abnormal="on")
    row = AuditLog.objects.get()
    assert (row.viewer, row.patient, row.what, row.detail) == (doctor, patient, "history",
                                                                 "abnormal=on")


def test_an_unverified_doctor_is_told_why_the_workspace_is_closed(client, unverified_doctor):
    client.force_login(unverified_doctor)
    response = client.get(reverse("doctors:patients"))
    assert response.status_code == 403
    assert "awaiting verification" in response.content.decode()


def test_the_navigation_shows_patients_to_verified_doctors_only(client, doctor, patient):
    client.force_login(doctor)
    assert 'href="/doctors/patients/" aria-current="page"' in \
        client.get(reverse("doctors:patients")).content.decode()
    client.force_login(patient)
    assert 'href="/doctors/patients/"' not in client.get("/").content.decode()


def test_a_doctor_sees_when_a_result_was_uploaded_recently_first(client, patient, doctor):
    share_between(patient, doctor)
    old = make_diagnosis(patient, when=timezone.now() - timedelta(days=3))
    new = make_diagnosis(patient)
    client.force_login(doctor)
    response = client.get(reverse("doctors:patient", args=[patient.pk]))
    assert [d.pk for d in response.context["page"].object_list] == [new.pk, old.pk]
