"""Reading results through the API: the fields of the result page, per-beat results in pages,
the history with the site's filters, deleting, the doctors' endpoints and reviews, the classes
and the model card."""
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from articles.model_card import card_figures
from care.models import Review
from diagnosis import presenters as site_presenters
from diagnosis import urgency
from diagnosis.models import Diagnosis
from diagnosis.reliability import finding_reliability
from ml.card import load_card
from ml.registry import CLASS_CODES, CLASSES
from tests.factories import make_diagnosis
from tests.inputs import stored_files

from .client import api_client, assert_problem

pytestmark = pytest.mark.django_db
CARD_VERSION = load_card(settings.ECG_MODEL_DIR)["evaluations"]["inter"]["model_version"]
LEADS_VERSION = load_card(settings.ECG_LEADS_MODEL_DIR)["model_version"]  # recordings model


def test_a_finished_recording_has_the_fields_of_the_result_page(patient, patient_api):
    d = make_diagnosis(patient, kind="signal", label="V", model_version=LEADS_VERSION)

    body = patient_api.get(f"/api/v1/diagnoses/{d.pk}/").json()

    assert body["status"] == "done" and body["finished"] is True
    assert body["label"] == "V" and body["label_name"] == "Premature Ventricular Contraction"
    assert body["confidence"] == 0.9 and body["model_version"] == LEADS_VERSION
    assert [p["code"] for p in body["probabilities"]] == list(CLASS_CODES)
    assert {p["code"]: p["probability"] for p in body["probabilities"]} == d.probabilities
    advice = urgency.assess(d)
    assert body["advice"] == {"level": advice.level, "label": advice.label,
                              "headline": advice.headline, "steps": advice.steps}
    reliability = finding_reliability(d)
    assert reliability is not None
    assert body["reliability"]["precision"] == reliability.precision
    assert body["reliability"]["unreliable"] == reliability.unreliable
    assert [h["name"] for h in body["reliability"]["hidden"]] == [
        h.name for h in reliability.hidden]
    recording = body["recording"]
    assert recording["beat_count"] == 60 and recording["heart_rate_bpm"] == 60.0
    assert recording["counts"] == [{k: r[k] for k in ("code", "name", "count", "percent")}
                                   for r in site_presenters.count_rows(d)]
    assert recording["vf_episodes"] == [] and recording["duration_s"] == 60.0
    assert recording["leads"] is None  # this row has no kept leads (made without the worker)
    assert body["learn"]["url"].endswith("/learn/premature-ventricular-contractions/")
    assert body["links"]["web"] == f"http://testserver/diagnosis/{d.pk}/"


def test_the_status_is_the_sites_status_json_with_the_apis_links(patient, patient_client,
                                                                 patient_api):
    d = make_diagnosis(patient, status="queued")
    site = patient_client.get(f"/diagnosis/{d.pk}/status.json").json()
    api = patient_api.get(f"/api/v1/diagnoses/{d.pk}/status/").json()
    links = api.pop("links")
    assert api == {k: v for k, v in site.items() if k not in ("url", "status_url")}
    assert links["beats"] is None  # a picture
    assert api["finished"] is False


def test_a_failed_diagnosis_says_why_and_has_no_reliability(patient, patient_api):
    d = make_diagnosis(patient, status="failed")
    body = patient_api.get(f"/api/v1/diagnoses/{d.pk}/").json()
    assert body["error"] == "This image is blank." and body["label"] is None
    assert body["reliability"] is None and body["probabilities"] == []
    assert body["advice"]["level"] == "unclear"


def test_a_picture_has_no_recording_fields(patient, patient_api):
    d = make_diagnosis(patient, kind="image", label="N")
    body = patient_api.get(f"/api/v1/diagnoses/{d.pk}/").json()
    assert body["recording"] is None and body["links"]["beats"] is None


def test_beats_come_in_pages_in_time_order(patient, patient_api):
    d = make_diagnosis(patient, kind="signal", label="V")
    url = f"/api/v1/diagnoses/{d.pk}/beats/"

    first = patient_api.get(url, {"page_size": 25}).json()
    second = patient_api.get(first["next"]).json()
    third = patient_api.get(second["next"]).json()

    assert first["count"] == 60 and third["next"] is None
    beats = first["results"] + second["results"] + third["results"]
    assert [b["index"] for b in beats] == list(range(60))
    assert beats[30] == {"index": 30, "sample": int(30.5 * 360), "time_s": 30.5, "label": "V",
                         "confidence": 0.95}
    assert {b["label"] for i, b in enumerate(beats) if i != 30} == {"N"}
    assert len(patient_api.get(url).json()["results"]) == 60  # 500 a page by default
    assert_problem(patient_api.get(url, {"page": 9}), 404)


def test_beats_of_a_picture_or_an_unfinished_recording_are_problems(patient, patient_api):
    image = make_diagnosis(patient, kind="image")
    queued = make_diagnosis(patient, kind="signal", status="queued")
    failed = make_diagnosis(patient, kind="signal", status="failed")
    assert_problem(patient_api.get(f"/api/v1/diagnoses/{image.pk}/beats/"), 404, "picture")
    assert_problem(patient_api.get(f"/api/v1/diagnoses/{queued.pk}/beats/"), 409,
                   code="not_finished")
    assert_problem(patient_api.get(f"/api/v1/diagnoses/{failed.pk}/beats/"), 404,
                   "could not be analysed")


def test_deleting_removes_the_diagnosis_and_its_files(patient, patient_api, media_root,
                                                     django_capture_on_commit_callbacks):
    d = make_diagnosis(patient, kind="signal")
    assert stored_files(media_root)

    with django_capture_on_commit_callbacks(execute=True):
        response = patient_api.delete(f"/api/v1/diagnoses/{d.pk}/")

    assert response.status_code == 204
    assert not Diagnosis.objects.exists() and stored_files(media_root) == []
    assert_problem(patient_api.get(f"/api/v1/diagnoses/{d.pk}/"), 404)


def test_the_history_takes_the_sites_filters(patient, patient_api):
    now = timezone.now()
    old_v = make_diagnosis(patient, label="V", when=now - timedelta(days=10))
    new_v = make_diagnosis(patient, label="V", when=now)
    normal = make_diagnosis(patient, label="N", when=now)
    failed = make_diagnosis(patient, status="failed", when=now)

    def ids(**query):
        body = patient_api.get("/api/v1/diagnoses/", query).json()
        return [r["id"] for r in body["results"]]

    assert ids() == [failed.pk, normal.pk, new_v.pk, old_v.pk]
    assert ids(label="V") == [new_v.pk, old_v.pk]
    assert ids(status="failed") == [failed.pk]
    assert ids(date_from=(now - timedelta(days=1)).date().isoformat(), label="V") == [new_v.pk]
    assert ids(date_to=(now - timedelta(days=5)).date().isoformat()) == [old_v.pk]
    assert ids(page_size=2) == [failed.pk, normal.pk]


@pytest.mark.parametrize("query,field", [
    ({"label": "X"}, "label"), ({"status": "lost"}, "status"),
    ({"date_from": "yesterday"}, "date_from"),
    ({"date_from": "2025-02-01", "date_to": "2025-01-01"}, "__all__"),
])
def test_a_bad_history_filter_is_a_problem_naming_the_field(patient_api, query, field):
    body = assert_problem(patient_api.get("/api/v1/diagnoses/", query), 400, code="invalid")
    assert field in body["errors"]


def test_a_history_row_says_whether_a_doctor_reviewed_it(patient, shared_doctor, patient_api):
    d = make_diagnosis(patient, label="V")
    Review.objects.create(diagnosis=d, doctor=shared_doctor, original_label="V",
                          reviewed_label="N", agrees=False)
    row = patient_api.get("/api/v1/diagnoses/").json()["results"][0]
    assert row["reviewed"] == "corrected"
    review = patient_api.get(f"/api/v1/diagnoses/{d.pk}/").json()["reviews"][0]
    assert review["label"] == "N" and review["agrees"] is False
    assert review["doctor"] == shared_doctor.display_name


def test_a_doctor_filters_a_patients_results_as_in_the_workspace(patient, shared_doctor):
    normal = make_diagnosis(patient, label="N")
    pvc = make_diagnosis(patient, label="V")
    reviewed = make_diagnosis(patient, label="A")
    Review.objects.create(diagnosis=reviewed, doctor=shared_doctor, original_label="A",
                          reviewed_label="A", agrees=True)
    client = api_client(shared_doctor)
    url = f"/api/v1/patients/{patient.pk}/diagnoses/"

    def ids(**query):
        return sorted(r["id"] for r in client.get(url, query).json()["results"])

    assert ids() == sorted([normal.pk, pvc.pk, reviewed.pk])
    assert ids(abnormal="true") == sorted([pvc.pk, reviewed.pk])
    assert ids(abnormal="true", unreviewed="true") == [pvc.pk]
    body = assert_problem(client.get(url, {"date_to": "not a date"}), 400)
    assert "date_to" in body["errors"]


def test_a_doctor_reviews_through_the_api_with_the_review_forms_rules(patient, shared_doctor,
                                                                     patient_api):
    d = make_diagnosis(patient, label="V")
    client = api_client(shared_doctor)
    url = f"/api/v1/diagnoses/{d.pk}/review/"

    assert_problem(client.get(url), 404, "not reviewed")
    body = assert_problem(client.put_json(url, {"verdict": "correct"}), 400)
    assert body["errors"]["label"] == ["Choose the correct finding."]
    assert_problem(client.put_json(url, {"verdict": "correct", "label": "V"}), 400,
                   "model's own finding")
    assert_problem(client.put_json(url, ["agree"]), 400, "JSON object")

    saved = client.put_json(url, {"verdict": "correct", "label": "A", "notes": " Looks PAC. "})

    assert saved.status_code == 200, saved.content
    assert saved.json()["label"] == "A" and saved.json()["notes"] == "Looks PAC."
    review = Review.objects.get()
    assert (review.doctor, review.reviewed_label, review.original_label) == (
        shared_doctor, "A", "V")
    assert client.get(url).json()["label"] == "A"
    client.put_json(url, {"verdict": "agree"})
    assert Review.objects.get().agrees is True  # replaced, not a second review
    assert patient_api.get(f"/api/v1/diagnoses/{d.pk}/").json()["reviews"][0]["agrees"]


def test_an_unfinished_result_cannot_be_reviewed_yet(patient, shared_doctor):
    d = make_diagnosis(patient, status="running")
    response = api_client(shared_doctor).put_json(f"/api/v1/diagnoses/{d.pk}/review/",
                                                  {"verdict": "agree"})
    assert_problem(response, 409, code="not_finished")


def test_the_classes_come_from_the_registry(client):
    body = client.get("/api/v1/classes/").json()
    assert [c["code"] for c in body] == [c.code for c in CLASSES]
    vf = body[-1]
    assert vf["name"] == CLASSES[-1].name and vf["urgency"] == "emergency"
    assert vf["snomed_code"] == CLASSES[-1].snomed[0]
    assert vf["article"].endswith(f"/learn/{CLASSES[-1].article_slug}/")


def test_the_model_card_is_the_shipped_cards_figures(client):
    body = client.get("/api/v1/model/").json()
    figures = card_figures(settings.ECG_MODEL_DIR)
    assert body["status"] == "ok" and body["model_version"] == figures.model_version
    inter = body["splits"][0]
    assert inter["key"] == "inter" and inter["macro_f1"] == figures.splits[0].macro_f1
    assert [c["code"] for c in inter["per_class"]] == list(CLASS_CODES)
    assert inter["per_class"][0]["f1"] == figures.splits[0].per_class[0]["f1"]


def test_the_model_card_gives_each_modes_figures_from_the_model_that_reads_it(client):
    """Recordings are read by the recordings model, pictures by the image model: the API's
    card gives each mode's figures from that model's card (its version, its per-class rows)."""
    body = client.get("/api/v1/model/").json()
    modes = {m["mode"]: m for m in body["modes"]}

    leads = load_card(settings.ECG_LEADS_MODEL_DIR)
    image = load_card(settings.ECG_MODEL_DIR)
    assert set(modes) == {"several leads", "one lead", "picture"}
    for mode in ("several leads", "one lead"):
        expected = leads["evaluations"]["cv"]["modes"][mode]
        assert modes[mode]["model_version"] == leads["model_version"]
        assert modes[mode]["macro_f1"] == expected["macro_f1"]
        rows = {r["code"]: r for r in modes[mode]["per_class"]}
        assert {c: (r["precision"], r["beats"], r["patients"]) for c, r in rows.items()} == {
            c: (r["precision"], r["beats"], r["patients"])
            for c, r in expected["per_class"].items()}
    picture = image["evaluations"]["cv"]["modes"]["picture"]
    assert modes["picture"]["model_version"] == image["model_version"]
    assert modes["picture"]["macro_f1"] == picture["macro_f1"]
