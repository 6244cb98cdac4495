"""The review export carries the doctors' labels of single beats: in manifest.json per
example (sample index, time, label, the model's label, how many doctors), in beats.csv, and
through the reader."""
import csv
import json

import pytest
from django.core.management import call_command

from care.feedback_dataset import FeedbackFormatError, read_manifest
from care.models import BeatLabel, Review
from tests.factories import make_diagnosis, make_user

pytestmark = pytest.mark.django_db

FS = 360


def sample(i):
    return int((i + 0.5) * FS)


def review(d, doctor, label=None, beats=()):
    """A review agreeing with the finding unless ``label``, with ``beats`` [(i, label)]."""
    label = label or d.label
    r = Review.objects.create(diagnosis=d, doctor=doctor, original_label=d.label,
                              reviewed_label=label, agrees=label == d.label,
                              model_version=d.model_version)
    labels = d.signal.labels
    for i, code in beats:
        BeatLabel.objects.create(review=r, sample=sample(i), label=code,
                                 original_label=labels[i])
    return r


@pytest.fixture
def second(db):
    return make_user("second@example.com", role="doctor", verified_doctor=True)


def test_a_recording_whose_beats_were_relabelled_is_exported_with_them(
        patient, doctor, tmp_path, capsys):
    d = make_diagnosis(patient, kind="signal", label="V")
    review(d, doctor, beats=[(30, "A"), (10, "uninterpretable")])  # agrees on the finding
    untouched = make_diagnosis(patient, kind="signal", label="V")
    review(untouched, doctor)
    out = tmp_path / "feedback"

    call_command("export_reviews", "--out", str(out))

    [example] = read_manifest(out)
    assert example.example_id == d.pk and example.agrees and example.fs == FS
    assert [(b.sample, b.time_s, b.label, b.original_label, b.reviews, b.class_index)
            for b in example.beat_labels] == [
        (sample(10), 10.5, "uninterpretable", "N", 1, None),
        (sample(30), 30.5, "A", "V", 1, 3),
    ]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["version"] == 2
    assert manifest["examples"][0]["beat_labels"][1] == {
        "sample": sample(30), "time_s": 30.5, "label": "A", "original_label": "V",
        "reviews": 1}
    rows = list(csv.DictReader(open(out / "beats.csv")))
    assert [(int(r["example_id"]), int(r["sample"]), r["label"]) for r in rows] == [
        (d.pk, sample(10), "uninterpretable"), (d.pk, sample(30), "A")]
    assert list(csv.DictReader(open(out / "manifest.csv")))[0]["beat_labels"] == "2"
    assert "with 2 labels of single beats" in capsys.readouterr().out


def test_beats_doctors_label_alike_count_both_and_beats_they_dispute_are_left_out(
        patient, doctor, second, tmp_path, capsys):
    d = make_diagnosis(patient, kind="signal", label="V")
    review(d, doctor, beats=[(30, "A"), (31, "R")])
    review(d, second, beats=[(30, "A"), (31, "L"), (32, "VF")])
    out = tmp_path / "feedback"

    call_command("export_reviews", "--out", str(out))

    [example] = read_manifest(out)
    assert [(b.sample, b.label, b.reviews) for b in example.beat_labels] == [
        (sample(30), "A", 2), (sample(32), "VF", 1)]
    assert "Left out 1 single beats whose doctors gave different labels" in \
        capsys.readouterr().out


def test_an_export_of_the_first_version_is_still_read(tmp_path):
    folder = tmp_path / "old"
    (folder / "files" / "7").mkdir(parents=True)
    (folder / "files" / "7" / "beat.png").write_bytes(b"png")
    (folder / "manifest.json").write_text(json.dumps({
        "format": "ecg-insight-feedback", "version": 1, "examples": [{
            "example_id": 7, "kind": "image", "input_format": "png",
            "input": "files/7/beat.png", "files": ["files/7/beat.png"], "input_fs": None,
            "reviewed_label": "V", "original_label": "N", "agrees": False,
            "model_version": "m", "reviews": 1, "reviewed_at": "2026-01-01T00:00:00Z"}]}))

    [example] = read_manifest(folder)

    assert example.reviewed_label == "V" and example.beat_labels == () and example.fs is None


def test_the_reader_refuses_an_unknown_beat_label(tmp_path, patient, doctor):
    d = make_diagnosis(patient, kind="signal", label="V")
    review(d, doctor, beats=[(30, "A")])
    out = tmp_path / "feedback"
    call_command("export_reviews", "--out", str(out))
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["examples"][0]["beat_labels"][0]["label"] = "Q"
    (out / "manifest.json").write_text(json.dumps(manifest))

    with pytest.raises(FeedbackFormatError, match="Unknown label 'Q'"):
        read_manifest(out)
