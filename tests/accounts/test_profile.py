"""The profile page and deleting an account."""
import datetime
import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from tests.factories import DOCTOR_DETAILS, PASSWORD, enable_totp, logged_in_user_id

pytestmark = pytest.mark.django_db

PROFILE = reverse("accounts:profile")
DELETE = reverse("accounts:delete")


def profile_data(**changes):
    data = {"first_name": "Pat", "last_name": "Ient", "date_of_birth": "", "role": "patient"}
    data.update(changes)
    return data


def test_the_profile_needs_a_signed_in_user(client):
    response = client.get(PROFILE)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_profile_shows_the_current_values(patient_client, patient):
    page = patient_client.get(PROFILE).content.decode()

    assert 'value="Pat"' in page
    assert patient.email in page
    assert re.search(r'value="patient"[^>]*checked', page)
    assert not re.search(r'value="doctor"[^>]*checked', page)


def test_it_saves_name_and_date_of_birth(patient_client, patient):
    response = patient_client.post(
        PROFILE, profile_data(first_name="Patricia", date_of_birth="1980-02-29"), follow=True
    )

    assert "Your profile has been saved." in response.content.decode()
    patient.refresh_from_db()
    assert patient.first_name == "Patricia"
    assert patient.date_of_birth == datetime.date(1980, 2, 29)


def test_the_date_of_birth_is_optional(patient_client, patient):
    patient.date_of_birth = datetime.date(1970, 1, 1)
    patient.save()

    patient_client.post(PROFILE, profile_data(date_of_birth=""))

    patient.refresh_from_db()
    assert patient.date_of_birth is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (str(timezone.localdate() + datetime.timedelta(days=1)), "cannot be in the future"),
        ("1850-01-01", "check the year"),
        ("31/31/2000", "Enter a valid date"),
    ],
)
def test_it_refuses_an_impossible_date_of_birth(patient_client, patient, value, message):
    response = patient_client.post(PROFILE, profile_data(date_of_birth=value))

    assert response.status_code == 200
    assert message in response.content.decode()
    patient.refresh_from_db()
    assert patient.date_of_birth is None


def test_it_refuses_an_unknown_role(patient_client, patient):
    response = patient_client.post(PROFILE, profile_data(role="admin"))

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    patient.refresh_from_db()
    assert patient.role == "patient"


def test_requesting_the_doctor_role_says_an_administrator_will_verify(patient_client):
    response = patient_client.post(PROFILE, profile_data(role="doctor", **DOCTOR_DETAILS),
                                   follow=True)

    assert "An administrator will check that you are a doctor" in response.content.decode()


def test_deleting_needs_the_right_password(patient_client, patient):
    response = patient_client.post(DELETE, {"password": "not my password"})

    assert response.status_code == 200
    assert "That password is not correct." in response.content.decode()
    assert get_user_model().objects.filter(pk=patient.pk).exists()
    assert logged_in_user_id(patient_client) == patient.pk


def test_deleting_removes_the_user_and_everything_tied_to_it(client, patient):
    enable_totp(client, patient)  # 2FA devices and recovery codes
    SocialAccount.objects.create(user=patient, provider="google", uid="1234")
    assert Authenticator.objects.filter(user=patient).count() == 2

    response = client.post(DELETE, {"password": PASSWORD}, follow=True)

    assert "Your account and all its data have been deleted." in response.content.decode()
    assert not get_user_model().objects.filter(pk=patient.pk).exists()
    assert not EmailAddress.objects.filter(user_id=patient.pk).exists()
    assert not SocialAccount.objects.filter(user_id=patient.pk).exists()
    assert not Authenticator.objects.filter(user_id=patient.pk).exists()
    assert logged_in_user_id(client) is None


def test_an_account_without_a_password_confirms_by_typing_a_phrase(client, patient):
    patient.set_unusable_password()
    patient.save()
    client.force_login(patient)

    page = client.get(DELETE).content.decode()
    assert 'name="password"' not in page
    response = client.post(DELETE, {"phrase": "delete my acount"})
    assert "exactly" in response.content.decode()
    assert get_user_model().objects.filter(pk=patient.pk).exists()

    client.post(DELETE, {"phrase": "Delete my account"})
    assert not get_user_model().objects.filter(pk=patient.pk).exists()


def test_guessing_the_password_on_the_delete_page_is_rate_limited(patient_client, patient):
    for _ in range(10):
        patient_client.post(DELETE, {"password": "guess"})

    response = patient_client.post(DELETE, {"password": PASSWORD})

    assert "Too many attempts" in response.content.decode()
    assert get_user_model().objects.filter(pk=patient.pk).exists()


def test_deleting_the_account_deletes_its_uploads_results_and_files(
    patient_client, patient, other_patient, django_capture_on_commit_callbacks
):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from diagnosis.models import Diagnosis, DiagnosisFile

    def upload_for(user):
        diagnosis = Diagnosis.objects.create(owner=user, kind="image", input_format="png")
        name = default_storage.save(f"test-uploads/{user.pk}/beat.png", ContentFile(b"png"))
        DiagnosisFile.objects.create(diagnosis=diagnosis, file=name, content_type="image/png",
                                     size=3)
        return name

    mine, theirs = upload_for(patient), upload_for(other_patient)

    with django_capture_on_commit_callbacks(execute=True):
        patient_client.post(DELETE, {"password": PASSWORD})

    assert not Diagnosis.objects.filter(owner_id=patient.pk).exists()
    assert not default_storage.exists(mine)
    assert Diagnosis.objects.filter(owner=other_patient).count() == 1
    assert default_storage.exists(theirs)
