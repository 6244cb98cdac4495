"""Signing up with an address that has an account already looks like any sign-up: the same
answer, the same e-mail count, and the same work (one password hash), so the time it takes
does not tell either (scripts/signup_timing.py measures it with the production hasher)."""
import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import mail
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

PASSWORD = "a long enough password 9"


class CountingHasher(MD5PasswordHasher):
    """The test hasher, counting the passwords it hashes."""

    algorithm = "counting_md5"
    hashed = 0

    def encode(self, password, salt):
        CountingHasher.hashed += 1
        return super().encode(password, salt)


def sign_up(email):
    CountingHasher.hashed = 0
    response = Client().post(reverse("account_signup"),
                           {"email": email, "password1": PASSWORD, "password2": PASSWORD})
    return response, CountingHasher.hashed


def test_a_taken_address_costs_the_same_password_hash_as_a_new_one(patient, settings):
    settings.PASSWORD_HASHERS = ["tests.security.test_signup_enumeration.CountingHasher"]

    new, new_hashes = sign_up("newcomer@example.com")
    taken, taken_hashes = sign_up(patient.email)

    assert new_hashes == taken_hashes == 1
    assert (new.status_code, new["Location"]) == (taken.status_code, taken["Location"])
    assert [m.to for m in mail.outbox] == [["newcomer@example.com"], [patient.email]]
