"""Two-factor authentication with an authenticator app (TOTP) and recovery codes."""

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client
from django.urls import reverse

from tests.factories import enable_totp, logged_in_user_id, sign_in, totp_now

pytestmark = pytest.mark.django_db


def test_enabling_totp_makes_login_ask_for_a_code(client, patient):
    secret, recovery_codes = enable_totp(client, patient)

    assert Authenticator.objects.filter(user=patient, type="totp").exists()
    assert Authenticator.objects.filter(user=patient, type="recovery_codes").exists()
    assert len(recovery_codes) == 10

    browser = Client()
    response = sign_in(browser, patient)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert logged_in_user_id(browser) is None  # the password alone is not enough

    response = browser.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert "Incorrect code." in response.content.decode()
    assert logged_in_user_id(browser) is None

    response = browser.post(reverse("mfa_authenticate"), {"code": totp_now(secret)})
    assert response.status_code == 302
    assert logged_in_user_id(browser) == patient.pk


def test_a_recovery_code_works_once(client, patient):
    _, recovery_codes = enable_totp(client, patient)
    code = recovery_codes[0]

    first = Client()
    sign_in(first, patient)
    first.post(reverse("mfa_authenticate"), {"code": code})
    assert logged_in_user_id(first) == patient.pk

    second = Client()
    sign_in(second, patient)
    response = second.post(reverse("mfa_authenticate"), {"code": code})
    assert "Incorrect code." in response.content.decode()
    assert logged_in_user_id(second) is None

    # Another unused code still works.
    second.post(reverse("mfa_authenticate"), {"code": recovery_codes[1]})
    assert logged_in_user_id(second) == patient.pk


def test_the_same_totp_code_cannot_be_replayed(client, patient):
    secret, _ = enable_totp(client, patient)
    code = totp_now(secret)

    first = Client()
    sign_in(first, patient)
    first.post(reverse("mfa_authenticate"), {"code": code})
    assert logged_in_user_id(first) == patient.pk

    second = Client()
    sign_in(second, patient)
    second.post(reverse("mfa_authenticate"), {"code": code})
    assert logged_in_user_id(second) is None


def test_guessing_two_factor_codes_is_rate_limited(client, patient):
    secret, _ = enable_totp(client, patient)

    browser = Client()
    sign_in(browser, patient)
    for _ in range(5):
        browser.post(reverse("mfa_authenticate"), {"code": "000000"})
    response = browser.post(reverse("mfa_authenticate"), {"code": totp_now(secret)})

    assert "Too many failed login attempts" in response.content.decode()
    assert logged_in_user_id(browser) is None
