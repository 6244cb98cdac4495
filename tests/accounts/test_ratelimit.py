"""Rate limits on sign-in, one-time codes and password reset, counted in the real Redis."""
import pytest
import redis
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, code_in, logged_in_user_id

pytestmark = pytest.mark.django_db

TOO_MANY = "Too many failed login attempts. Try again later."


def sign_in(client, email, password):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def rate_limit_keys():
    """allauth's counters as they sit in the test Redis database."""
    connection = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    return [key.decode() for key in connection.scan_iter("*allauth:rl*")]


def test_repeated_failed_logins_are_refused_with_a_clear_message(client, patient):
    for _ in range(5):
        response = sign_in(client, patient.email, "wrong password")
        assert "are not correct" in response.content.decode()

    response = sign_in(client, patient.email, PASSWORD)  # even the right password

    assert response.status_code == 200
    assert TOO_MANY in response.content.decode()
    assert logged_in_user_id(client) is None
    assert any(":login_failed:" in key for key in rate_limit_keys())


def test_failed_logins_for_one_address_do_not_lock_out_another(client, patient, other_patient):
    for _ in range(5):
        sign_in(client, patient.email, "wrong password")

    sign_in(client, other_patient.email, PASSWORD)

    assert logged_in_user_id(client) == other_patient.pk


def test_one_address_trying_many_accounts_is_limited_by_ip(client, make_users):
    emails = make_users(11)
    for email in emails[:10]:
        sign_in(client, email, "wrong password")

    response = sign_in(client, emails[10], PASSWORD)

    assert TOO_MANY in response.content.decode()
    assert logged_in_user_id(client) is None


def test_the_limit_is_shared_by_every_web_process(patient):
    """Two clients stand in for two server processes: the counter is in Redis, not in
    memory, so failures seen by one count for the other."""
    first, second = Client(), Client()
    for _ in range(3):
        sign_in(first, patient.email, "wrong password")
    for _ in range(2):
        sign_in(second, patient.email, "wrong password")

    response = sign_in(first, patient.email, PASSWORD)

    assert TOO_MANY in response.content.decode()


def test_password_reset_requests_are_rate_limited(client, patient):
    url = reverse("account_reset_password")
    for _ in range(5):
        response = client.post(url, {"email": patient.email})
        assert response.status_code == 302
    assert len(mail.outbox) == 5

    response = client.post(url, {"email": patient.email})

    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert len(mail.outbox) == 5


def test_password_reset_by_code_works_and_wrong_codes_use_it_up(client, patient):
    client.post(reverse("account_reset_password"), {"email": patient.email})
    code = code_in(mail.outbox[0])
    confirm_url = reverse("account_confirm_password_reset_code")
    wrong = "BBBB-BBBB" if code != "BBBB-BBBB" else "CCCC-CCCC"

    for _ in range(2):
        response = client.post(confirm_url, {"code": wrong})
        assert "Incorrect code." in response.content.decode()
    response = client.post(confirm_url, {"code": wrong}, follow=True)

    assert "Please request a new password reset code." in response.content.decode()
    response = client.post(confirm_url, {"code": code})
    assert response.status_code == 302  # sent back: the process is gone
    assert response["Location"] != reverse("account_complete_password_reset")


def test_password_reset_by_code_sets_a_new_password(client, patient):
    client.post(reverse("account_reset_password"), {"email": patient.email})
    response = client.post(
        reverse("account_confirm_password_reset_code"), {"code": code_in(mail.outbox[0])}
    )
    assert response["Location"] == reverse("account_complete_password_reset")

    new_password = "a brand new password 77"
    client.post(
        reverse("account_complete_password_reset"),
        {"password1": new_password, "password2": new_password},
    )

    patient.refresh_from_db()
    assert patient.check_password(new_password)


def test_login_codes_are_thrown_away_after_too_many_wrong_guesses(client, patient):
    client.post(reverse("account_request_login_code"), {"email": patient.email})
    code = code_in(mail.outbox[0])
    confirm_url = reverse("account_confirm_login_code")
    wrong = "BBBB-BBBB" if code != "BBBB-BBBB" else "CCCC-CCCC"

    client.post(confirm_url, {"code": wrong})
    client.post(confirm_url, {"code": wrong})
    response = client.post(confirm_url, {"code": wrong}, follow=True)

    assert "Please request a new code." in response.content.decode()
    client.post(confirm_url, {"code": code})
    assert logged_in_user_id(client) is None


def test_login_by_code_signs_in(client, patient):
    client.post(reverse("account_request_login_code"), {"email": patient.email})

    client.post(reverse("account_confirm_login_code"), {"code": code_in(mail.outbox[0])})

    assert logged_in_user_id(client) == patient.pk


@pytest.fixture
def make_users(db):
    from tests.factories import make_user

    def make(count):
        return [make_user(f"user{i}@example.com").email for i in range(count)]

    return make
