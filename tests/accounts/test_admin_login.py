"""The Django admin has no login of its own: it goes through allauth."""
import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, enable_totp, logged_in_user_id, totp_now

pytestmark = pytest.mark.django_db

ADMIN = reverse("admin:index")
ADMIN_LOGIN = reverse("admin:login")


def test_the_admin_login_redirects_to_the_allauth_login(client):
    response = client.get(ADMIN, follow=True)

    assert response.redirect_chain[-1][0].startswith(reverse("account_login"))
    assert "next=" in response.redirect_chain[-1][0]
    page = response.content.decode()
    assert 'name="login"' in page  # allauth's form, not Django's admin form
    assert 'name="username"' not in page


def test_posting_credentials_to_the_admin_login_does_not_sign_in(client, staff):
    response = client.post(ADMIN_LOGIN, {"username": staff.email, "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert logged_in_user_id(client) is None


def test_staff_without_two_factor_authentication_are_sent_to_set_it_up(client, staff):
    response = client.post(
        reverse("account_login"), {"login": staff.email, "password": PASSWORD, "next": ADMIN}
    )

    assert response["Location"] == ADMIN
    response = client.get(ADMIN, follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("account_reauthenticate"))
    assert "requires two-factor authentication" in response.content.decode()


def test_a_signed_in_non_staff_user_is_refused(client, patient):
    client.force_login(patient)

    assert client.get(ADMIN_LOGIN).status_code == 403


def test_admin_sign_in_is_rate_limited(client, staff):
    for _ in range(5):
        client.post(reverse("account_login"), {"login": staff.email, "password": "guess"})

    response = client.post(
        reverse("account_login"), {"login": staff.email, "password": PASSWORD, "next": ADMIN}
    )

    assert "Too many failed login attempts" in response.content.decode()
    assert client.get(ADMIN).status_code == 302


def test_admin_sign_in_asks_for_the_second_factor(client, staff):
    secret, _ = enable_totp(client, staff)

    browser = Client()
    response = browser.post(
        reverse("account_login"), {"login": staff.email, "password": PASSWORD, "next": ADMIN}
    )
    assert response["Location"] == reverse("mfa_authenticate")
    assert browser.get(ADMIN).status_code == 302

    response = browser.post(reverse("mfa_authenticate"), {"code": totp_now(secret)})
    assert response["Location"] == ADMIN
    assert browser.get(ADMIN).status_code == 200
