"""Fixtures for the care tests (the permission matrix's other visitors and inputs)."""
import pytest

from tests.factories import make_diagnosis


@pytest.fixture
def image_diagnosis(patient):
    return make_diagnosis(patient, kind="image", label="N")
