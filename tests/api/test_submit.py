"""Submitting through the API: a file (the upload form's door) or leads of samples as JSON
(the same Recording the worker keeps). Bad input gets a 4xx problem with the message the
upload page gives, and leaves nothing behind; an Idempotency-Key makes a retry safe."""
import io
import threading

import numpy as np
import pytest
from django.db import connection
from django.test import Client
from PIL import Image

from api.models import ApiToken, IdempotencyKey
from diagnosis.models import Diagnosis, DiagnosisFile
from ml.formats import Recording, read_recording
from tests.diagnosis.test_upload_refusals import png_header_only, zip_of
from tests.inputs import beat_png, excerpt_record, post_upload, stored_files, upload

from .client import ApiClient, api_client, assert_problem

pytestmark = pytest.mark.django_db
URL = "/api/v1/diagnoses/"


@pytest.fixture
def record(tmp_path, mitdb):
    header = excerpt_record(mitdb, "100", tmp_path / "rec", seconds=20)
    return header, header.read_bytes(), header.with_suffix(".dat").read_bytes()


def leads_body(header, seconds=None, **extra):
    """The record at ``header`` as the JSON body: every lead, its name, the rate."""
    rec = read_recording(header)
    n = len(rec.samples) if seconds is None else int(seconds * rec.fs)
    return {"sampling_rate": rec.fs, "leads": [
        {"name": name, "samples": [float(v) for v in rec.samples[:n, i]]}
        for i, name in enumerate(rec.lead_names)], **extra}


def test_a_beat_picture_is_queued_and_its_status_can_be_polled(patient_api, media_root):
    response = patient_api.post_files(URL, [upload("beat.png", beat_png())])

    assert response.status_code == 201, response.content
    body = response.json()
    d = Diagnosis.objects.get(pk=body["id"])
    assert d.kind == "image" and d.status == "queued" and d.original_name == "beat.png"
    assert response["Location"] == body["links"]["self"] == f"http://testserver{URL}{d.pk}/"
    assert body["status"] == "queued" and body["finished"] is False
    status = patient_api.get(body["links"]["status"]).json()
    assert status["id"] == d.pk and status["status"] == "queued"
    assert len(stored_files(media_root)) == 1


def test_a_wfdb_record_is_two_parts_of_one_submission(patient_api, record):
    _, hea, dat = record
    response = patient_api.post_files(URL, [upload("100x.hea", hea), upload("100x.dat", dat)])

    assert response.status_code == 201, response.content
    d = Diagnosis.objects.get(pk=response.json()["id"])
    assert d.kind == "signal" and d.input_format == "wfdb" and len(d.input_files) == 2


def test_a_csv_without_times_takes_the_sampling_rate(patient_api):
    values = "ecg\n" + "\n".join(f"{(i % 200) / 100:.3f}" for i in range(3000))
    response = patient_api.post_files(URL, [upload("e.csv", values.encode())],
                                      sampling_rate="250")
    assert response.status_code == 201, response.content
    assert Diagnosis.objects.get().input_fs == 250


def test_json_leads_are_kept_as_the_worker_keeps_decoded_leads(patient_api, record, media_root):
    header = record[0]
    body = leads_body(header, name="Holter 7")

    response = patient_api.post_json(URL, body)

    assert response.status_code == 201, response.content
    d = Diagnosis.objects.get(pk=response.json()["id"])
    assert (d.kind, d.input_format, d.original_name) == ("signal", "json", "Holter 7")
    assert d.input_files == []
    kept = d.files.get(role=DiagnosisFile.Role.LEADS)
    stored = Recording.from_npz(kept.file.read())
    source = read_recording(header)
    assert stored.lead_names == source.lead_names and stored.lead == "MLII"
    assert stored.fs == source.fs and stored.format == "json"
    np.testing.assert_allclose(stored.samples, source.samples, atol=1e-6)
    assert stored_files(media_root) == [kept.file.name]


def test_json_leads_in_microvolts_are_converted(patient_api, record):
    body = leads_body(record[0])
    for lead in body["leads"]:
        lead["samples"] = [v * 1000 for v in lead["samples"]]
    body["units"] = "uV"

    response = patient_api.post_json(URL, body)

    assert response.status_code == 201, response.content
    kept = Diagnosis.objects.get().files.get(role="leads")
    source = read_recording(record[0])
    np.testing.assert_allclose(Recording.from_npz(kept.file.read()).samples, source.samples,
                               atol=1e-4)


# --- Bad input: the upload page's refusals, through the API ---------------------------------

def _cmyk():
    buffer = io.BytesIO()
    Image.open(io.BytesIO(beat_png())).convert("CMYK").save(buffer, format="JPEG")
    return buffer.getvalue()


def _record_parts(tmp_path, mitdb):
    header = excerpt_record(mitdb, "100", tmp_path / "r", seconds=20)
    return header.read_bytes(), header.with_suffix(".dat").read_bytes()


# name -> function(tmp_path, mitdb folder) -> the files of one upload, and a phrase of the refusal
BAD_UPLOADS = {
    "empty file": (lambda t, m: [("beat.png", b"")], "is empty"),
    "not an accepted type": (lambda t, m: [("notes.png", b"Dear doctor, my ECG.\n" * 5)],
                             "is not a file type we accept"),
    "decompression bomb": (lambda t, m: [("bomb.png", png_header_only(8000, 8000))],
                           "too large an image to open safely"),
    "corrupt image": (lambda t, m: [("beat.png", beat_png()[:40] + bytes(200) + beat_png()[240:])],
                      "damaged"),
    "CMYK picture": (lambda t, m: [("beat.jpg", _cmyk())], "CMYK"),
    "tiny picture": (lambda t, m: [("dot.png", beat_png(size=(8, 8)))], "too small"),
    "header alone": (lambda t, m: [("100x.hea", _record_parts(t, m)[0])], "is a WFDB header"),
    "data file alone": (lambda t, m: [("100x.dat", _record_parts(t, m)[1])],
                        "together with its header"),
    "truncated data file": (lambda t, m: [("100x.hea", _record_parts(t, m)[0]),
                                       ("100x.dat", _record_parts(t, m)[1][:5000])],
                            "shorter than its header says"),
    "two pictures": (lambda t, m: [("a.png", beat_png()), ("b.png", beat_png())],
                     "must be one WFDB record"),
    "damaged zip": (lambda t, m: [("r.zip", zip_of([("a.hea", b"x" * 500)])[:-40])], "damaged"),
    "zip with a path": (lambda t, m: [("r.zip", zip_of([("../100x.hea", b"x"), ("b.dat", b"y")]))],
                        "unsafe path"),
    "csv with too few rows": (lambda t, m: [("e.csv", b"time,mv\n0,0.1\n0.004,0.2\n")],
                              "only 2 rows of numbers"),
}


def test_a_csv_without_times_or_rate_is_refused_by_the_api_and_kept_by_the_site(
        patient, patient_api, client, media_root):
    """A client program gives the rate with the file (sampling_rate); a person on the upload
    page is asked for it after the upload (diagnosis status needs_rate)."""
    data = ("ecg\n" + "\n".join(str(i % 7) for i in range(3000))).encode()

    response = patient_api.post_files(URL, [upload("e.csv", data)])

    assert_problem(response, 400, "no time column", code="upload_rejected")
    assert not Diagnosis.objects.exists() and stored_files(media_root) == []
    client.force_login(patient)
    site = post_upload(client, [upload("e.csv", data)])
    assert site.status_code == 201 and site.json()["status"] == "needs_rate"


@pytest.mark.parametrize("case", BAD_UPLOADS)
def test_the_upload_forms_bad_inputs_are_refused_with_the_same_message(
        case, patient, patient_api, client, media_root, tmp_path, mitdb):
    make_files, phrase = BAD_UPLOADS[case]
    files = make_files(tmp_path, mitdb)

    response = patient_api.post_files(URL, [upload(n, c) for n, c in files])

    body = assert_problem(response, 400, phrase, code="upload_rejected")
    client.force_login(patient)
    site = post_upload(client, [upload(n, c) for n, c in files])
    assert site.status_code == 400 and site.json()["error"] == body["detail"]
    assert not Diagnosis.objects.exists() and stored_files(media_root) == []


def test_a_file_over_the_size_limit_is_refused(patient_api, settings, media_root):
    settings.ECG_UPLOAD_MAX_BYTES = 1000
    response = patient_api.post_files(URL, [upload("beat.png", beat_png(size=(400, 300)))])
    assert_problem(response, 400, "the limit is 1000", code="upload_rejected")
    assert stored_files(media_root) == []


def test_a_request_far_over_the_limit_is_refused_before_it_is_read(patient_api, settings):
    settings.ECG_UPLOAD_MAX_BYTES = 10
    response = patient_api.post_files(URL, [upload("big.png", beat_png() * 20000)])
    assert_problem(response, 413, "the limit is 10", code="too_large")


def test_json_over_the_size_limit_is_refused_before_it_is_read(patient_api, settings, record):
    settings.ECG_UPLOAD_MAX_BYTES = 5000
    response = patient_api.post_json(URL, leads_body(record[0]))
    assert_problem(response, 413, "as a file instead", code="too_large")


def test_a_submission_without_files_is_refused_by_both_doors(patient, patient_api, client):
    body = assert_problem(patient_api.post_files(URL, []), 400, "Choose a file",
                          code="upload_rejected")
    client.force_login(patient)
    site = post_upload(client, [])
    assert site.status_code == 400 and site.json()["error"] == body["detail"]


FLAT = {"name": "II", "samples": [0.0] * 3600}


@pytest.mark.parametrize("body,status,phrase,code", [
    ({"leads": [FLAT]}, 400, "sampling_rate: This field is required", "invalid"),
    ({"sampling_rate": 360, "leads": []}, 400, "leads:", "invalid"),
    ({"sampling_rate": 360, "leads": "II"}, 400, "leads:", "invalid"),
    ({"sampling_rate": 360, "leads": [{"name": "II", "samples": "1,2,3"}]}, 400,
     "Expected a list of numbers", "invalid"),
    ({"sampling_rate": 360, "units": "mmHg", "leads": [FLAT]}, 400, "units:", "invalid"),
    ({"sampling_rate": 360, "leads": [FLAT]}, 400, "flat line", "upload_rejected"),
    ({"sampling_rate": 20, "leads": [FLAT]}, 400, "not plausible for an ECG", "upload_rejected"),
    ({"sampling_rate": 360, "leads": [{"name": "II", "samples": [0.1, -0.2] * 100}]}, 400,
     "too short", "upload_rejected"),
    ({"sampling_rate": 360, "leads": [{"name": "II", "samples": [0.1, None] * 2000}]}, 400,
     "must be a list of numbers", "upload_rejected"),
    ({"sampling_rate": 360, "leads": [{"name": "II", "samples": ["0.1"] * 3600}]}, 400,
     "must be a list of numbers", "upload_rejected"),
    ({"sampling_rate": 360, "leads": [FLAT, {"name": "V1", "samples": [0.0] * 10}]}, 400,
     "different numbers of samples", "upload_rejected"),
    ({"sampling_rate": 360, "leads": [FLAT, FLAT]}, 400, "same name", "upload_rejected"),
    ({"sampling_rate": 360, "leads": [FLAT] * 65}, 400, "leads:", "invalid"),
    ([1, 2, 3], 400, "Expected a dictionary", "invalid"),
])
def test_bad_json_leads_are_refused_with_a_message(patient_api, media_root, body, status, phrase,
                                                  code):
    assert_problem(patient_api.post_json(URL, body), status, phrase, code=code)
    assert not Diagnosis.objects.exists() and stored_files(media_root) == []


def test_a_body_that_is_not_json_is_a_problem_too(patient_api):
    response = patient_api.client.post(URL, "{not json", content_type="application/json",
                                       headers=patient_api.headers)
    assert_problem(response, 400, "JSON parse error", code="parse_error")
    response = patient_api.client.post(URL, "hello", content_type="text/plain",
                                       headers=patient_api.headers)
    assert_problem(response, 415, "text/plain", code="unsupported_media_type")


def test_the_json_reader_refuses_what_the_file_reader_refuses(patient_api, tmp_path):
    """A flat recording as CSV fails in the worker with the reader's message; as JSON the
    same check answers at once, in the same words."""
    from diagnosis.tasks import classify_diagnosis

    flat = "time,II\n" + "\n".join(f"{i / 250:.4f},0.0" for i in range(5000))
    response = patient_api.post_files(URL, [upload("flat.csv", flat.encode())])
    assert classify_diagnosis.apply(args=[response.json()["id"]]).get() == "rejected"
    from_file = Diagnosis.objects.get().error_message

    body = assert_problem(patient_api.post_json(URL, {"sampling_rate": 250, "leads": [
        {"name": "II", "samples": [0.0] * 5000}]}), 400)

    assert body["detail"] == from_file


# --- Idempotency ------------------------------------------------------------------------------

def test_a_retry_with_the_same_key_returns_the_first_diagnosis(patient_api):
    headers = {"Idempotency-Key": "a7c5f7e0-5bd1-4c53-9d67-3f0e4d2b1a10"}
    first = patient_api.post_files(URL, [upload("beat.png", beat_png())], headers=headers)
    again = patient_api.post_files(URL, [upload("beat.png", beat_png())], headers=headers)

    assert first.status_code == 201 and again.status_code == 200
    assert again["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert again.json()["id"] == first.json()["id"]
    assert Diagnosis.objects.count() == 1


def test_the_same_key_with_other_content_is_refused(patient_api, record):
    headers = {"Idempotency-Key": "k-1"}
    patient_api.post_json(URL, leads_body(record[0], seconds=10), headers=headers)
    response = patient_api.post_json(URL, leads_body(record[0], seconds=12), headers=headers)
    assert_problem(response, 422, "different submission", code="idempotency_key_reused")
    assert Diagnosis.objects.count() == 1


def test_without_a_key_other_files_are_new_diagnoses_and_the_same_file_is_one(patient_api):
    """Without a key, different files make different diagnoses; the same file sent again
    within the duplicate window finds the first one, as on the upload page (one
    implementation behind both doors: services.submit_upload)."""
    first = patient_api.post_files(URL, [upload("beat.png", beat_png())]).json()
    other = patient_api.post_files(URL, [upload("beat.png", beat_png(size=(200, 120)))]).json()
    again = patient_api.post_files(URL, [upload("beat.png", beat_png())]).json()
    assert Diagnosis.objects.count() == 2
    assert other["id"] != first["id"] and again["id"] == first["id"]


def test_keys_are_per_user_and_expire(patient, other_patient, settings):
    headers = {"Idempotency-Key": "same"}
    mine = api_client(patient).post_files(URL, [upload("b.png", beat_png())], headers=headers)
    theirs = api_client(other_patient).post_files(URL, [upload("b.png", beat_png())],
                                                  headers=headers)
    assert mine.status_code == theirs.status_code == 201

    # Other content under the same key is refused while the key lives, accepted once it expired.
    other_file = [upload("b.png", beat_png(size=(200, 120)))]
    assert api_client(patient).post_files(URL, other_file, headers=headers).status_code == 422
    IdempotencyKey.objects.update(created_at="2000-01-01T00:00Z")
    other_file = [upload("b.png", beat_png(size=(200, 120)))]
    later = api_client(patient).post_files(URL, other_file, headers=headers)
    assert later.status_code == 201 and later.json()["id"] != mine.json()["id"]


def test_a_refused_submission_does_not_use_up_its_key(patient_api):
    headers = {"Idempotency-Key": "retry-me"}
    refused = patient_api.post_files(URL, [upload("beat.png", b"")], headers=headers)
    assert refused.status_code == 400
    accepted = patient_api.post_files(URL, [upload("beat.png", beat_png())], headers=headers)
    assert accepted.status_code == 201


def test_a_deleted_diagnosis_takes_its_key_with_it(patient_api):
    headers = {"Idempotency-Key": "k"}
    first = patient_api.post_files(URL, [upload("b.png", beat_png())], headers=headers).json()
    patient_api.delete(first["links"]["self"])
    assert not IdempotencyKey.objects.exists()


@pytest.mark.parametrize("key", ["", "x" * 256, "caf\u00e9", "tab\there"])
def test_a_malformed_key_is_refused(patient_api, key):
    response = patient_api.post_files(URL, [upload("b.png", beat_png())],
                                      headers={"Idempotency-Key": key})
    assert_problem(response, 400, "Idempotency-Key", code="invalid_idempotency_key")
    assert not Diagnosis.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_retries_make_one_diagnosis(patient):
    _, secret = ApiToken.issue(patient, "device")
    png = beat_png()
    barrier = threading.Barrier(4)
    answers = []

    def submit():
        client = ApiClient(secret, Client())
        barrier.wait()
        answers.append(client.post_files(URL, [upload("b.png", png)],
                                         headers={"Idempotency-Key": "burst"}))
        connection.close()

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(r.status_code for r in answers) == [200, 200, 200, 201]
    assert len({r.json()["id"] for r in answers}) == 1
    assert Diagnosis.objects.count() == 1

