"""``manage.py export_reviews``: corrected examples (input files + labels) as a dataset
that care.feedback_dataset reads without Django."""
import csv
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from PIL import Image

from care.feedback_dataset import FeedbackFormatError, read_manifest
from care.models import Review
from diagnosis.models import DiagnosisFile
from tests.factories import make_diagnosis, make_user

pytestmark = pytest.mark.django_db


def add_review(d, doctor, label):
    return Review.objects.create(diagnosis=d, doctor=doctor, original_label=d.label,
                                 reviewed_label=label, agrees=label == d.label,
                                 model_version=d.model_version)


@pytest.fixture
def reviewed(patient, doctor):
    second = make_user("second@example.com", role="doctor", verified_doctor=True)
    image_fixed = make_diagnosis(patient, kind="image", label="N")
    signal_fixed = make_diagnosis(patient, kind="signal", label="V")
    confirmed = make_diagnosis(patient, kind="image", label="L")
    disputed = make_diagnosis(patient, kind="image", label="N")
    failed = make_diagnosis(patient, status="failed")
    unread = make_diagnosis(patient, kind="image", label="A")
    add_review(image_fixed, doctor, "V")
    add_review(image_fixed, second, "V")
    add_review(signal_fixed, doctor, "uninterpretable")
    add_review(confirmed, doctor, "L")
    add_review(disputed, doctor, "A")
    add_review(disputed, second, "R")
    add_review(failed, doctor, "N")
    return {"image_fixed": image_fixed, "signal_fixed": signal_fixed, "confirmed": confirmed,
            "disputed": disputed, "failed": failed, "unread": unread}


def stored_bytes(f):
    with f.file.open("rb") as fh:
        return fh.read()


def test_it_exports_corrections_with_their_files_and_labels(reviewed, tmp_path, capsys):
    out = tmp_path / "feedback"

    call_command("export_reviews", "--out", str(out))

    examples = {e.example_id: e for e in read_manifest(out)}
    r = reviewed
    assert set(examples) == {r["image_fixed"].pk, r["signal_fixed"].pk, r["failed"].pk}
    image = examples[r["image_fixed"].pk]
    assert (image.kind, image.reviewed_label, image.original_label, image.agrees,
            image.reviews, image.class_index) == ("image", "V", "N", False, 2, 4)
    assert image.model_version == r["image_fixed"].model_version
    assert image.input_path.read_bytes() == stored_bytes(r["image_fixed"].input_files[0])
    assert isinstance(image.load(), Image.Image)  # what ml.formats reads for uploads

    signal = examples[r["signal_fixed"].pk]
    assert signal.reviewed_label == "uninterpretable" and signal.class_index is None
    assert signal.input_path.suffix == ".hea" and len(signal.files) == 2
    header = signal.input_path.read_text().split()
    assert (signal.input_path.parent / header[4]).is_file()  # the .dat the header names
    assert examples[r["failed"].pk].original_label == ""

    rows = list(csv.DictReader(open(out / "manifest.csv")))
    assert {int(row["example_id"]) for row in rows} == set(examples)
    report = capsys.readouterr().out
    assert "Wrote 3 examples (3 corrections)" in report
    assert f"different labels: [{r['disputed'].pk}]" in report


def test_agreements_are_added_on_request(reviewed, tmp_path):
    out = tmp_path / "all"
    call_command("export_reviews", "--out", str(out), "--include-agreements")
    examples = {e.example_id: e for e in read_manifest(out)}
    assert reviewed["confirmed"].pk in examples and examples[reviewed["confirmed"].pk].agrees
    assert reviewed["disputed"].pk not in examples and reviewed["unread"].pk not in examples


def test_it_refuses_a_folder_that_is_not_empty_and_writes_nothing(reviewed, tmp_path):
    exports = tmp_path / "exports"
    out = exports / "busy"
    out.mkdir(parents=True)
    (out / "notes.txt").write_text("mine")
    with pytest.raises(CommandError, match="not an empty folder"):
        call_command("export_reviews", "--out", str(out))
    assert [p.name for p in out.iterdir()] == ["notes.txt"]
    assert [p.name for p in exports.iterdir()] == ["busy"]  # no temporary folder left


def test_a_result_whose_file_is_gone_is_left_out_and_reported(reviewed, tmp_path, capsys):
    gone = reviewed["image_fixed"].input_files[0]
    gone.file.storage.delete(gone.file.name)  # the row stays, the file is gone
    assert DiagnosisFile.objects.filter(pk=gone.pk).exists()
    out = tmp_path / "feedback"

    call_command("export_reviews", "--out", str(out))

    ids = {e.example_id for e in read_manifest(out)}
    assert reviewed["image_fixed"].pk not in ids and len(ids) == 2
    assert not (out / "files" / str(reviewed["image_fixed"].pk)).exists()
    assert "files are missing" in capsys.readouterr().err


def test_an_export_with_no_reviews_is_a_valid_empty_dataset(db, tmp_path):
    out = tmp_path / "empty"
    call_command("export_reviews", "--out", str(out))
    assert read_manifest(out) == []
    assert json.loads((out / "manifest.json").read_text())["format"] == "ecg-insight-feedback"


def test_the_reader_refuses_what_it_does_not_understand(tmp_path):
    (tmp_path / "manifest.json").write_text(json.dumps({"format": "other", "version": 1}))
    with pytest.raises(FeedbackFormatError, match="this reader understands"):
        read_manifest(tmp_path)
    with pytest.raises(FeedbackFormatError, match="No readable"):
        read_manifest(Path(tmp_path) / "nowhere")


def test_the_help_describes_the_layout(capsys):
    with pytest.raises(SystemExit):
        call_command("export_reviews", "--help")
    text = capsys.readouterr().out
    assert "manifest.json" in text and "files/<id>/" in text and "read_manifest" in text


def test_a_pictures_time_span_given_with_the_upload_goes_into_the_export(patient, doctor,
                                                                          tmp_path):
    given = make_diagnosis(patient, kind="image", label="N", seconds_shown=1.25)
    judged = make_diagnosis(patient, kind="image", label="N")
    add_review(given, doctor, "A")
    add_review(judged, doctor, "V")
    out = tmp_path / "feedback"

    call_command("export_reviews", "--out", str(out))

    examples = {e.example_id: e for e in read_manifest(out)}
    assert examples[given.pk].seconds_shown == 1.25
    assert examples[judged.pk].seconds_shown is None
    rows = {int(r["example_id"]): r for r in csv.DictReader(open(out / "manifest.csv"))}
    assert (rows[given.pk]["seconds_shown"], rows[judged.pk]["seconds_shown"]) == ("1.25", "")
