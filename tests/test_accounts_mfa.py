"""Two-factor authentication with an authenticator app (TOTP) and recovery codes."""
import base64
import hashlib
import hmac
import re
import struct
import time

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD, logged_in_user_id

pytestmark = pytest.mark.django_db


def totp_now(secret_b32, at=None):
    """RFC 6238 code (SHA-1, 6 digits, 30 s), written out here rather than borrowed from
    allauth so the test checks allauth against the standard an authenticator app follows."""
    counter = int((at or time.time()) // 30)
    key = base64.b32decode(secret_b32, casefold=True)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def sign_in(client, user):
    return client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})


def enable_totp(client, user):
    """Signs in, turns on TOTP the way a person does, and returns (secret, recovery codes)."""
    sign_in(client, user)
    # Security settings ask for the password again, however recent the sign-in.
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    client.post(response["Location"], {"password": PASSWORD})
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = client.session["mfa.totp.secret"]
    assert secret in page.content.decode()  # shown for manual entry beside the QR code

    response = client.post(reverse("mfa_activate_totp"), {"code": totp_now(secret)})
    assert response.status_code == 302

    codes_page = client.get(reverse("mfa_view_recovery_codes")).content.decode()
    textarea = re.search(r"<textarea[^>]*>(.*?)</textarea>", codes_page, re.S).group(1)
    recovery_codes = textarea.split()
    return secret, recovery_codes


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
