"""A CSV file that does not say its sampling rate (no time column, no rate in its heading
lines) is kept, not refused: its owner is asked for the rate (Diagnosis status
``needs_rate``, POST /diagnosis/<pk>/rate/), then it is queued like any upload. A bad rate
gets a message and loses nothing."""
from datetime import timedelta

import pytest
from django.urls import reverse

from diagnosis import services
from diagnosis.models import Diagnosis
from diagnosis.tasks import classify_diagnosis
from tests.inputs import post_upload, record_lead_mv, stored_files, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def signal_only_csv(mitdb):
    """20 s of record 100's MLII at 360 Hz, one value per row, no time column."""
    x = record_lead_mv(mitdb, "100", 20)
    return ("MLII\n" + "\n".join(f"{v:.3f}" for v in x) + "\n").encode()


@pytest.fixture
def kept(patient_client, signal_only_csv, media_root):
    response = post_upload(patient_client, [upload("monitor.csv", signal_only_csv)])
    assert response.status_code == 201, response.content
    return Diagnosis.objects.get(pk=response.json()["id"])


def rate_url(diagnosis):
    return reverse("diagnosis:rate", args=[diagnosis.pk])


def post_rate(client, diagnosis, value, accept_json=True):
    headers = {"Accept": "application/json"} if accept_json else {}
    return client.post(rate_url(diagnosis), {"sampling_rate": value}, headers=headers)


def test_the_upload_page_asks_for_no_rate_before_a_file_is_chosen(patient_client):
    page = patient_client.get(reverse("diagnosis:upload")).content.decode()

    assert 'name="sampling_rate"' not in page
    assert "ask you for its sampling rate" in page


def test_a_csv_without_a_rate_is_kept_and_waits_for_one(patient_client, mitdb, media_root):
    x = record_lead_mv(mitdb, "100", 20)
    data = ("MLII\n" + "\n".join(f"{v:.3f}" for v in x) + "\n").encode()

    response = post_upload(patient_client, [upload("monitor.csv", data)])

    body = response.json()
    assert response.status_code == 201 and body["status"] == "needs_rate"
    assert not body["finished"] and body["rate_url"] == f"/diagnosis/{body['id']}/rate/"
    d = Diagnosis.objects.get(pk=body["id"])
    assert d.input_fs is None and d.enqueued_at is None
    assert stored_files(media_root) == [d.input_files[0].file.name]
    # The sweep leaves it alone: it is not lost, it waits for its owner.
    assert not Diagnosis.objects.stale().filter(pk=d.pk).exists()


def test_the_result_page_asks_its_owner_for_the_rate(patient_client, kept):
    page = patient_client.get(kept.get_absolute_url()).content.decode()

    assert f'action="{rate_url(kept)}"' in page and 'name="sampling_rate"' in page
    assert 'id="live-status"' not in page


def test_a_doctor_it_is_shared_with_is_told_it_waits_for_the_rate(client, kept, shared_doctor):
    client.force_login(shared_doctor)

    page = client.get(kept.get_absolute_url()).content.decode()

    assert "Waiting for the sampling rate" in page and 'name="sampling_rate"' not in page
    assert client.post(rate_url(kept), {"sampling_rate": "360"}).status_code == 404


@pytest.mark.parametrize(("value", "message"), [
    ("", "Enter the sampling rate"),
    ("fast", "must be a number"),
    ("nan", "must be a number"),
    ("5", "50 to 10000 Hz"),
    ("20000", "50 to 10000 Hz"),
])
def test_a_bad_rate_gets_a_message_and_loses_nothing(patient_client, kept, media_root,
                                                     value, message):
    files = stored_files(media_root)

    response = post_rate(patient_client, kept, value)

    assert response.status_code == 400 and message in response.json()["error"]
    kept.refresh_from_db()
    assert kept.status == "needs_rate" and kept.input_fs is None
    assert stored_files(media_root) == files


def test_a_bad_rate_without_javascript_shows_the_form_again(patient_client, kept):
    response = post_rate(patient_client, kept, "5", accept_json=False)

    page = response.content.decode()
    assert response.status_code == 400 and "50 to 10000 Hz" in page
    assert f'action="{rate_url(kept)}"' in page


def test_with_the_rate_it_is_queued_and_analysed_at_that_rate(
        patient_client, kept, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_rate(patient_client, kept, "360")

    assert response.status_code == 200 and response.json()["status"] == "queued"
    kept.refresh_from_db()
    assert kept.status == "queued" and kept.input_fs == 360.0 and kept.enqueued_at
    assert classify_diagnosis.apply(args=[kept.pk]).get() == "done"
    kept.refresh_from_db()
    assert kept.status == "done" and kept.fs == 360.0 and kept.beat_count > 15


def test_a_second_answer_changes_nothing(patient_client, kept):
    post_rate(patient_client, kept, "360")

    response = post_rate(patient_client, kept, "250")

    kept.refresh_from_db()
    assert response.json()["status"] == "queued" and kept.input_fs == 360.0


def test_without_javascript_the_rate_leads_to_the_result_page(patient_client, kept):
    response = post_rate(patient_client, kept, "360", accept_json=False)

    assert response.status_code == 302 and response["Location"] == kept.get_absolute_url()


def test_nobody_else_can_give_the_rate(client, other_patient, kept):
    client.force_login(other_patient)

    assert client.post(rate_url(kept), {"sampling_rate": "360"}).status_code == 404
    assert client.get(rate_url(kept)).status_code == 404
    kept.refresh_from_db()
    assert kept.status == "needs_rate"


def test_the_history_lists_it_with_its_status(patient_client, kept):
    page = patient_client.get(reverse("diagnosis:history")).content.decode()

    assert "Needs the sampling rate" in page and kept.get_absolute_url() in page


def test_an_upload_that_never_gets_its_rate_is_deleted_with_its_file_after_the_deadline(
        kept, media_root, patient_client, django_capture_on_commit_callbacks):
    page = patient_client.get(kept.get_absolute_url()).content.decode()
    assert "if no rate is given by then, it is deleted" in page
    assert stored_files(media_root)

    assert services.forget_unrated(now=kept.rate_deadline - timedelta(minutes=1)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert services.forget_unrated(now=kept.rate_deadline + timedelta(minutes=1)) == 1

    assert not Diagnosis.objects.filter(pk=kept.pk).exists()
    assert stored_files(media_root) == []


def test_an_upload_given_its_rate_is_not_forgotten(kept, patient_client):
    assert post_rate(patient_client, kept, "360").status_code == 200

    assert services.forget_unrated(now=kept.rate_deadline + timedelta(days=30)) == 0
    assert Diagnosis.objects.get(pk=kept.pk).status == Diagnosis.Status.QUEUED
