"""Fixtures for the API tests."""
import pytest

from .client import api_client


@pytest.fixture
def patient_api(patient):
    return api_client(patient)
