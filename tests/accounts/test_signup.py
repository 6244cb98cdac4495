"""Sign-up by form with mandatory e-mail confirmation by one-time code."""
import time

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, code_in, logged_in_user_id

pytestmark = pytest.mark.django_db

EMAIL = "newcomer@example.com"
CONFIRM_URL = reverse("account_email_verification_sent")


def sign_up(client, email=EMAIL, password=PASSWORD):
    return client.post(
        reverse("account_signup"),
        {"email": email, "password1": password, "password2": password},
    )


def sign_in(client, email=EMAIL, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


@pytest.fixture
def later(monkeypatch):
    """Moves allauth's rate-limit clock forward, as if the person waited a while."""
    from allauth.core.internal import ratelimit

    real_time = time.time

    def advance(seconds):
        monkeypatch.setattr(ratelimit.time, "time", lambda: real_time() + seconds)

    return advance


def test_signup_emails_a_code_that_confirms_the_address_and_then_login_works(client):
    response = sign_up(client)

    assert response.status_code == 302
    assert response["Location"] == CONFIRM_URL
    user = get_user_model().objects.get(email=EMAIL)
    assert user.role == "patient"
    assert not EmailAddress.objects.get(user=user, email=EMAIL).verified
    assert logged_in_user_id(client) is None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [EMAIL]
    code = code_in(mail.outbox[0])

    page = client.get(CONFIRM_URL)
    assert page.status_code == 200
    assert EMAIL in page.content.decode()

    response = client.post(CONFIRM_URL, {"code": code})

    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user, email=EMAIL).verified
    assert logged_in_user_id(client) == user.pk

    fresh_browser = Client()
    response = sign_in(fresh_browser)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert logged_in_user_id(fresh_browser) == user.pk


def test_login_before_confirming_sends_a_code_instead_of_signing_in(client, later):
    sign_up(client)
    later(11)  # the resend cooldown is 10 seconds per address

    fresh_browser = Client()
    response = sign_in(fresh_browser)

    assert response.status_code == 302
    assert response["Location"] == CONFIRM_URL
    assert logged_in_user_id(fresh_browser) is None
    assert len(mail.outbox) == 2
    response = fresh_browser.post(CONFIRM_URL, {"code": code_in(mail.outbox[1])})
    assert logged_in_user_id(fresh_browser) == get_user_model().objects.get(email=EMAIL).pk


def test_it_refuses_a_wrong_code(client):
    sign_up(client)
    right_code = code_in(mail.outbox[0])
    wrong_code = "BBBB-BBBB" if right_code != "BBBB-BBBB" else "CCCC-CCCC"

    response = client.post(CONFIRM_URL, {"code": wrong_code})

    assert response.status_code == 200
    assert "Incorrect code." in response.content.decode()
    assert not EmailAddress.objects.get(email=EMAIL).verified
    assert logged_in_user_id(client) is None


def test_after_too_many_wrong_codes_it_asks_for_a_new_code(client, later):
    sign_up(client)
    right_code = code_in(mail.outbox[0])
    wrong_code = "BBBB-BBBB" if right_code != "BBBB-BBBB" else "CCCC-CCCC"

    client.post(CONFIRM_URL, {"code": wrong_code})
    client.post(CONFIRM_URL, {"code": wrong_code})
    response = client.post(CONFIRM_URL, {"code": wrong_code}, follow=True)

    page = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("account_login")
    assert "entered wrongly too many times" in page
    assert "get a new code" in page
    # The old code is gone for good, even the right one.
    client.post(CONFIRM_URL, {"code": right_code})
    assert not EmailAddress.objects.get(email=EMAIL).verified
    assert logged_in_user_id(client) is None

    # Signing in again sends a new code, and that one works.
    later(11)
    sign_in(client)
    assert len(mail.outbox) == 2
    new_code = code_in(mail.outbox[1])
    client.post(CONFIRM_URL, {"code": new_code})
    assert EmailAddress.objects.get(email=EMAIL).verified
    assert logged_in_user_id(client) is not None


def test_request_new_code_sends_another_code_and_only_that_one_works(client, later):
    sign_up(client)
    first_code = code_in(mail.outbox[0])

    # Straight away the resend is refused: one code per address per 10 seconds.
    response = client.post(CONFIRM_URL, {"action": "resend"})
    assert response.status_code == 429
    assert "Please wait a minute" in response.content.decode()
    assert len(mail.outbox) == 1

    later(11)
    client.post(CONFIRM_URL, {"action": "resend"})
    assert len(mail.outbox) == 2
    second_code = code_in(mail.outbox[1])
    assert second_code != first_code

    response = client.post(CONFIRM_URL, {"code": first_code})
    assert response.status_code == 200
    assert not EmailAddress.objects.get(email=EMAIL).verified
    client.post(CONFIRM_URL, {"code": second_code})
    assert EmailAddress.objects.get(email=EMAIL).verified


def test_signup_refuses_an_address_that_already_has_an_account(client, patient):
    response = sign_up(client, email=patient.email)

    # allauth does not reveal whether an address is registered: it answers as for a new
    # sign-up and e-mails the owner instead of creating a second account.
    assert get_user_model().objects.filter(email__iexact=patient.email).count() == 1
    assert response.status_code == 302
    assert mail.outbox[0].to == [patient.email]


def test_the_code_email_names_the_site_and_its_address(client, settings):
    sign_up(client)

    message = mail.outbox[0]
    assert message.subject.startswith("[ECG Insight]")
    assert "ECG Insight" in message.body
    assert settings.SITE_DOMAIN in message.body
