"""The account page's API tokens: created and shown once, listed with their last use, revoked;
only a hash is stored; a 2FA user gives a fresh code first."""
import hashlib
import re

import pytest
from django.test import Client
from django.urls import reverse

from api.models import ApiToken
from tests.factories import enable_totp, sign_in, totp_now

from .client import ApiClient, assert_problem

pytestmark = pytest.mark.django_db
PAGE = "/accounts/api-tokens/"


def created_secret(page):
    match = re.search(r'id="new-token">([^<]+)<', page.content.decode())
    assert match, "the new token is not on the page"
    return match.group(1)


def test_a_token_is_shown_once_and_works(patient_client, patient):
    response = patient_client.post(PAGE, {"name": "ECG patch", "expires": ""})
    assert response.status_code == 302 and response["Location"] == PAGE

    page = patient_client.get(PAGE)
    secret = created_secret(page)
    assert secret.startswith("ecg_") and len(secret) > 40
    assert secret not in patient_client.get(PAGE).content.decode()  # once only

    token = ApiToken.objects.get()
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert all(secret not in str(getattr(token, f.attname)) for f in token._meta.fields)
    assert ApiClient(secret).get("/api/v1/diagnoses/").status_code == 200


def test_the_list_shows_the_last_use(patient_client, patient):
    patient_client.post(PAGE, {"name": "clinic system", "expires": "90"})
    secret = created_secret(patient_client.get(PAGE))
    assert "never" in patient_client.get(PAGE).content.decode()

    ApiClient(secret).get("/api/v1/classes/")

    token = ApiToken.objects.get()
    assert token.last_used_at is not None
    assert (token.expires_at - token.created_at).days == 90
    page = patient_client.get(PAGE).content.decode()
    assert "clinic system" in page and token.hint in page
    assert token.last_used_at.strftime("%-d %b %Y") in page


def test_a_revoked_token_is_refused_at_once(patient_client, patient):
    patient_client.post(PAGE, {"name": "old phone"})
    secret = created_secret(patient_client.get(PAGE))
    token = ApiToken.objects.get()

    response = patient_client.post(f"{PAGE}{token.pk}/revoke/")

    assert response.status_code == 302
    assert_problem(ApiClient(secret).get("/api/v1/diagnoses/"), 401, "revoked")
    assert "revoked" in patient_client.get(PAGE).content.decode()


def test_nobody_else_can_revoke_or_see_a_token(patient_client, patient, other_patient):
    _, secret = ApiToken.issue(other_patient, "theirs")
    token = ApiToken.objects.get()
    assert patient_client.post(f"{PAGE}{token.pk}/revoke/").status_code == 404
    assert "theirs" not in patient_client.get(PAGE).content.decode()
    assert ApiClient(secret).get("/api/v1/diagnoses/").status_code == 200


def test_an_account_has_a_limited_number_of_active_tokens(patient_client, patient, settings):
    settings.ECG_API_MAX_TOKENS_PER_USER = 2
    for i in range(2):
        patient_client.post(PAGE, {"name": f"t{i}"})
    response = patient_client.post(PAGE, {"name": "one too many"})
    assert response.status_code == 400 and "Revoke one" in response.content.decode()
    ApiToken.objects.first().revoke()
    assert patient_client.post(PAGE, {"name": "now it fits"}).status_code == 302


def test_signing_in_is_needed(client):
    response = client.get(PAGE)
    assert response.status_code == 302 and response["Location"].startswith(
        reverse("account_login"))


def test_a_2fa_user_creates_a_token_after_a_fresh_2fa_check(client, patient):
    secret_b32, recovery_codes = enable_totp(client, patient)
    browser = Client()
    sign_in(browser, patient)
    browser.post(reverse("mfa_authenticate"), {"code": totp_now(secret_b32)})

    response = browser.post(PAGE, {"name": "Holter", "expires": "30"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_reauthenticate"))
    assert not ApiToken.objects.exists()  # put aside until the code is given

    # The sign-in just used this 30-s step's TOTP code (a code works once), so a recovery
    # code answers the check here; both are second factors.
    response = browser.post(response["Location"], {"code": recovery_codes[0]})

    assert response.status_code == 302 and response["Location"] == PAGE
    token = ApiToken.objects.get()
    assert token.name == "Holter" and token.user == patient
    assert ApiClient(created_secret(browser.get(PAGE))).get(
        "/api/v1/diagnoses/").status_code == 200


def test_a_fresh_password_is_not_a_fresh_2fa_check_and_a_wrong_code_makes_nothing(client,
                                                                                 patient):
    enable_totp(client, patient)  # this session has just re-entered its password
    response = client.post(PAGE, {"name": "Holter"})
    assert response["Location"].startswith(reverse("mfa_reauthenticate"))
    client.post(response["Location"], {"code": "000000"})
    assert not ApiToken.objects.exists()
