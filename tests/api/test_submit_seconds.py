"""The API's picture upload takes the same optional "seconds shown" as the upload page:
documented in the schema, checked with the same message, kept and returned, part of what a
retry with the same Idempotency-Key must repeat."""
import pytest

from diagnosis.models import Diagnosis
from ml.formats import PICTURE_MAX_SECONDS, PICTURE_MIN_SECONDS
from tests.inputs import beat_png, upload

from .client import assert_problem

pytestmark = pytest.mark.django_db
URL = "/api/v1/diagnoses/"


def test_the_schema_documents_the_optional_seconds_shown(client):
    schema = client.get("/api/v1/openapi.json").json()
    submit = schema["paths"][URL]["post"]["requestBody"]["content"]["multipart/form-data"]
    ref = submit["schema"]["$ref"].rsplit("/", 1)[-1]
    component = schema["components"]["schemas"][ref]
    field = component["properties"]["seconds_shown"]

    assert "seconds_shown" not in component.get("required", [])
    assert field["minimum"] == PICTURE_MIN_SECONDS and field["maximum"] == PICTURE_MAX_SECONDS
    assert "pictures only (ignored for recordings)" in field["description"]
    detail = schema["components"]["schemas"]["Diagnosis"]["properties"]["seconds_shown"]
    assert detail.get("nullable") or "null" in str(detail.get("type"))


def test_a_picture_sent_with_the_seconds_shown_keeps_and_returns_it(patient_api):
    response = patient_api.post_files(URL, [upload("beat.png", beat_png())], seconds_shown="0.9")

    assert response.status_code == 201, response.content
    d = Diagnosis.objects.get()
    assert d.seconds_shown == 0.9
    assert patient_api.get(f"{URL}{d.pk}/").json()["seconds_shown"] == 0.9


def test_a_picture_sent_without_it_returns_null(patient_api):
    pk = patient_api.post_files(URL, [upload("beat.png", beat_png())]).json()["id"]

    assert patient_api.get(f"{URL}{pk}/").json()["seconds_shown"] is None


def test_a_span_out_of_range_is_a_400_with_the_range(patient_api, media_root):
    response = patient_api.post_files(URL, [upload("beat.png", beat_png())], seconds_shown="12")

    body = assert_problem(response, 400)
    assert any(f"shows {PICTURE_MIN_SECONDS:g} to {PICTURE_MAX_SECONDS:g} seconds" in message
               for message in body["errors"]["seconds_shown"]), body
    assert not Diagnosis.objects.exists()


def test_a_retry_with_another_span_is_not_the_same_request(patient_api):
    headers = {"Idempotency-Key": "3f2b9e4c-seconds-shown"}
    png = beat_png()
    first = patient_api.post_files(URL, [upload("beat.png", png)], headers=headers,
                                   seconds_shown="0.9")
    other = patient_api.post_files(URL, [upload("beat.png", png)], headers=headers,
                                   seconds_shown="1.2")

    assert first.status_code == 201
    assert_problem(other, 422)
