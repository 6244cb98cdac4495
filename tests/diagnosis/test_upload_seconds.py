"""The optional "Seconds shown" of a picture upload: never required, checked with a clear
message, kept on the diagnosis, used by the worker's reading, and said on the result page."""
import io

import pytest
from PIL import Image

from diagnosis import inference
from diagnosis.forms import UploadForm
from diagnosis.models import Diagnosis
from diagnosis.tasks import classify_diagnosis
from ml.formats import PICTURE_MAX_SECONDS, PICTURE_MIN_SECONDS
from tests.inputs import beat_png, padded_beat_png, post_upload, stored_files, upload

pytestmark = pytest.mark.django_db

RANGE = (f"a picture of one heartbeat shows {PICTURE_MIN_SECONDS:g} to "
         f"{PICTURE_MAX_SECONDS:g} seconds")


def test_the_upload_page_offers_the_field_as_optional(patient_client):
    page = patient_client.get("/diagnosis/upload/").content.decode()

    assert "Seconds shown (optional)" in page
    assert 'name="seconds_shown"' in page and "Recordings carry their own time and ignore it" \
        in page


def test_a_picture_upload_without_it_is_read_as_before(patient_client):
    response = post_upload(patient_client, [upload("beat.png", beat_png())])

    assert response.status_code == 201
    assert Diagnosis.objects.get().seconds_shown is None


def test_a_picture_upload_keeps_the_seconds_shown(patient_client):
    response = post_upload(patient_client, [upload("beat.png", beat_png())], seconds_shown="0.8")

    assert response.status_code == 201
    assert Diagnosis.objects.get().seconds_shown == 0.8


@pytest.mark.parametrize("value", ["0.1", "0", "-2", "60"])
def test_a_span_that_cannot_hold_a_beat_is_refused_with_the_range(patient_client, media_root,
                                                                   value):
    response = post_upload(patient_client, [upload("beat.png", beat_png())], seconds_shown=value)

    assert response.status_code == 400
    assert RANGE in response.json()["error"]
    assert "Leave it empty if you do not know it" in response.json()["error"]
    assert not Diagnosis.objects.exists() and stored_files(media_root) == []


def test_a_span_that_is_not_a_number_is_refused_with_an_example():
    form = UploadForm(data={"seconds_shown": "about one"},
                      files={"files": upload("beat.png", beat_png())})

    assert not form.is_valid()
    assert form.errors["seconds_shown"] == [
        "Seconds shown must be a number of seconds, for example 0.8, or left empty."]


def test_a_recording_ignores_the_seconds_shown(patient_client):
    csv = "time,II\n" + "\n".join(f"{i / 250:.4f},{(i % 50) / 50:.3f}" for i in range(3000))

    response = post_upload(patient_client, [upload("ecg.csv", csv.encode())],
                           seconds_shown="0.8")

    assert response.status_code == 201
    assert Diagnosis.objects.get().seconds_shown is None


def test_the_same_picture_with_another_span_is_another_upload(patient_client):
    png = beat_png()
    first = post_upload(patient_client, [upload("beat.png", png)]).json()["id"]
    again = post_upload(patient_client, [upload("beat.png", png)]).json()["id"]
    spanned = post_upload(patient_client, [upload("beat.png", png)], seconds_shown="1").json()
    spanned_again = post_upload(patient_client, [upload("beat.png", png)],
                                seconds_shown="1").json()

    assert first == again  # a double click is still one diagnosis
    assert spanned["id"] != first and spanned_again["id"] == spanned["id"]


@pytest.mark.slow
def test_the_worker_reads_the_picture_at_the_span_given(mitdb, patient_client):
    png, seconds = padded_beat_png(mitdb, "209", "A", seconds=1.5)
    image = Image.open(io.BytesIO(png))
    predictor = inference.get_predictor()
    with_span = predictor.predict_images([image], seconds=seconds)[0]
    without = predictor.predict_images([image])[0]
    assert max(abs(with_span.probabilities[c] - without.probabilities[c])
               for c in with_span.probabilities) > 1e-3  # the span changes the reading

    pk = post_upload(patient_client, [upload("padded.png", png)],
                     seconds_shown=f"{seconds!r}").json()["id"]
    classify_diagnosis.apply(args=[pk])

    d = Diagnosis.objects.get(pk=pk)
    assert d.status == "done", d.error_message
    assert d.seconds_shown == pytest.approx(seconds)
    assert d.label == with_span.label
    assert d.probabilities == pytest.approx(with_span.probabilities, abs=1e-6)
    page = patient_client.get(d.get_absolute_url()).content.decode()
    assert f"{round(seconds, 3):g} s, given with the upload" in page


@pytest.mark.slow
def test_the_result_page_says_when_no_span_was_given(mitdb, patient_client):
    png, _ = padded_beat_png(mitdb, "209", "A", seconds=1.5)
    pk = post_upload(patient_client, [upload("padded.png", png)]).json()["id"]
    classify_diagnosis.apply(args=[pk])

    d = Diagnosis.objects.get(pk=pk)
    expected = inference.get_predictor().predict_images([Image.open(io.BytesIO(png))])[0]
    assert d.probabilities == pytest.approx(expected.probabilities, abs=1e-6)
    page = patient_client.get(d.get_absolute_url()).content.decode()
    assert "not given: the reader judged the time scale from the beat" in page
