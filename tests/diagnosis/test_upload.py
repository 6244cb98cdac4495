"""The upload view: what it accepts, how it stores it, and that it queues the work."""
import io
import re
import zipfile

import pytest
import redis
from django.conf import settings

from diagnosis import storage
from diagnosis.models import Diagnosis, DiagnosisFile
from tests.inputs import (
    beat_png,
    copy_record,
    excerpt_record,
    post_upload,
    stored_files,
    upload,
    write_edf,
)

pytestmark = pytest.mark.django_db

RANDOM_NAME = re.compile(r"^uploads/[0-9a-f]{24}/[0-9a-f]{32}(_\d+)?\.[a-z]+$")


def test_it_stores_an_image_under_a_random_name_in_the_users_folder(patient_client, patient,
                                                                    media_root):
    response = post_upload(patient_client, [upload("my beat.png", beat_png())])

    assert response.status_code == 201
    body = response.json()
    diagnosis = Diagnosis.objects.get(pk=body["id"])
    assert body["status"] == "queued" and body["url"] == f"/diagnosis/{diagnosis.pk}/"
    assert diagnosis.owner == patient
    assert (diagnosis.kind, diagnosis.input_format) == ("image", "png")
    assert diagnosis.original_name == "my beat.png"
    [stored] = diagnosis.files.all()
    assert RANDOM_NAME.match(stored.file.name)
    assert stored.file.name.startswith(storage.user_folder(patient.pk) + "/")
    assert "my beat" not in stored.file.name and str(patient.pk) not in stored.file.name.split("/")
    assert stored_files(media_root) == [stored.file.name]
    assert (media_root / stored.file.name).read_bytes() == beat_png()


def test_it_goes_by_content_not_by_the_file_name(patient_client):
    response = post_upload(patient_client, [upload("beat.csv", beat_png(fmt="JPEG"))])

    assert response.status_code == 201
    diagnosis = Diagnosis.objects.get()
    assert diagnosis.input_format == "jpeg"
    assert diagnosis.files.get().file.name.endswith(".jpg")


@pytest.mark.parametrize("fmt,mode", [
    ("PNG", "RGBA"), ("PNG", "L"), ("JPEG", "L"), ("BMP", "RGB"), ("GIF", "P"), ("TIFF", "RGB"),
])
def test_it_accepts_every_image_format_and_mode_it_promises(patient_client, fmt, mode):
    response = post_upload(patient_client, [upload(f"beat.{fmt.lower()}", beat_png(fmt=fmt,
                                                                                  mode=mode))])
    assert response.status_code == 201, response.content
    assert Diagnosis.objects.get().input_format == fmt.lower().replace("jpeg", "jpeg")


def test_a_wfdb_record_is_stored_with_a_header_that_names_the_stored_data_file(
        mitdb, patient_client, tmp_path, media_root):
    header = excerpt_record(mitdb, "100", tmp_path / "in", seconds=20)
    dat = header.with_suffix(".dat")

    response = post_upload(patient_client, [upload(header.name, header.read_bytes()),
                                            upload(dat.name, dat.read_bytes())])

    assert response.status_code == 201, response.content
    diagnosis = Diagnosis.objects.get()
    assert (diagnosis.kind, diagnosis.input_format) == ("signal", "wfdb")
    hea, dat_row = sorted(diagnosis.files.all(), key=lambda f: f.file.name[-3:] != "hea")
    stem = hea.file.name.rsplit("/", 1)[1].removesuffix(".hea")
    assert dat_row.file.name.endswith(f"/{stem}.dat")
    text = (media_root / hea.file.name).read_text()
    assert text.splitlines()[0].split()[0] == stem
    assert all(line.split()[0] == f"{stem}.dat" for line in text.splitlines()[1:3])
    assert (media_root / dat_row.file.name).read_bytes() == dat.read_bytes()
    # The stored record still reads as the same signal.
    from ml.formats import read_signal

    original, stored = read_signal(header), read_signal(media_root / hea.file.name)
    assert stored.fs == original.fs and (stored.samples == original.samples).all()


def test_a_full_mitdb_record_in_a_zip_is_accepted(mitdb, patient_client, tmp_path):
    header = copy_record(mitdb, "100", tmp_path)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(header, "100.hea")
        zf.write(header.with_suffix(".dat"), "100.dat")

    response = post_upload(patient_client, [upload("record.zip", buffer.getvalue())])

    assert response.status_code == 201, response.content
    diagnosis = Diagnosis.objects.get()
    assert diagnosis.input_format == "wfdb" and diagnosis.files.count() == 2


def test_a_csv_with_a_time_column_and_an_edf_file_are_accepted(patient_client, tmp_path):
    import numpy as np

    t = np.arange(0, 10, 1 / 250)
    wave = 1.2 * np.exp(-((t % 0.8) - 0.4) ** 2 / 0.0005)
    csv_text = "time,II\n" + "\n".join(f"{a:.4f},{b:.4f}" for a, b in zip(t, wave, strict=True))
    edf = tmp_path / "rec.edf"
    write_edf(edf, [wave], 250, ["ECG II"])

    first = post_upload(patient_client, [upload("ecg.csv", csv_text.encode())])
    second = post_upload(patient_client, [upload("ecg.edf", edf.read_bytes())])

    assert first.status_code == 201, first.content
    assert second.status_code == 201, second.content
    assert sorted(Diagnosis.objects.values_list("input_format", flat=True)) == ["csv", "edf"]


def test_a_csv_without_time_is_kept_for_its_rate_unless_the_form_gives_one(patient_client):
    values = "\n".join(f"{(i % 200) / 100:.3f}" for i in range(3000)).encode()

    kept = post_upload(patient_client, [upload("ecg.csv", values)])
    given = post_upload(patient_client, [upload("ecg.csv", values)], sampling_rate="250")

    assert kept.status_code == 201 and kept.json()["status"] == "needs_rate"
    assert given.status_code == 201, given.content
    assert given.json()["status"] == "queued"
    assert Diagnosis.objects.get(pk=given.json()["id"]).input_fs == 250


def test_the_upload_is_sent_to_the_broker_after_commit(patient_client,
                                                      django_capture_on_commit_callbacks):
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    broker.delete("celery")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = post_upload(patient_client, [upload("beat.png", beat_png())])

    assert response.status_code == 201
    assert len(callbacks) == 1
    assert broker.llen("celery") == 1
    diagnosis = Diagnosis.objects.get()
    assert diagnosis.status == "queued" and diagnosis.enqueued_at is not None
    broker.delete("celery")


def test_without_javascript_the_form_posts_and_redirects_to_the_result(patient_client):
    response = post_upload(patient_client, [upload("beat.png", beat_png())], accept_json=False)

    diagnosis = Diagnosis.objects.get()
    assert response.status_code == 302 and response["Location"] == diagnosis.get_absolute_url()


def test_the_upload_page_states_the_input_contract(patient_client):
    response = patient_client.get("/diagnosis/upload/")

    page = response.content.decode()
    assert response.status_code == 200
    for phrase in ("PNG, JPEG, BMP, GIF or TIFF", "one beat", ".hea", ".dat", ".zip", "CSV",
                   "EDF", "millivolts", "20.0\xa0MB", "Drop ECG files here", 'multiple',
                   "upload that instead"):
        assert phrase in page, phrase


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.post("/diagnosis/upload/", {"files": [upload("b.png", beat_png())]})

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Diagnosis.objects.exists() and not DiagnosisFile.objects.exists()
