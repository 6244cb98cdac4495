"""The API's permission matrix: every endpoint for every kind of caller, and the access-log
row each allowed read of somebody else's data leaves (as the pages do).

Decisions asserted here:
- patient data (a diagnosis, its status, beats, FHIR export) is given to the owner, to a
  verified doctor while the owner shares with them, and to staff (read-only support); other
  signed-in callers get 404, as on the pages; without credentials, or with a revoked or
  expired token, 401 (a bad token is refused even where no token is needed);
- deleting is the owner's alone: a caller who may read the diagnosis gets 403, anyone else
  404;
- the doctors' endpoints need a verified doctor (403 otherwise, saying why) and then a share
  from that patient (404);
- every allowed read by somebody other than the owner writes exactly one access-log row; the
  owner's reads write none.
"""
from datetime import timedelta

import pytest
from django.utils import timezone

from care.models import Review
from diagnosis.models import Diagnosis
from sharing.models import AuditLog
from tests.factories import make_diagnosis

from .client import api_client, assert_problem

pytestmark = pytest.mark.django_db

ACTORS = ["owner", "other_patient", "unverified_doctor", "doctor_without_share",
          "doctor_with_share", "doctor_after_revoke", "staff", "anonymous", "revoked_token",
          "expired_token"]
UNAUTHENTICATED = {"anonymous": 401, "revoked_token": 401, "expired_token": 401}

PATIENT_DATA = {"owner": 200, "other_patient": 404, "unverified_doctor": 404,
                "doctor_without_share": 404, "doctor_with_share": 200,
                "doctor_after_revoke": 404, "staff": 200, **UNAUTHENTICATED}
DELETE = {**PATIENT_DATA, "owner": 204, "doctor_with_share": 403, "staff": 403}
DOCTORS = {"owner": 403, "other_patient": 403, "unverified_doctor": 403,
           "doctor_without_share": 404, "doctor_with_share": 200, "doctor_after_revoke": 404,
           "staff": 403, **UNAUTHENTICATED}
PATIENT_LIST = {**DOCTORS, "doctor_without_share": 200, "doctor_after_revoke": 200}
SIGNED_IN = {**{a: 200 for a in ACTORS}, **UNAUTHENTICATED}
PUBLIC = {**{a: 200 for a in ACTORS}, "revoked_token": 401, "expired_token": 401}

# endpoint -> (method, path template, expected, access-log "what" of a read by another)
ENDPOINTS = {
    "detail": ("get", "/api/v1/diagnoses/{d}/", PATIENT_DATA, "result"),
    "status": ("get", "/api/v1/diagnoses/{d}/status/", PATIENT_DATA, "status"),
    "beats": ("get", "/api/v1/diagnoses/{d}/beats/", PATIENT_DATA, "signal"),
    "fhir": ("get", "/api/v1/diagnoses/{d}/fhir", PATIENT_DATA, "report"),
    "delete": ("delete", "/api/v1/diagnoses/{d}/", DELETE, None),
    "history": ("get", "/api/v1/diagnoses/", SIGNED_IN, None),
    "review_read": ("get", "/api/v1/diagnoses/{d}/review/", DOCTORS, "review"),
    "review_write": ("put", "/api/v1/diagnoses/{d}/review/", DOCTORS, "review"),
    "patients": ("get", "/api/v1/patients/", PATIENT_LIST, None),
    "patient_diagnoses": ("get", "/api/v1/patients/{p}/diagnoses/", DOCTORS, "history"),
    "classes": ("get", "/api/v1/classes/", PUBLIC, None),
    "model": ("get", "/api/v1/model/", PUBLIC, None),
}


@pytest.fixture
def people(patient, other_patient, unverified_doctor, stranger_doctor, shared_doctor,
           revoked_doctor, staff):
    return {"owner": patient, "other_patient": other_patient,
            "unverified_doctor": unverified_doctor, "doctor_without_share": stranger_doctor,
            "doctor_with_share": shared_doctor, "doctor_after_revoke": revoked_doctor,
            "staff": staff}


def client_for(actor, people):
    if actor == "anonymous":
        return api_client()
    if actor == "revoked_token":
        client = api_client(people["owner"])
        people["owner"].api_tokens.get().revoke()
        return client
    if actor == "expired_token":
        return api_client(people["owner"], expires_at=timezone.now() - timedelta(minutes=1))
    return api_client(people[actor])


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("actor", ACTORS)
def test_each_endpoint_answers_each_caller_as_the_access_rules_say(endpoint, actor, people):
    owner = people["owner"]
    d = make_diagnosis(owner, kind="signal", label="V")
    # The doctor the patient shares with has reviewed it (so there is a review to read).
    Review.objects.create(diagnosis=d, doctor=people["doctor_with_share"], original_label="V",
                          reviewed_label="V", agrees=True)
    method, template, expected, what = ENDPOINTS[endpoint]
    client = client_for(actor, people)
    path = template.format(d=d.pk, p=owner.pk)
    before = AuditLog.objects.count()

    if method == "put":
        response = client.put_json(path, {"verdict": "agree"})
    else:
        response = getattr(client, method)(path)

    assert response.status_code == expected[actor], (endpoint, actor, response.content)
    if response.status_code >= 400:
        assert_problem(response, expected[actor])
    if response.status_code == 401:
        assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    reader = people.get(actor)
    logged = AuditLog.objects.count() - before
    if what and response.status_code == 200 and reader != owner:
        entry = AuditLog.objects.latest("pk")
        assert logged == 1 and entry.what == what and entry.viewer == reader
        assert entry.patient == owner and "API" in entry.detail
    else:
        assert logged == 0
    if endpoint == "delete":
        assert Diagnosis.objects.filter(pk=d.pk).exists() == (response.status_code != 204)


def test_the_history_lists_only_the_callers_own_results(patient, other_patient, shared_doctor):
    mine = [make_diagnosis(patient) for _ in range(3)]
    make_diagnosis(other_patient)

    for user, expected in ((patient, mine), (other_patient, None), (shared_doctor, [])):
        rows = api_client(user).get("/api/v1/diagnoses/").json()["results"]
        if expected is None:
            assert len(rows) == 1 and rows[0]["id"] not in {d.pk for d in mine}
        else:
            assert sorted(r["id"] for r in rows) == sorted(d.pk for d in expected)


def test_a_doctor_lists_only_the_patients_who_share_with_them(patient, shared_doctor,
                                                              stranger_doctor, other_patient):
    make_diagnosis(patient)
    make_diagnosis(other_patient)

    patients = api_client(shared_doctor).get("/api/v1/patients/").json()
    assert [p["id"] for p in patients] == [patient.pk]
    assert patients[0]["result_count"] == 1
    assert api_client(stranger_doctor).get("/api/v1/patients/").json() == []


def test_a_revoked_share_ends_access_with_the_next_request(patient, shared_doctor):
    from sharing import invitations
    from sharing.models import Share

    d = make_diagnosis(patient)
    client = api_client(shared_doctor)
    assert client.get(f"/api/v1/diagnoses/{d.pk}/").status_code == 200

    invitations.revoke(patient, Share.objects.get(patient=patient, doctor=shared_doctor).pk)

    assert_problem(client.get(f"/api/v1/diagnoses/{d.pk}/"), 404)
    assert_problem(client.get(f"/api/v1/patients/{patient.pk}/diagnoses/"), 404)


def test_a_token_stops_working_as_soon_as_it_is_revoked(patient):
    client = api_client(patient)
    assert client.get("/api/v1/diagnoses/").status_code == 200

    patient.api_tokens.get().revoke()

    body = assert_problem(client.get("/api/v1/diagnoses/"), 401, "revoked")
    assert body["code"] == "authentication_failed"


def test_a_token_of_a_disabled_account_is_refused(patient):
    client = api_client(patient)
    patient.is_active = False
    patient.save()
    assert_problem(client.get("/api/v1/diagnoses/"), 401, "disabled")


def test_an_unknown_or_malformed_token_is_refused():
    assert_problem(api_client().get("/api/v1/diagnoses/", headers={
        "Authorization": "Bearer ecg_not-a-real-token"}), 401, "not valid")
    assert_problem(api_client().get("/api/v1/diagnoses/", headers={
        "Authorization": "Bearer two parts"}), 401, "no spaces")


def test_the_site_session_works_and_needs_the_csrf_token_to_change_anything(client, patient):
    from django.test import Client

    d = make_diagnosis(patient)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(patient)

    assert browser.get(f"/api/v1/diagnoses/{d.pk}/").status_code == 200
    assert_problem(browser.delete(f"/api/v1/diagnoses/{d.pk}/"), 403, "CSRF")
    browser.get("/accounts/profile/")  # sets the CSRF cookie, as any page does
    token = browser.cookies["csrftoken"].value
    assert browser.delete(f"/api/v1/diagnoses/{d.pk}/",
                          headers={"X-CSRFToken": token}).status_code == 204


def test_unknown_api_paths_and_methods_are_problems_too(patient_api):
    assert_problem(patient_api.get("/api/v1/nothing-here/"), 404, code="not_found")
    assert_problem(patient_api.get("/api/v2/diagnoses/"), 404)
    assert_problem(patient_api.put_json("/api/v1/classes/", {}), 405, code="method_not_allowed")


def test_staff_reads_are_logged_as_support_access(patient, staff):
    d = make_diagnosis(patient)
    api_client(staff).get(f"/api/v1/diagnoses/{d.pk}/")
    assert AuditLog.objects.get().viewer_role == AuditLog.Role.STAFF

