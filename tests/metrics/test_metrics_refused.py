"""A patient who opens the staff metrics page gets a 403 page; nothing is logged as an error
with a traceback into the terminal where people read their sign-up codes (issue 16, defect 8)."""
import logging

import pytest

pytestmark = pytest.mark.django_db


def test_a_patient_gets_a_403_page_and_no_traceback_is_logged(patient_client, caplog):
    with caplog.at_level(logging.DEBUG):
        response = patient_client.get("/metrics/")

    assert response.status_code == 403
    assert "403.html" in [t.name for t in response.templates]
    assert "You cannot open this page" in response.content.decode()
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.WARNING]
