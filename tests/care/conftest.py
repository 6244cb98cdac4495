"""Fixtures for the sharing, review, access-log and metrics tests.

Diagnoses with their stored files come from the diagnosis tests' own factory
(``make_diagnosis``), in a private media folder per test (``media_root``).
"""
from datetime import timedelta

import pytest
from django.utils import timezone

from sharing.models import Share, hash_token, new_token
from tests.conftest import make_user
from tests.diagnosis.conftest import make_diagnosis, media_root  # noqa: F401 (fixture)


def share_between(patient, doctor, *, status=Share.Status.ACTIVE, **fields):
    """A share as it is after the invitation flow (the flow itself is tested elsewhere)."""
    now = timezone.now()
    values = dict(patient=patient, email=doctor.email.lower(), doctor=doctor, status=status,
                  token_hash=hash_token(new_token()), expires_at=now + timedelta(days=14),
                  accepted_at=now if status == Share.Status.ACTIVE else None)
    values.update(fields)
    return Share.objects.create(**values)


@pytest.fixture
def shared_doctor(patient, doctor):
    """The verified doctor the patient shares with."""
    share_between(patient, doctor)
    return doctor


@pytest.fixture
def revoked_doctor(db, patient):
    """A verified doctor whose share the patient revoked (through the same code the sharing
    page uses)."""
    from sharing import invitations

    former = make_user("former@example.com", role="doctor", verified_doctor=True)
    share = share_between(patient, former)
    invitations.revoke(patient, share.pk)
    return former


@pytest.fixture
def stranger_doctor(db):
    """A verified doctor nobody shares with."""
    return make_user("stranger@example.com", role="doctor", verified_doctor=True)


@pytest.fixture
def signal_diagnosis(patient):
    return make_diagnosis(patient, kind="signal", label="V")


@pytest.fixture
def image_diagnosis(patient):
    return make_diagnosis(patient, kind="image", label="N")


def login(client, user):
    client.force_login(user)
    return client


__all__ = ["make_diagnosis", "make_user", "share_between", "login"]
