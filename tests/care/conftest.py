"""Fixtures for the care tests (the permission matrix's other visitors and inputs)."""
import pytest

from tests.factories import make_diagnosis, make_user, share_between


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
def image_diagnosis(patient):
    return make_diagnosis(patient, kind="image", label="N")
