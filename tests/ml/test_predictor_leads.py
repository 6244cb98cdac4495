"""The Predictor on recordings: the recordings model (ml/models/leads) reads every standard lead
a recording has, says which, and still reads a single lead."""
import json

import numpy as np
import pytest

from ml import CLASS_CODES
from ml.formats import Recording, read_recording
from ml.predictor import DEFAULT_LEADS_DIR


@pytest.fixture(scope="module")
def predictor():
    from ml import Predictor

    return Predictor()


def test_the_committed_recordings_model_outputs_the_registry_classes_and_lists_its_patients():
    from ml.training import folds

    meta = json.loads((DEFAULT_LEADS_DIR / "meta.json").read_text())
    assert meta["arch"] == "leadnet"
    assert tuple(meta["classes"]) == CLASS_CODES
    # The shipped model is trained on every patient of the folds (its card says so).
    assert meta["split"] == "all"
    assert set(meta["train_patients"]) == set(folds.document()["patients"])
    size = sum(f.stat().st_size for f in DEFAULT_LEADS_DIR.iterdir())
    assert size < 10 * 2**20


def test_a_two_lead_holter_record_is_read_from_lead_ii(mitdb, predictor):
    # mitdb 119: MLII and V1. The Holter layout (II + one chest lead) is read from II alone
    # (ml.beatinput.analysed_slots), and the result says so.
    rec = read_recording(mitdb / "119.hea")
    short = Recording(rec.samples[: int(120 * rec.fs)], rec.fs, rec.lead_names, rec.format,
                      rec.main)
    a = predictor.analyze_recording(short)
    assert a.leads_used == ["II"] and a.analysis_mode == "one lead"
    assert a.model_version == predictor.leads_version != predictor.version
    assert 120 < len(a.beats) < 220
    assert a.counts["V"] >= 10  # 119: ventricular bigeminy
    d = a.to_dict()
    assert d["leads_used"] == ["II"] and d["analysis_mode"] == "one lead"


def test_three_leads_of_a_record_are_read_together(data_dir, predictor):
    rec = read_recording(data_dir / "ludb" / "data" / "10.hea")
    cols = [rec.lead_names.index(n) for n in ("ii", "v1", "v5")]
    a = predictor.analyze_recording(Recording(rec.samples[:, cols], rec.fs, ("II", "V1", "V5"),
                                              rec.format, 0))
    assert a.leads_used == ["II", "V1", "V5"] and a.analysis_mode == "several leads"


def test_a_twelve_lead_ludb_record_is_read_from_its_twelve_leads(data_dir, predictor):
    rec = read_recording(data_dir / "ludb" / "data" / "10.hea")
    a = predictor.analyze_recording(rec)
    assert a.leads_used == ["I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4",
                            "V5", "V6"]
    assert a.analysis_mode == "several leads"
    assert 5 <= len(a.beats) <= 25  # 10 s
    assert set(a.counts) == set(CLASS_CODES) and sum(a.counts.values()) == len(a.beats)


def test_one_lead_is_analysed_as_one_lead(data_dir, predictor):
    rec = read_recording(data_dir / "ludb" / "data" / "10.hea")
    v1 = rec.lead_names.index("v1")
    only = Recording(rec.samples[:, [v1]], rec.fs, ("V1",), rec.format, 0)
    a = predictor.analyze_recording(only)
    assert a.leads_used == ["V1"] and a.analysis_mode == "one lead"
    unnamed = Recording(rec.samples[:, [v1]], rec.fs, ("ecg",), "csv", 0)
    assert predictor.analyze_recording(unnamed).leads_used == ["II"]  # read as lead II


def test_a_flat_extra_lead_is_left_out_and_said_so(data_dir, predictor):
    rec = read_recording(data_dir / "ludb" / "data" / "10.hea")
    samples = rec.samples.copy()
    samples[:, rec.lead_names.index("v3")] = 0.0  # a lead that was not connected
    a = predictor.analyze_recording(Recording(samples, rec.fs, rec.lead_names, rec.format,
                                              rec.main))
    assert "V3" not in a.leads_used and len(a.leads_used) == 11


def test_a_beat_gets_the_same_probabilities_in_any_batch(data_dir, predictor):
    from ml import beatinput, leads

    rng = np.random.default_rng(0)
    n = 300
    w = rng.normal(0, 0.2, (n, leads.N_SLOTS, beatinput.WINDOW)).astype(np.float32)
    x = beatinput.model_inputs(w, w * 0.9, np.ones((n, leads.N_SLOTS)),
                               rng.normal(size=(n, 6)))
    whole = predictor.classify_beats(x)
    for k in (0, 17, 299):
        one = predictor.classify_beats({key: v[k:k + 1] for key, v in x.items()})
        np.testing.assert_allclose(one[0], whole[k], atol=1e-5)


def test_a_record_with_many_premature_atrial_beats_is_not_called_frequent_pvc(mitdb, predictor):
    # mitdb 232: sinus bradycardia with many premature atrial beats (and a right bundle branch
    # block); the image model's summary called it PVC. (A training patient of the shipped
    # model: this checks the summary end to end, the card has the held-out figures.)
    rec = read_recording(mitdb / "232.hea")
    part = Recording(rec.samples[int(300 * rec.fs): int(420 * rec.fs)], rec.fs, rec.lead_names,
                     rec.format, rec.main)
    a = predictor.analyze_recording(part)
    assert a.finding != "V" and a.counts["V"] < 0.05 * len(a.beats)
    assert a.counts["A"] > a.counts["V"]


def test_a_spectral_recordings_model_is_fed_the_spectral_image_its_meta_names(data_dir,
                                                                              tmp_path):
    """A leadnet_spectral model (untrained: only the plumbing is tested) is read through the
    input its meta.json names; a meta that names another input than its network is refused."""
    import keras

    from ml import Predictor
    from ml.model import leadnet_spectral

    keras.utils.set_random_seed(1)
    leadnet_spectral().save(tmp_path / "model.keras")
    meta = {**json.loads((DEFAULT_LEADS_DIR / "meta.json").read_text()),
            "arch": "leadnet_spectral", "input_kind": "spectral"}
    (tmp_path / "meta.json").write_text(json.dumps(meta))
    p = Predictor(leads_dir=tmp_path)
    assert p.leads_input == "spectral"
    a = p.analyze_recording(read_recording(data_dir / "ludb" / "data" / "10.hea"))
    assert a.analysis_mode == "several leads" and 5 <= len(a.beats) <= 25
    (tmp_path / "meta.json").write_text(json.dumps({**meta, "input_kind": "time"}))
    with pytest.raises(ValueError, match="need a leadnet model"):
        Predictor(leads_dir=tmp_path)


def test_the_shipped_recordings_model_reads_the_time_domain_beat(predictor):
    assert predictor.leads_input == "time"


def test_the_recordings_models_decision_weights_are_applied_under_their_own_version(tmp_path):
    """A decision step in the recordings model's meta.json (``ml.training.decision``) changes
    every probability the Predictor reports for a recording, and the model's version."""
    import shutil

    from ml import Predictor, beatinput, decision, leads

    meta = json.loads((DEFAULT_LEADS_DIR / "meta.json").read_text())
    meta.pop("decision", None)
    weights = dict(zip(CLASS_CODES, (1.0, 0.5, 0.5, 0.05, 0.2, 0.1), strict=True))
    folders = {}
    for name, extra in (("plain", {}), ("decided", {"decision": {"tau": 1.0,
                                                                  "weights": weights}})):
        folders[name] = tmp_path / name
        folders[name].mkdir()
        shutil.copyfile(DEFAULT_LEADS_DIR / "model.keras", folders[name] / "model.keras")
        (folders[name] / "meta.json").write_text(json.dumps({**meta, **extra}))
    plain, decided = (Predictor(leads_dir=folders[n]) for n in ("plain", "decided"))
    assert plain.leads_version != decided.leads_version
    rng = np.random.default_rng(3)
    w = rng.normal(0, 0.3, (40, leads.N_SLOTS, beatinput.WINDOW)).astype(np.float32)
    x = beatinput.model_inputs(w, w * 0.8, np.ones((40, leads.N_SLOTS)), rng.normal(size=(40, 6)))
    raw = plain.classify_beats(x)
    expected = decision.apply(raw, np.array(list(weights.values()), np.float32))
    np.testing.assert_allclose(decided.classify_beats(x), expected, atol=1e-5)
    assert not np.allclose(raw, expected, atol=1e-3)
