"""Asking for a doctor account takes a licence number, a country and an institution, and the
administrator sees them beside the "verify" action."""
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from sharing.models import Share, hash_token
from tests.factories import DOCTOR_DETAILS, make_user

pytestmark = pytest.mark.django_db

PROFILE = "/accounts/profile/"


def profile(**changes):
    return {"first_name": "Ann", "last_name": "Smith", "date_of_birth": "", "role": "patient",
            **changes}


@pytest.mark.parametrize("missing", list(DOCTOR_DETAILS))
def test_a_doctor_request_without_each_detail_is_refused_and_changes_nothing(
        patient_client, patient, missing):
    data = profile(role="doctor", **{**DOCTOR_DETAILS, missing: "  "})

    response = patient_client.post(PROFILE, data)

    assert response.status_code == 200
    assert "Needed to verify a doctor account." in response.content.decode()
    patient.refresh_from_db()
    assert patient.role == "patient" and patient.doctor_requested_at is None
    assert patient.doctor_licence_number == ""


def test_a_doctor_request_keeps_the_details_for_the_administrator(patient_client, patient):
    patient_client.post(PROFILE, profile(role="doctor", **DOCTOR_DETAILS))

    patient.refresh_from_db()
    assert patient.is_awaiting_doctor_verification
    assert (patient.doctor_licence_number, patient.doctor_country,
            patient.doctor_institution) == tuple(DOCTOR_DETAILS.values())


def test_a_patient_needs_no_doctor_details_and_keeps_none(patient_client, patient):
    response = patient_client.post(PROFILE, profile(doctor_institution="Somewhere"))

    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.role == "patient" and patient.doctor_institution == ""


def test_leaving_the_doctor_role_forgets_the_details(client):
    doctor = make_user("d@example.com", role="doctor", verified_doctor=True,
                       **DOCTOR_DETAILS)
    client.force_login(doctor)

    client.post(PROFILE, profile())

    doctor.refresh_from_db()
    assert doctor.role == "patient"
    assert not any(getattr(doctor, name) for name in DOCTOR_DETAILS)


def test_a_verified_doctor_cannot_change_what_the_administrator_checked(client):
    doctor = make_user("d@example.com", role="doctor", verified_doctor=True,
                       **DOCTOR_DETAILS)
    client.force_login(doctor)

    response = client.post(PROFILE, profile(role="doctor", doctor_licence_number="FAKE 1",
                                            doctor_country="", doctor_institution=""))

    assert response.status_code == 302
    doctor.refresh_from_db()
    assert doctor.is_verified_doctor
    assert doctor.doctor_licence_number == DOCTOR_DETAILS["doctor_licence_number"]
    assert doctor.doctor_institution == DOCTOR_DETAILS["doctor_institution"]


def test_the_invitation_page_asks_for_the_same_details(client, patient):
    invited = make_user("new.doctor@example.com")
    token = "t0ken"
    Share.objects.create(patient=patient, email=invited.email, token_hash=hash_token(token),
                         expires_at=timezone.now() + timedelta(days=14))
    client.force_login(invited)

    page = client.get(reverse("sharing:invitation", args=[token]))
    assert page.status_code == 403 and 'name="doctor_licence_number"' in page.content.decode()

    refused = client.post(reverse("sharing:request_doctor", args=[token]),
                          {**DOCTOR_DETAILS, "doctor_country": ""})
    assert refused.status_code == 400
    assert "Needed to verify a doctor account." in refused.content.decode()
    invited.refresh_from_db()
    assert invited.role == "patient"

    client.post(reverse("sharing:request_doctor", args=[token]), DOCTOR_DETAILS)
    invited.refresh_from_db()
    assert invited.is_awaiting_doctor_verification
    assert invited.doctor_country == DOCTOR_DETAILS["doctor_country"]


def test_the_admin_lists_the_details_beside_the_verification_state(admin_client):
    make_user("asking@example.com", role="doctor", doctor_licence_number="MC-123",
              doctor_country="Ireland", doctor_institution="Mater Hospital")
    make_user("other@example.com", role="doctor", doctor_licence_number="NL-9",
              doctor_country="Netherlands", doctor_institution="AMC")

    changelist = reverse("admin:accounts_user_changelist")
    page = admin_client.get(changelist + "?doctor_state=awaiting").content.decode()
    assert "MC-123" in page and "Mater Hospital" in page and "Ireland" in page
    assert "awaiting verification" in page

    filtered = admin_client.get(changelist + "?doctor_country=Ireland").content.decode()
    assert "MC-123" in filtered and "NL-9" not in filtered
    assert "MC-123" in admin_client.get(changelist + "?q=MC-123").content.decode()


def test_the_admin_shows_the_details_read_only(admin_client):
    asking = make_user("asking@example.com", role="doctor", doctor_licence_number="MC-123",
                       doctor_country="Ireland", doctor_institution="Mater Hospital")
    url = reverse("admin:accounts_user_change", args=[asking.pk])

    page = admin_client.get(url).content.decode()

    assert "MC-123" in page and 'name="doctor_licence_number"' not in page
    assert get_user_model().objects.get(pk=asking.pk).doctor_licence_number == "MC-123"
