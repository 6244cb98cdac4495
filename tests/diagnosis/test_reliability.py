"""Next to a finding, the page shows how often the model was right about that class on
patients it had never seen (the card's inter-patient figures of the model that ran)."""
import json

import pytest
from django.test import Client

from diagnosis.reliability import (
    HIDDEN_FROM,
    UNRELIABLE_BELOW,
    Hidden,
    finding_reliability,
    hidden_behind,
    not_ruled_out,
)
from ml import registry
from ml.card import load_card
from ml.predictor import DEFAULT_MODEL_DIR
from ml.registry import CLASS_CODES, CLASS_NAMES, PICTURE
from tests.factories import make_diagnosis, make_user, share_between

from .test_result_page import pdf_text

pytestmark = pytest.mark.django_db

CARD = load_card(DEFAULT_MODEL_DIR)
INTER = CARD["evaluations"]["inter"]


def _classes(key, unreliable):
    rows = INTER[key]["per_class"]
    return [c for c in CLASS_CODES if (rows[c]["precision"] < UNRELIABLE_BELOW) == unreliable]


def _done(patient, kind, label):
    return make_diagnosis(patient, kind=kind, label=label, model_version=CARD["model_version"])


@pytest.fixture(autouse=True)
def shipped_model(settings):
    settings.ECG_MODEL_DIR = str(DEFAULT_MODEL_DIR)
    settings.ECG_LEADS_MODEL_DIR = settings.ECG_MODEL_DIR  # recordings read the same card here


def test_a_recording_finding_carries_the_measured_figures_of_its_class(patient):
    code = _classes("model", unreliable=False)[0]
    row = INTER["model"]["per_class"][code]

    rel = finding_reliability(_done(patient, "signal", code))

    assert (rel.precision, rel.recall, rel.support) == (row["precision"], row["recall"],
                                                        row["support"])
    assert rel.n == INTER["model"]["n"] and not rel.single_images and not rel.unreliable


def test_a_single_picture_is_judged_by_the_picture_figures(patient):
    """The shipped card measures pictures drawn by other programs (cv.modes.picture): a
    picture's finding carries those figures, not the recordings' ones."""
    code = CLASS_CODES[-1]
    rel = finding_reliability(_done(patient, "image", code))

    assert rel.single_images
    picture = CARD["evaluations"]["cv"]["modes"]["picture"]["per_class"][code]
    assert (rel.precision, rel.recall) == (picture["precision"], picture["recall"])


def test_an_unreliable_class_is_called_unreliable_on_the_page_and_in_the_pdf(patient_client,
                                                                            patient):
    code = _classes("model", unreliable=True)[0]  # the shipped model has such classes
    d = _done(patient, "signal", code)
    row = INTER["model"]["per_class"][code]

    page = patient_client.get(d.get_absolute_url()).content.decode()
    pdf = pdf_text(patient_client.get(f"/diagnosis/{d.pk}/report.pdf").content)

    assert 'id="reliability"' in page and "more often wrong than right" in page
    assert f"{round(100 * row['precision'])}% really were" in page
    assert f"{INTER['model']['n']:,} heartbeats" in page
    assert "more often wrong than right" in pdf


def test_a_reliable_class_gets_the_figures_without_the_warning(patient_client, patient):
    code = _classes("model", unreliable=False)[0]
    page = patient_client.get(_done(patient, "signal", code).get_absolute_url()).content.decode()

    assert 'id="reliability"' in page and "more often wrong than right" not in page


def test_a_result_of_another_model_version_gets_no_figure(patient_client, patient):
    d = make_diagnosis(patient, kind="signal", label=_classes("model", unreliable=True)[0],
                       model_version="0123456789ab")

    page = patient_client.get(d.get_absolute_url()).content.decode()

    assert finding_reliability(d) is None and 'id="reliability"' not in page


def test_no_card_or_a_broken_card_means_no_figure(patient, tmp_path, settings):
    d = _done(patient, "signal", "N")
    settings.ECG_MODEL_DIR = str(tmp_path)
    settings.ECG_LEADS_MODEL_DIR = settings.ECG_MODEL_DIR  # recordings read the same card here
    assert finding_reliability(d) is None
    (tmp_path / "card.json").write_text("{not json")
    assert finding_reliability(d) is None
    (tmp_path / "card.json").write_text(json.dumps({"evaluations": {"inter": {
        "model_version": CARD["model_version"], "model": {"per_class": {}}}}}))
    assert finding_reliability(d) is None


def test_the_reviewing_doctor_sees_the_same_figures(patient):
    doctor = make_user("cardio@example.com", role="doctor", verified_doctor=True)
    share_between(patient, doctor)
    d = _done(patient, "signal", _classes("model", unreliable=True)[0])
    client = Client()
    client.force_login(doctor)

    page = client.get(f"/doctors/results/{d.pk}/review/").content.decode()

    assert 'id="reliability"' in page and "more often wrong than right" in page


def _squeezed(text):
    """Text without whitespace: the PDF's extracted text loses spaces at line breaks."""
    return "".join(text.split())


def _mistaken_for(code, key="model"):
    """Names of the classes whose test beats the card shows called ``code`` at least
    HIDDEN_FROM of the time and more often than by their own name."""
    matrix = INTER[key]["confusion_matrix"]
    j = CLASS_CODES.index(code)
    return {
        CLASS_NAMES[c] for k, c in enumerate(CLASS_CODES)
        if k != j and matrix[k][j] >= HIDDEN_FROM * sum(matrix[k]) and matrix[k][j] > matrix[k][k]
    }


def test_hidden_types_come_from_the_confusion_matrix_most_mistaken_first():
    matrix = [
        [90, 0, 0, 0, 10, 0],  # N: correct mostly
        [70, 20, 0, 0, 10, 0],  # L: 70% called N, more than its own 20%
        [95, 0, 5, 0, 0, 0],  # R: 95% called N
        [9, 0, 0, 1, 0, 90],  # A: 9% called N, below HIDDEN_FROM though above its own 1%
        [40, 0, 0, 0, 60, 0],  # V: 40% called N but more often right
        [0, 0, 0, 0, 0, 0],  # VF: no test beats
    ]

    hidden = hidden_behind({"confusion_matrix": matrix}, "N")

    assert [(h.name, h.percent) for h in hidden] == [(CLASS_NAMES["R"], 95), (CLASS_NAMES["L"], 70)]
    assert [h.name for h in hidden_behind({"confusion_matrix": matrix}, "VF")] == [CLASS_NAMES["A"]]
    assert hidden_behind({"confusion_matrix": matrix}, "L") == ()
    # 99.9% of a class is not "100%" of it.
    assert (Hidden("x", 0.998).percent, Hidden("x", 1.0).percent) == (99, 100)


@pytest.mark.parametrize("matrix", [None, [[1, 2], [3, 4]], [[0] * 6] * 5, "x"])
def test_a_missing_or_malformed_matrix_hides_nothing(matrix):
    assert hidden_behind({"confusion_matrix": matrix}, "N") == ()


def test_a_normal_finding_names_the_beat_types_it_hides_on_the_page_and_in_the_pdf(
        patient_client, patient):
    expected = _mistaken_for("N")
    assert expected  # the shipped model calls most bundle branch block beats of new people N
    d = _done(patient, "signal", "N")

    rel = finding_reliability(d)
    page = patient_client.get(d.get_absolute_url()).content.decode()
    pdf = pdf_text(patient_client.get(f"/diagnosis/{d.pk}/report.pdf").content)

    assert {h.name for h in rel.hidden} == expected
    assert 'id="reliability-hidden"' in page and "may really be" in page
    matrix = INTER["model"]["confusion_matrix"]
    for h in rel.hidden:
        k = [CLASS_NAMES[c] for c in CLASS_CODES].index(h.name)
        share = matrix[k][0] / sum(matrix[k])
        assert h.percent == (100 if share == 1 else min(99, round(100 * share)))
        assert f"{h.percent}% of the {h.name} beats were called Normal" in page
        assert _squeezed(f"{h.percent}% of the {h.name} beats") in _squeezed(pdf)
    assert _squeezed("may really be one of those") in _squeezed(pdf)


def test_a_normal_picture_does_not_rule_out_the_classes_pictures_miss(patient):
    """The picture figures have no confusion matrix: a Normal picture still names, as not
    ruled out, every class whose picture recall is under its target (from the card)."""
    picture = CARD["evaluations"]["cv"]["modes"]["picture"]["per_class"]
    expected = {c for c in CLASS_CODES if registry.target_f1(c, PICTURE) is not None
                and picture[c]["recall"] < registry.target_f1(c, PICTURE)}

    missed = not_ruled_out(_done(patient, "image", "N"))

    assert expected and {m.code for m in missed} == expected


def test_a_finding_nothing_hides_behind_gets_no_such_list(patient_client, patient):
    code = next(c for c in CLASS_CODES if not _mistaken_for(c))
    page = patient_client.get(_done(patient, "signal", code).get_absolute_url()).content.decode()

    assert 'id="reliability"' in page and 'id="reliability-hidden"' not in page
