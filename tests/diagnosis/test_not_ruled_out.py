"""Never a green "No action needed" for "nothing abnormal found" when the model, in the mode it
ran in, misses a class more often than that class's target allows (issue 15, "Where the
product shows it"): an amber "Not ruled out" that names the classes instead."""
import numpy as np
import pytest

from diagnosis import readings, storage, urgency
from diagnosis.models import DiagnosisFile
from diagnosis.reliability import not_ruled_out
from ml.card import load_card
from ml.formats import Recording
from ml.predictor import DEFAULT_MODEL_DIR
from ml.registry import MODES, ONE_LEAD, PICTURE, SEVERAL_LEADS, target_f1
from tests.factories import make_diagnosis

from .cards import VERSION, cv_card, good_rows, inter_card, row, use_card

pytestmark = pytest.mark.django_db


def with_leads(d, names):
    """Give a recording's diagnosis the stored leads the worker keeps (``names``)."""
    recording = Recording(samples=np.zeros((100, len(names)), dtype=np.float32), fs=360.0,
                          lead_names=tuple(names), format="wfdb")
    data = recording.to_npz()
    name = storage.save_exact(storage.path_for(d.owner_id, storage.new_stem(), "npz"), data)
    DiagnosisFile.objects.create(diagnosis=d, role=DiagnosisFile.Role.LEADS, file=name,
                                 content_type="application/octet-stream", size=len(data))
    return d


def normal_in(patient, mode, version=VERSION):
    if mode == PICTURE:
        return make_diagnosis(patient, kind="image", label="N", model_version=version)
    d = make_diagnosis(patient, kind="signal", label="N", model_version=version)
    return with_leads(d, ("MLII", "V1") if mode == SEVERAL_LEADS else ("MLII",))


def test_the_mode_comes_from_the_upload(patient):
    for mode in MODES:
        assert readings.mode_of(normal_in(patient, mode)) == mode


@pytest.mark.parametrize("mode", MODES)
def test_a_class_under_its_target_in_the_mode_that_ran_turns_green_to_amber(
        settings, tmp_path, patient, mode):
    rows = {m: good_rows() for m in MODES}
    rows[mode]["L"] = row(0.5, recall=0.4)  # left bundle branch block missed in this mode
    use_card(settings, tmp_path / "model", cv_card(rows))

    advice = urgency.assess(normal_in(patient, mode))
    others = [urgency.assess(normal_in(patient, m)).level for m in MODES if m != mode]

    assert advice.level == urgency.NOT_RULED_OUT and advice.tone == "warning"
    assert "does not rule out left bundle branch block" in advice.headline
    assert "found only 40% of left bundle branch block beats" in advice.steps[0]
    assert others == [urgency.NONE, urgency.NONE]


def test_the_target_is_the_one_of_the_mode(settings, tmp_path, patient):
    # 0.80 meets the one-lead target for bundle branch blocks (0.75), not the several-lead one.
    assert target_f1("R", ONE_LEAD) < 0.80 < target_f1("R", SEVERAL_LEADS)
    rows = {m: {**good_rows(), "R": row(0.80)} for m in MODES}
    use_card(settings, tmp_path / "model", cv_card(rows))

    assert urgency.assess(normal_in(patient, ONE_LEAD)).level == urgency.NONE
    assert urgency.assess(normal_in(patient, SEVERAL_LEADS)).level == urgency.NOT_RULED_OUT


def test_a_card_with_only_inter_patient_figures_is_read_the_same_way(settings, tmp_path,
                                                                     patient):
    per_class = {**good_rows(), "A": row(0.3, recall=0.2)}
    use_card(settings, tmp_path / "model", inter_card(per_class))

    missed = not_ruled_out(normal_in(patient, PICTURE))

    assert [m.code for m in missed] == ["A"]


def test_a_class_often_called_normal_in_the_confusion_matrix_is_named(settings, tmp_path,
                                                                      patient):
    # Right bundle branch block: 40 % of its beats called normal (N is column 0), more than
    # it got its own label; the per-class recall alone would also say so.
    matrix = [[100, 0, 0, 0, 0, 0], [0, 100, 0, 0, 0, 0], [40, 0, 30, 0, 30, 0],
              [0, 0, 0, 100, 0, 0], [0, 0, 0, 0, 100, 0], [0, 0, 0, 0, 0, 100]]
    per_class = {**good_rows(), "R": row(0.4, recall=0.3)}
    use_card(settings, tmp_path / "model", inter_card(per_class, matrix))

    [missed] = not_ruled_out(normal_in(patient, ONE_LEAD))

    assert (missed.code, missed.hidden_share) == ("R", pytest.approx(0.4))


def test_without_figures_for_the_model_that_ran_nothing_is_ruled_out(settings, tmp_path,
                                                                    patient):
    use_card(settings, tmp_path / "model", cv_card())

    advice = urgency.assess(normal_in(patient, ONE_LEAD, version="another-model"))

    assert advice.level == urgency.NOT_RULED_OUT
    assert "no measurement" in advice.headline


def test_the_result_page_shows_no_green_for_the_shipped_models_normal(settings,
                                                                    patient_client, patient):
    settings.ECG_MODEL_DIR = str(DEFAULT_MODEL_DIR)
    settings.ECG_LEADS_MODEL_DIR = settings.ECG_MODEL_DIR  # recordings read the same card here
    version = load_card(DEFAULT_MODEL_DIR)["evaluations"]["inter"]["model_version"]
    d = make_diagnosis(patient, kind="image", label="N", model_version=version)

    response = patient_client.get(d.get_absolute_url())
    page = response.content.decode()

    assert response.context["advice"].level == urgency.NOT_RULED_OUT
    assert "urgency-not_ruled_out alert-warning" in page
    assert "alert-success" not in page and "No action needed" not in page
