"""Rate limits per token, with Retry-After; counted in the shared cache (real Redis). The tests
use hourly windows, so that a window ending during a test is all but impossible."""
import pytest

from tests.inputs import beat_png, upload

from .client import ApiClient, api_client, assert_problem

pytestmark = pytest.mark.django_db


def test_a_token_over_its_limit_gets_429_with_retry_after(patient, settings):
    settings.ECG_API_RATE_LIMIT = "3/h"
    client = api_client(patient)

    answers = [client.get("/api/v1/diagnoses/") for _ in range(4)]

    assert [r.status_code for r in answers] == [200, 200, 200, 429]
    body = assert_problem(answers[-1], 429, "Too many requests", code="throttled")
    wait = int(answers[-1]["Retry-After"])
    assert 1 <= wait <= 3600 and str(wait) in body["detail"]


def test_each_token_has_its_own_allowance(patient, settings):
    settings.ECG_API_RATE_LIMIT = "2/h"
    first, second = api_client(patient), api_client(patient)
    for _ in range(2):
        first.get("/api/v1/diagnoses/")
    assert first.get("/api/v1/diagnoses/").status_code == 429
    assert second.get("/api/v1/diagnoses/").status_code == 200


def test_submissions_have_a_tighter_limit_of_their_own(patient, settings):
    settings.ECG_API_SUBMIT_RATE_LIMIT = "1/h"
    client = api_client(patient)

    first = client.post_files("/api/v1/diagnoses/", [upload("b.png", beat_png())])
    second = client.post_files("/api/v1/diagnoses/", [upload("b.png", beat_png())])

    assert first.status_code == 201
    assert_problem(second, 429, code="throttled")
    assert "Retry-After" in second
    assert client.get("/api/v1/diagnoses/").status_code == 200  # reading goes on


def test_callers_without_credentials_are_limited_by_address(settings, db):
    settings.ECG_API_ANON_RATE_LIMIT = "2/h"
    here, there = ApiClient(), ApiClient()
    assert [here.get("/api/v1/classes/").status_code for _ in range(3)] == [200, 200, 429]
    assert there.get("/api/v1/classes/", REMOTE_ADDR="10.1.2.3").status_code == 200
