"""Staff and superusers enter the admin only with two-factor authentication (TOTP)."""
import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, admin_login, enable_totp, make_user, totp_now

pytestmark = pytest.mark.django_db

ADMIN = reverse("admin:index")
ADMIN_PAGES = [ADMIN, "/admin/diagnosis/diagnosis/", "/admin/accounts/user/",
               "/admin/sharing/auditlog/"]


@pytest.mark.parametrize("superuser", [True, False])
def test_staff_signed_in_with_a_password_only_cannot_open_any_admin_page(client, superuser):
    user = make_user("support@example.com", is_staff=True, is_superuser=superuser)
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})

    for url in ADMIN_PAGES:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login")), url

    response = client.get(reverse("admin:login"))
    assert response["Location"] == reverse("mfa_activate_totp")


def test_staff_with_totp_whose_session_did_not_use_it_confirm_a_code_first(client, staff):
    secret, _ = enable_totp(client, staff)  # signed in with the password only, then set up
    browser = Client()
    browser.force_login(staff)

    response = browser.get(ADMIN, follow=True)

    assert response.redirect_chain[-1][0] == (
        reverse("mfa_reauthenticate") + "?next=%2Fadmin%2F")
    assert browser.get("/admin/accounts/user/").status_code == 302
    response = browser.post(reverse("mfa_reauthenticate") + "?next=/admin/",
                            {"code": totp_now(secret)})
    assert response["Location"] == ADMIN
    assert browser.get(ADMIN).status_code == 200


def test_staff_who_signed_in_with_their_second_factor_enter(client, staff):
    secret, _ = enable_totp(client, staff)
    browser = Client()
    browser.post(reverse("account_login"), {"login": staff.email, "password": PASSWORD})
    browser.post(reverse("mfa_authenticate"), {"code": totp_now(secret)})

    for url in ADMIN_PAGES:
        assert browser.get(url).status_code == 200, url


def test_the_code_page_does_not_redirect_off_site(client, staff):
    admin_login(Client(), staff)  # gives the staff member an authenticator
    client.force_login(staff)

    response = client.get(reverse("admin:login") + "?next=https://evil.example/")

    assert response["Location"] == reverse("mfa_reauthenticate") + "?next=%2Fadmin%2F"
