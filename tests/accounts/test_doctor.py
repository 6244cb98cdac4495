"""The gate in front of doctor features: only administrator-verified doctors pass."""
import pytest
from django.http import HttpResponse
from django.urls import path, reverse

from accounts.decorators import verified_doctor_required
from ecgsite.urls import urlpatterns as site_urlpatterns
from tests.factories import DOCTOR_DETAILS, admin_login


@verified_doctor_required
def doctor_feature(request):
    return HttpResponse("the doctor feature itself")


# The site's own URLs plus one doctor-only view guarded by the real decorator.
urlpatterns = [path("test-doctor-feature/", doctor_feature, name="doctor_feature")]
urlpatterns += site_urlpatterns

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


def test_an_unverified_doctor_cannot_use_doctor_features(client, unverified_doctor):
    client.force_login(unverified_doctor)

    response = client.get(reverse("doctor_feature"))

    assert response.status_code == 403
    page = response.content.decode()
    assert "the doctor feature itself" not in page
    assert "awaiting verification" in page


def test_a_patient_cannot_use_doctor_features(client, patient):
    client.force_login(patient)

    response = client.get(reverse("doctor_feature"))

    assert response.status_code == 403
    assert "the doctor feature itself" not in response.content.decode()
    assert "patient account" in response.content.decode()


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(reverse("doctor_feature"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_verified_doctor_can_use_doctor_features(client, doctor):
    client.force_login(doctor)

    response = client.get(reverse("doctor_feature"))

    assert response.status_code == 200
    assert response.content == b"the doctor feature itself"


def test_a_deactivated_doctor_cannot_use_doctor_features(client, doctor):
    client.force_login(doctor)
    doctor.is_active = False
    doctor.save()

    response = client.get(reverse("doctor_feature"))

    assert response.status_code != 200


def test_choosing_doctor_on_the_profile_is_only_a_request(client, patient):
    client.force_login(patient)

    client.post(reverse("accounts:profile"), {
        "first_name": "Pat", "last_name": "Ient", "date_of_birth": "", "role": "doctor",
        **DOCTOR_DETAILS,
    })

    patient.refresh_from_db()
    assert patient.role == "doctor"
    assert patient.doctor_requested_at is not None
    assert patient.doctor_verified_at is None
    assert client.get(reverse("doctor_feature")).status_code == 403


def test_an_administrator_verifying_the_doctor_opens_the_features(client, staff,
                                                                  unverified_doctor):
    admin = admin_login(client, staff)
    response = admin.post(reverse("admin:accounts_user_changelist"), {
        "action": "verify_doctors", "_selected_action": [unverified_doctor.pk],
    })
    assert response.status_code == 302

    unverified_doctor.refresh_from_db()
    assert unverified_doctor.is_verified_doctor
    admin.force_login(unverified_doctor)
    assert admin.get(reverse("doctor_feature")).status_code == 200


def test_leaving_the_doctor_role_drops_the_verification(client, doctor):
    client.force_login(doctor)

    client.post(reverse("accounts:profile"), {"first_name": "", "last_name": "",
                                              "date_of_birth": "", "role": "patient"})
    doctor.refresh_from_db()
    assert doctor.role == "patient" and doctor.doctor_verified_at is None

    client.post(reverse("accounts:profile"), {"first_name": "", "last_name": "",
                                              "date_of_birth": "", "role": "doctor",
                                              **DOCTOR_DETAILS})
    doctor.refresh_from_db()
    assert doctor.role == "doctor" and not doctor.is_verified_doctor


@pytest.mark.parametrize(
    ("who", "expected"),
    [("patient", "patient account"), ("unverified_doctor", "Awaiting verification"),
     ("doctor", "verified as a doctor")],
)
def test_the_doctor_status_page_shows_the_verification_state(client, request, who, expected):
    client.force_login(request.getfixturevalue(who))

    response = client.get(reverse("accounts:doctor_status"))

    assert response.status_code == 200
    assert expected in response.content.decode()
