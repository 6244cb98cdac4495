"""Wrong passwords slow down whoever types them, not the account's owner."""
import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, logged_in_user_id

pytestmark = pytest.mark.django_db

TOO_MANY = "Too many failed login attempts"


def sign_in(client, email, password, ip):
    return client.post(reverse("account_login"), {"login": email, "password": password},
                       REMOTE_ADDR=ip)


def test_a_stranger_guessing_a_password_does_not_lock_the_owner_out(patient):
    stranger, owner = Client(), Client()
    for _ in range(6):
        response = sign_in(stranger, patient.email, "guess", ip="203.0.113.7")
    assert TOO_MANY in response.content.decode()

    sign_in(owner, patient.email, PASSWORD, ip="198.51.100.20")

    assert logged_in_user_id(owner) == patient.pk


def test_the_guesser_stays_locked_out_even_with_the_right_password(patient):
    stranger = Client()
    for _ in range(5):
        sign_in(stranger, patient.email, "guess", ip="203.0.113.7")

    response = sign_in(stranger, patient.email, PASSWORD, ip="203.0.113.7")

    assert TOO_MANY in response.content.decode()
    assert logged_in_user_id(stranger) is None
