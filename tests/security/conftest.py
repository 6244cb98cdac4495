"""Fixtures for the security tests: the diagnosis tests' private media folder."""
from tests.diagnosis.conftest import media_root  # noqa: F401 - an autouse fixture
