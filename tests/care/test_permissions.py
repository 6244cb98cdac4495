"""The permission matrix: every view and file URL that shows a patient's data, for every
kind of visitor, with the access-log row each allowed view by somebody else must leave.

Decisions asserted here:
- patient data (result page, status JSON, plot data, uploaded files, PDF report) is shown
  to the owner, to a verified doctor while the owner shares with them, and to staff
  (read-only support access); everybody else gets 404, visitors who are not signed in are
  sent to the sign-in page;
- deleting stays the owner's alone (staff and doctors get 404);
- the history CSV only ever contains the signed-in person's own results;
- the doctor's pages (a patient's history, the review form) need a verified doctor
  (403 otherwise, with a page that says why) and then a share from that patient (404);
- every allowed view by somebody other than the owner writes exactly one access-log row;
  the owner's views write none.
"""
import pytest

from care.models import Review
from sharing.models import AuditLog
from tests.factories import make_user

pytestmark = pytest.mark.django_db

ACTORS = ["owner", "other_patient", "unverified_doctor", "doctor_without_share",
          "doctor_with_share", "doctor_after_revoke", "staff", "anonymous"]

# Expected status per (view group, actor). 302 = sent to the sign-in page.
PATIENT_DATA = {"owner": 200, "other_patient": 404, "unverified_doctor": 404,
                "doctor_without_share": 404, "doctor_with_share": 200,
                "doctor_after_revoke": 404, "staff": 200, "anonymous": 302}
OWNER_ONLY = {**{a: 404 for a in ACTORS}, "owner": 200, "anonymous": 302}
DOCTOR_PAGES = {"owner": 403, "other_patient": 403, "unverified_doctor": 403,
                "doctor_without_share": 404, "doctor_with_share": 200,
                "doctor_after_revoke": 404, "staff": 403, "anonymous": 302}

# view name -> (expected table, access-log "what" for an allowed view by somebody else)
VIEWS = {
    "result": (PATIENT_DATA, "result"),
    "status": (PATIENT_DATA, "status"),
    "signal": (PATIENT_DATA, "signal"),
    "header_file": (PATIENT_DATA, "file"),
    "data_file": (PATIENT_DATA, "file"),
    "report": (PATIENT_DATA, "report"),
    "delete": (OWNER_ONLY, None),
    "doctor_history": (DOCTOR_PAGES, "history"),
    "review_form": (DOCTOR_PAGES, "review"),
}


def url_of(view, d):
    base = f"/diagnosis/{d.pk}/"
    files = d.input_files
    return {
        "result": base,
        "status": base + "status.json",
        "signal": base + "signal.json?page=0&overview=1",
        "header_file": files[0].get_absolute_url(),
        "data_file": files[1].get_absolute_url(),
        "report": base + "report.pdf",
        "delete": base + "delete/",
        "doctor_history": f"/doctors/patients/{d.owner_id}/",
        "review_form": f"/doctors/results/{d.pk}/review/",
    }[view]


@pytest.fixture
def actor(request, patient, other_patient, unverified_doctor, stranger_doctor, shared_doctor,
          revoked_doctor, staff):
    return {"owner": patient, "other_patient": other_patient,
            "unverified_doctor": unverified_doctor, "doctor_without_share": stranger_doctor,
            "doctor_with_share": shared_doctor, "doctor_after_revoke": revoked_doctor,
            "staff": staff, "anonymous": None}[request.param]


@pytest.mark.parametrize("view", list(VIEWS))
@pytest.mark.parametrize("actor", ACTORS, indirect=True, ids=ACTORS)
def test_each_visitor_gets_what_the_matrix_says(client, actor, view, signal_diagnosis,
                                                request):
    name = request.node.callspec.params["actor"]
    expected_table, what = VIEWS[view]
    expected = expected_table[name]
    if actor is not None:
        client.force_login(actor)

    response = client.get(url_of(view, signal_diagnosis))

    assert response.status_code == expected, (name, view)
    if expected == 302:
        assert "/accounts/login/" in response["Location"]
    logged = AuditLog.objects.filter(patient=signal_diagnosis.owner)
    if expected == 200 and name != "owner" and what is not None:
        row = logged.get()
        assert (row.viewer, row.what) == (actor, what)
        assert row.viewer_role == ("staff" if name == "staff" else "doctor")
        if what != "history":
            assert row.diagnosis == signal_diagnosis
    else:
        assert not logged.exists()


@pytest.mark.parametrize("actor", ACTORS, indirect=True, ids=ACTORS)
def test_only_the_shared_doctor_can_post_a_review(client, actor, signal_diagnosis, request):
    name = request.node.callspec.params["actor"]
    if actor is not None:
        client.force_login(actor)

    response = client.post(f"/doctors/results/{signal_diagnosis.pk}/review/",
                           {"verdict": "agree", "notes": ""})

    assert response.status_code == {**DOCTOR_PAGES, "doctor_with_share": 302}[name]
    assert Review.objects.filter(diagnosis=signal_diagnosis).count() == (
        1 if name == "doctor_with_share" else 0)


@pytest.mark.parametrize("actor", ACTORS, indirect=True, ids=ACTORS)
def test_the_history_csv_holds_only_the_visitors_own_results(client, actor, signal_diagnosis,
                                                             request):
    name = request.node.callspec.params["actor"]
    if actor is not None:
        client.force_login(actor)

    response = client.get("/diagnosis/history/export.csv")

    if name == "anonymous":
        assert response.status_code == 302
        return
    assert response.status_code == 200
    ids = [line.split(",")[0] for line in response.content.decode().splitlines()[1:]]
    assert (str(signal_diagnosis.pk) in ids) == (name == "owner")


def test_an_image_result_follows_the_same_rule(client, image_diagnosis, shared_doctor,
                                               stranger_doctor):
    urls = [f"/diagnosis/{image_diagnosis.pk}/", image_diagnosis.input_files[0].get_absolute_url()]
    client.force_login(shared_doctor)
    assert [client.get(u).status_code for u in urls] == [200, 200]
    client.force_login(stranger_doctor)
    assert [client.get(u).status_code for u in urls] == [404, 404]


def test_a_doctor_who_loses_verification_loses_access(client, patient, shared_doctor,
                                                      signal_diagnosis):
    client.force_login(shared_doctor)
    assert client.get(signal_diagnosis.get_absolute_url()).status_code == 200

    shared_doctor.change_role("patient")
    shared_doctor.save()

    assert client.get(signal_diagnosis.get_absolute_url()).status_code == 404


def test_a_share_with_one_patient_shows_nothing_of_another(client, shared_doctor,
                                                           other_patient):
    from tests.factories import make_diagnosis

    theirs = make_diagnosis(other_patient, kind="image")
    client.force_login(shared_doctor)
    assert client.get(theirs.get_absolute_url()).status_code == 404
    assert client.get(f"/doctors/patients/{other_patient.pk}/").status_code == 404


def test_a_deactivated_staff_account_sees_nothing(client, signal_diagnosis):
    former = make_user("former-admin@example.com", is_staff=True)
    former.is_active = False
    former.save()
    from diagnosis.models import Diagnosis

    assert not Diagnosis.objects.visible_to(former).exists()
