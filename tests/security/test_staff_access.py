"""Staff read patients' data only with an explicit permission, and every look is in the
patient's access log: the site's pages, the admin's lists and pages, the doctors' list."""
import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from sharing.models import AuditLog, Share
from tests.factories import admin_login, make_diagnosis, make_user

pytestmark = pytest.mark.django_db


def urls_of(diagnosis):
    file = diagnosis.files.filter(role="input").first()
    return [diagnosis.get_absolute_url(), reverse("diagnosis:status", args=[diagnosis.pk]),
            reverse("diagnosis:signal", args=[diagnosis.pk]),
            reverse("diagnosis:report", args=[diagnosis.pk]), file.get_absolute_url()]


@pytest.fixture
def support():
    return make_user("support@example.com", is_staff=True)


def grant_patient_data(user):
    user.user_permissions.add(Permission.objects.get(codename="view_patient_data",
                                                     content_type__app_label="diagnosis"))


def test_staff_without_the_permission_see_no_patient_data(client, support, patient):
    diagnosis = make_diagnosis(patient, kind="signal", label="V")
    client.force_login(support)

    for url in urls_of(diagnosis):
        assert client.get(url).status_code == 404, url
    assert not AuditLog.objects.exists()


def test_staff_with_the_permission_see_it_and_each_look_is_logged(client, support, patient):
    grant_patient_data(support)
    diagnosis = make_diagnosis(patient, kind="signal", label="V")
    client.force_login(support)

    for url in urls_of(diagnosis):
        assert client.get(url).status_code == 200, url
    logged = AuditLog.objects.filter(patient=patient, viewer=support)
    assert sorted(logged.values_list("what", flat=True)) == sorted(
        ["result", "status", "signal", "report", "file"])
    assert set(logged.values_list("viewer_role", flat=True)) == {"staff"}


def test_the_admin_lists_and_pages_of_patient_data_are_logged(client, staff, patient,
                                                             other_patient, doctor):
    first, second = make_diagnosis(patient), make_diagnosis(other_patient)
    Share.objects.create(patient=patient, doctor=doctor, email=doctor.email, status="active",
                         token_hash="s" * 64, expires_at="2100-01-01T00:00Z")
    admin_login(client, staff)

    assert client.get("/admin/diagnosis/diagnosis/").status_code == 200
    assert set(AuditLog.objects.filter(what="admin").values_list("patient_id", flat=True)) \
        == {patient.pk, other_patient.pk}
    AuditLog.objects.all().delete()

    for url, patients in [
        (f"/admin/diagnosis/diagnosis/{second.pk}/change/", {other_patient.pk}),
        ("/admin/accounts/user/", {patient.pk, other_patient.pk, doctor.pk}),
        (f"/admin/accounts/user/{patient.pk}/change/", {patient.pk}),
        ("/admin/sharing/share/", {patient.pk}),
    ]:
        assert client.get(url).status_code == 200, url
        logged = set(AuditLog.objects.values_list("patient_id", flat=True))
        assert logged == patients, url
        assert not AuditLog.objects.filter(patient=staff).exists()  # not their own data
        AuditLog.objects.all().delete()
    assert first.pk != second.pk


def test_the_doctors_list_of_patients_is_logged_for_each_patient(patient, other_patient,
                                                                doctor):
    for person in (patient, other_patient):
        Share.objects.create(patient=person, doctor=doctor, email=doctor.email,
                             status="active", token_hash=f"{person.pk:064d}",
                             expires_at="2100-01-01T00:00Z")
    browser = Client()
    browser.force_login(doctor)

    assert browser.get(reverse("doctors:patients")).status_code == 200

    rows = AuditLog.objects.filter(viewer=doctor, what="patients")
    assert set(rows.values_list("patient_id", flat=True)) == {patient.pk, other_patient.pk}
    assert set(rows.values_list("viewer_role", flat=True)) == {"doctor"}
