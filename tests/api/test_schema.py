"""The OpenAPI contract: generated from the code, served at a stable URL with a documentation
page from our own static files, and honoured by every response.

Schemathesis sends requests generated from the schema (valid and invalid ones) to a live test
server, signed in with a token of a verified doctor who also has results of their own and a
patient who shares with them, and checks each answer: no 5xx, a documented status code and
content type, a body and headers that match the schema.
"""
import json

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.contrib.staticfiles import finders
from django.template.defaultfilters import filesizeformat
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.models import ApiToken
from care.models import Review
from diagnosis.models import Diagnosis
from ml.formats import limits
from tests.factories import make_diagnosis, make_user, share_between

SCHEMA_URL = "/api/v1/openapi.json"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, response_headers_conformance]


def test_the_schema_is_openapi_3_with_every_endpoint_and_the_input_contract(client, db):
    response = client.get(SCHEMA_URL)

    assert response.status_code == 200 and response["Content-Type"].startswith(
        "application/vnd.oai.openapi+json")
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) == {
        "/api/v1/diagnoses/", "/api/v1/diagnoses/{id}/", "/api/v1/diagnoses/{id}/status/",
        "/api/v1/diagnoses/{id}/beats/", "/api/v1/diagnoses/{id}/fhir",
        "/api/v1/diagnoses/{id}/review/", "/api/v1/patients/",
        "/api/v1/patients/{patient_id}/diagnoses/", "/api/v1/classes/", "/api/v1/model/"}
    submit = schema["paths"]["/api/v1/diagnoses/"]["post"]["requestBody"]["content"]
    assert set(submit) == {"multipart/form-data", "application/json"}
    text = json.dumps(schema, ensure_ascii=False)
    for fact in (f"{limits.MIN_FS:g} to {limits.MAX_FS:g} Hz",
                 filesizeformat(django_settings.ECG_UPLOAD_MAX_BYTES),
                 f"{limits.MIN_SECONDS:g} s", "Idempotency-Key", "Retry-After", "RFC 9457"):
        assert fact in text, fact
    assert schema["components"]["securitySchemes"]["bearerToken"]["scheme"] == "bearer"


def test_the_documentation_page_uses_only_our_own_static_files(client, db):
    page = client.get("/api/v1/docs/").content.decode()

    assert "swagger-ui" in page
    assert "cdn" not in page.lower() and "unpkg" not in page.lower()
    assert "https://" not in page and "http://" not in page.replace("http://testserver", "")
    for asset in ("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css",
                  "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js"):
        assert f"/static/{asset}" in page and finders.find(asset), asset


def fuzz_people():
    """A verified doctor with results of their own and a patient who shares with them;
    returns the doctor and the ids of the diagnoses they may read."""
    doctor = make_user("doc-api@example.com", role="doctor", verified_doctor=True)
    patient = make_user("pat-api@example.com")
    share_between(patient, doctor)
    for kind in ("signal", "image"):
        make_diagnosis(doctor, kind=kind, label="V")
        shared = make_diagnosis(patient, kind=kind, label="N")
    Review.objects.create(diagnosis=shared, doctor=doctor, original_label="N",
                          reviewed_label="N", agrees=True)
    make_diagnosis(doctor, status="failed")
    make_diagnosis(doctor, status="queued", kind="signal")
    return doctor, patient, list(Diagnosis.objects.values_list("pk", flat=True))


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_every_answer_to_generated_requests_matches_the_schema(live_server, settings):
    # The fuzzer's hundreds of requests must not hit the rate limits (tested elsewhere).
    settings.ECG_API_RATE_LIMIT = settings.ECG_API_SUBMIT_RATE_LIMIT = "100000/m"
    settings.ECG_API_ANON_RATE_LIMIT = "100000/m"
    doctor, patient, ids = fuzz_people()
    _, secret = ApiToken.issue(doctor, "schemathesis")
    schema = schemathesis.openapi.from_url(live_server.url + SCHEMA_URL)
    headers = {"Authorization": f"Bearer {secret}"}
    failures, operations = {}, 0

    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @hypothesis_settings(max_examples=25, deadline=None, derandomize=True,
                             suppress_health_check=list(HealthCheck), database=None)
        def check(case):
            case.call_and_validate(base_url=live_server.url, headers=headers, checks=CHECKS)

        try:
            check()
        except Exception as exc:  # collected, so that every operation is tried
            failures[f"{operation.method.upper()} {operation.path}"] = str(exc)[:2000]

    assert operations == 13
    assert failures == {}

    # Random ids rarely exist: every operation once more with each real diagnosis (deleting
    # last), so that the answers with content are checked against the schema too.
    answered = set()
    for method, tail in [("GET", ""), ("GET", "status/"), ("GET", "beats/"), ("GET", "fhir"),
                         ("PUT", "review/"), ("GET", "review/"), ("DELETE", "")]:
        path = "/api/v1/diagnoses/{id}/" + tail
        operation = schema[path][method]
        for pk in ids:
            body = {"body": {"verdict": "agree"}, "media_type": "application/json"} \
                if method == "PUT" else {}
            case = operation.Case(path_parameters={"id": pk}, **body)
            answered.add(case.call_and_validate(base_url=live_server.url, headers=headers,
                                                checks=CHECKS).status_code)
    case = schema["/api/v1/patients/{patient_id}/diagnoses/"]["GET"].Case(
        path_parameters={"patient_id": patient.pk})
    case.call_and_validate(base_url=live_server.url, headers=headers, checks=CHECKS)
    assert {200, 204, 403, 404, 409} <= answered
