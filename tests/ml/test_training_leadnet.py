"""Training the recordings model on a tiny subset (seconds), resuming, and the evaluation's
refusal to score a model on patients it was trained on."""
import json

import numpy as np
import pytest

from ml.leads import II
from ml.registry import CLASS_CODES

RECORDS = ("ludb/1", "ludb/10", "ludb/105", "ptbxl/1", "vfdb/418")


@pytest.fixture(scope="module")
def beats(data_dir):
    from ml.training import leadnet

    return leadnet.load_beats(records=RECORDS)


def test_batches_are_balanced_deterministic_and_drop_leads(beats):
    from ml.training import leadnet

    train = np.flatnonzero(beats.labels != -2)
    a = leadnet.Sampler(beats, train, seed=7)
    x1, y1 = a.batch(3)
    x2, y2 = leadnet.Sampler(beats, train, seed=7).batch(3)
    np.testing.assert_array_equal(y1, y2)
    np.testing.assert_array_equal(x1["beat"], x2["beat"])
    # Every class the subset has is drawn equally often.
    _, counts = np.unique(y1, return_counts=True)
    assert len(set(counts.tolist())) == 1


def test_lead_dropout_trains_with_lead_ii_alone_other_single_leads_and_subsets():
    from ml.training import leadnet

    present = np.ones((2000, 12), bool)
    present[1000:, 3:] = False  # records with leads I, II, III only
    m = leadnet.random_masks(present, np.random.default_rng(0))
    assert not np.any(m[~present])  # never a lead the record lacks
    assert np.all(m.sum(1) >= 1)
    single = m.sum(1) == 1
    only_ii = single & (m[:, II] == 1)
    assert 0.28 < only_ii.mean() < 0.45  # 30% by design, plus other draws that end there
    assert 0.05 < (single & (m[:, II] == 0)).mean() < 0.2  # one other lead alone
    assert (m.sum(1) > 1).mean() > 0.4


def test_a_tiny_training_writes_a_model_that_lists_its_patients_and_resumes(beats, tmp_path):
    from ml.training import leadnet

    logs = []
    _, meta = leadnet.train(beats, "all", steps=2, out=tmp_path, every=2, log=logs.append)
    assert meta["classes"] == list(CLASS_CODES)
    assert sorted(meta["train_records"]) == sorted(RECORDS)
    assert set(meta["train_patients"]) == set(beats.patient)
    assert (tmp_path / "model.keras").exists()
    assert json.loads((tmp_path / "state.json").read_text()) == {"step": 2}
    leadnet.train(beats, "all", steps=3, out=tmp_path, every=1, log=logs.append)
    assert "resuming all at step 2" in logs
    assert json.loads((tmp_path / "state.json").read_text()) == {"step": 3}


def test_scoring_a_model_on_its_own_patients_is_refused(beats, tmp_path):
    from ml.reports import cv
    from ml.training import leadnet

    leadnet.train(beats, "all", steps=1, out=tmp_path, every=1, log=lambda m: None)
    with pytest.raises(cv.SeenPatients, match="trained on 1 of the 1 test patients"):
        cv.predictions(tmp_path, beats, ["ludb/10"])


def test_a_model_without_its_patient_list_is_refused():
    from ml.reports import cv

    with pytest.raises(cv.SeenPatients, match="does not list"):
        cv.check_unseen({}, {"ludb:1"})
    cv.check_unseen({"train_patients": ["ludb:2"]}, {"ludb:1"})  # unseen: no error


def test_class_scores_count_beats_and_patients():
    from ml.reports import cv

    true = np.array([0, 0, 1, 1, 1])
    pred = np.array([0, 1, 1, 1, 0])
    patients = np.array(["a", "b", "b", "c", "c"])
    s = cv.class_scores(true, pred, patients)
    assert s["per_class"]["N"] == {"f1": 0.5, "precision": 0.5, "recall": 0.5, "beats": 2,
                                   "patients": 2}
    assert s["per_class"]["L"]["recall"] == pytest.approx(0.6667, abs=1e-4)
    assert s["per_class"]["L"]["patients"] == 2
    assert "R" not in s["per_class"]  # no test beats: no figure
    assert s["macro_f1"] == pytest.approx((0.5 + 0.6667) / 2, abs=1e-3)


def test_the_image_evaluation_leaves_out_vf_episodes_read_by_a_recordings_model_that_saw_them():
    from ml.reports import evaluate
    from ml.training import records

    class Seen:
        leads_meta = {"train_patients": [f"vfdb:{records.VFDB_TEST[0]}"]}

    class Unseen:
        leads_meta = {"train_patients": ["mitdb:100"]}

    patients = evaluate.VFDB_TEST_PATIENTS()
    assert evaluate._leads_model_saw(Seen(), patients)
    assert not evaluate._leads_model_saw(Unseen(), patients)


def test_a_spectral_training_says_so_in_its_meta_and_is_scored_on_the_input_it_names(
        beats, tmp_path):
    from ml import spectral
    from ml.reports import cv
    from ml.training import leadnet

    _, meta = leadnet.train(beats, "all", steps=2, out=tmp_path, every=1, log=lambda m: None,
                            input_kind="spectral")
    assert meta["arch"] == "leadnet_spectral" and meta["input_kind"] == "spectral"
    assert json.loads((tmp_path / "meta.json").read_text())["input_kind"] == "spectral"
    model, _ = cv.load_model(tmp_path)
    assert model.input_shape[0] == (None, spectral.FRAMES, spectral.BINS, 24)
    # Scored as if it had not seen ludb/10 (only the input matters here): the evaluation
    # builds the spectral image because meta.json says so; told "time", it cannot run.
    meta["train_patients"] = ["ludb:0"]
    (tmp_path / "meta.json").write_text(json.dumps(meta))
    p = cv.predictions(tmp_path, beats, ["ludb/10"], modes=(cv.ONE,))
    assert p[cv.ONE].shape == (len(p["index"]), len(CLASS_CODES)) and len(p["index"]) > 5
    np.testing.assert_allclose(p[cv.ONE].sum(1), 1.0, rtol=1e-4)
    (tmp_path / "meta.json").write_text(json.dumps({**meta, "input_kind": "time"}))
    with pytest.raises((ValueError, KeyError)):
        cv.predictions(tmp_path, beats, ["ludb/10"], modes=(cv.ONE,))


def test_a_checkpoint_resumes_only_with_its_own_input(beats, tmp_path):
    from ml.training import leadnet

    leadnet.train(beats, "all", steps=1, out=tmp_path, every=1, log=lambda m: None)
    (tmp_path / "model.keras").unlink()
    with pytest.raises(ValueError, match="leadnet checkpoint, not leadnet_spectral"):
        leadnet.train(beats, "all", steps=2, out=tmp_path, every=1, log=lambda m: None,
                      input_kind="spectral")
