"""The one input builder of the recordings model (training, evaluation and the Predictor)."""
import numpy as np
import pytest

from ml import beatinput, leads
from ml.segment import N_RHYTHM


def _recording(n_samples=3600, seed=0):
    rng = np.random.default_rng(seed)
    cleaned = rng.normal(0, 0.05, (leads.N_SLOTS, n_samples)).astype(np.float32)
    peaks = np.arange(200, n_samples - 200, 300)
    for p in peaks:
        cleaned[:, p - 3:p + 3] += np.linspace(0.5, 1.5, leads.N_SLOTS)[:, None]
    return cleaned, peaks


def test_shapes_and_the_presence_mask():
    cleaned, peaks = _recording()
    present = np.zeros(leads.N_SLOTS, bool)
    present[[leads.II, leads.SLOT["V1"]]] = True
    x = beatinput.recording_inputs(cleaned, present, peaks)
    n = len(peaks)
    assert x["beat"].shape == (n, beatinput.WINDOW, 2 * leads.N_SLOTS)
    assert x["mask"].shape == (n, leads.N_SLOTS)
    assert x["rhythm"].shape == (n, N_RHYTHM)
    np.testing.assert_array_equal(x["mask"][0], present.astype(np.float32))
    # Absent leads are zeros in the beat and in the template channels, whatever the signal.
    absent = np.flatnonzero(~present)
    assert not np.any(x["beat"][:, :, absent])
    assert not np.any(x["beat"][:, :, leads.N_SLOTS + absent])
    assert np.any(x["beat"][:, :, leads.II]) and np.any(x["beat"][:, :, leads.N_SLOTS + leads.II])
    assert np.abs(x["beat"]).max() <= beatinput.CLIP


def test_a_mask_removes_leads_the_recording_has():
    cleaned, peaks = _recording()
    present = np.ones(leads.N_SLOTS, bool)
    masks = beatinput.one_lead_masks(len(peaks), leads.II)
    x = beatinput.recording_inputs(cleaned, present, peaks, masks)
    others = [s for s in range(leads.N_SLOTS) if s != leads.II]
    assert not np.any(x["beat"][:, :, others])
    assert np.any(x["beat"][:, :, leads.II])


def test_the_window_is_the_training_tables_model_window():
    # Training cuts a wide window and takes its middle (beattable.model_window); the Predictor
    # cuts the model window directly: the two must be the same samples, zeros off the record.
    from ml.training import beattable

    x = np.random.default_rng(1).normal(size=2000).astype(np.float32)
    peaks = np.array([10, 500, 1990])
    wide = beattable.cut(x, peaks)
    np.testing.assert_array_equal(beattable.model_window(wide), beatinput.cut(x, peaks))
    assert beatinput.cut(x, peaks)[0, 0] == 0.0


def test_the_template_keeps_a_larger_beat_larger():
    cleaned, peaks = _recording()
    cleaned[leads.II, peaks[5] - 3:peaks[5] + 3] *= 3  # one beat three times the others
    present = np.zeros(leads.N_SLOTS, bool)
    present[leads.II] = True
    x = beatinput.recording_inputs(cleaned, present, peaks)
    amp = np.abs(x["beat"][:, :, leads.II]).max(axis=1)
    assert amp[5] > 2 * np.median(amp)


def test_wrong_shapes_are_refused():
    w = np.zeros((3, 2, beatinput.WINDOW), np.float32)
    with pytest.raises(ValueError, match="must be"):
        beatinput.model_inputs(w, w, np.ones((3, 2)), np.zeros((3, N_RHYTHM)))


def test_several_leads_are_read_from_three_standard_leads_up_and_one_lead_otherwise():
    ii, v1, i = leads.II, leads.SLOT["V1"], leads.SLOT["I"]
    assert beatinput.analysed_slots(range(12)) == list(range(12))
    assert beatinput.analysed_slots([i, ii, v1]) == [i, ii, v1]
    # The two-lead Holter layout (II and one chest lead) is read from lead II.
    assert beatinput.analysed_slots([v1, ii]) == [ii]
    assert beatinput.analysed_slots([v1, leads.SLOT["V5"]]) == [v1]
    assert beatinput.analysed_slots([v1, leads.SLOT["V5"]], preferred=leads.SLOT["V5"]) == [
        leads.SLOT["V5"]]
