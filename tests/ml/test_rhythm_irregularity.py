"""The RR-irregularity rhythm input (``ml.segment.rr_irregularity``, an experiment of issue 15):
low in a regular rhythm, with isolated early beats or a repeating pattern; high in an
irregularly irregular one; and read by training, evaluation and the Predictor alike when a
model's meta.json names it."""
import json

import numpy as np
import pytest

from ml import beatinput
from ml.segment import N_RHYTHM, rr_irregularity

FS = 360.0


def _peaks(rr):
    return np.round(np.concatenate([[0.0], np.cumsum(rr)]) * FS).astype(np.int64) + 500


def test_a_regular_rhythm_with_a_few_premature_beats_stays_low():
    rr = np.full(120, 0.8)
    rr[[30, 70]] = 0.5  # two premature beats, each followed by a compensatory pause
    rr[[31, 71]] = 1.1
    assert rr_irregularity(_peaks(rr), FS).max() < 0.02


def test_bigeminy_is_a_pattern_not_an_irregular_rhythm():
    rr = np.tile([0.5, 1.1], 60)  # every other beat early
    assert rr_irregularity(_peaks(rr), FS).max() < 0.02


def test_an_irregularly_irregular_rhythm_is_high():
    rng = np.random.default_rng(0)
    rr = rng.uniform(0.45, 1.1, 120)
    assert np.median(rr_irregularity(_peaks(rr), FS)) > 0.05  # regular rhythms: < 0.02


def test_irregularity_is_local_to_the_part_of_the_record_that_is_irregular():
    rng = np.random.default_rng(1)
    rr = np.concatenate([np.full(100, 0.8), rng.uniform(0.45, 1.1, 100)])
    irr = rr_irregularity(_peaks(rr), FS)
    assert len(irr) == 201
    assert irr[:70].max() < 0.02 and irr[140:].min() > 0.05


def test_a_few_beats_give_zeros():
    assert rr_irregularity(_peaks([0.8, 0.8, 0.8]), FS).tolist() == [0.0] * 4


def test_the_rhythm_input_has_one_more_column_for_a_model_that_reads_it():
    peaks = _peaks(np.full(40, 0.8))
    assert beatinput.rhythm_inputs(peaks).shape == (41, N_RHYTHM)
    both = beatinput.rhythm_inputs(peaks, beatinput.IRREGULARITY)
    assert both.shape == (41, N_RHYTHM + 1)
    np.testing.assert_array_equal(both[:, :N_RHYTHM], beatinput.rhythm_inputs(peaks))
    assert beatinput.rhythm_kind({}) == beatinput.PLAIN
    with pytest.raises(ValueError, match="rhythm_kind"):
        beatinput.rhythm_kind({"rhythm_kind": "entropy"})


def test_training_and_evaluation_read_the_rhythm_input_the_model_names(data_dir, tmp_path):
    from ml.reports import cv
    from ml.training import leadnet

    beats = leadnet.load_beats(records=("ludb/1", "ludb/10", "ludb/5"))
    r = beats.record == 0
    np.testing.assert_allclose(beats.irregularity[r],
                               rr_irregularity(beats.peaks[0], FS)[beats.beat[r]])
    _model, meta = leadnet.train(beats, "cv0", steps=2, out=tmp_path, every=2,
                                 log=lambda m: None, rhythm=beatinput.IRREGULARITY)
    assert meta["rhythm_kind"] == "irregularity" and meta["input"]["n_rhythm"] == N_RHYTHM + 1
    _train, test = leadnet.split_keys("cv0", beats)
    p = cv.predictions(tmp_path, beats, test)
    assert p[cv.ONE].shape == (len(p["index"]), 6)


def test_the_predictor_feeds_a_recordings_model_the_rhythm_input_it_names(data_dir, tmp_path):
    import keras

    from ml import Predictor
    from ml.formats import read_recording
    from ml.model import leadnet
    from ml.predictor import DEFAULT_LEADS_DIR

    keras.utils.set_random_seed(1)
    leadnet(n_rhythm=N_RHYTHM + 1).save(tmp_path / "model.keras")
    meta = {**json.loads((DEFAULT_LEADS_DIR / "meta.json").read_text()),
            "rhythm_kind": "irregularity"}
    (tmp_path / "meta.json").write_text(json.dumps(meta))
    p = Predictor(leads_dir=tmp_path)
    assert p.leads_rhythm == "irregularity"
    a = p.analyze_recording(read_recording(data_dir / "ludb" / "data" / "10.hea"))
    assert 5 <= len(a.beats) <= 25
