"""ml.training.probe (experimental): its loss, lead dropout and input assembly."""
import numpy as np

from ml.registry import CLASS_INDEX, NOT_VF
from ml.training import probe, sources


def test_the_set_loss_is_cross_entropy_or_minus_log_not_vf():
    p = np.array([[0.5, 0.1, 0.1, 0.1, 0.1, 0.1], [0.1, 0.1, 0.1, 0.1, 0.1, 0.5]], np.float32)
    ce = np.asarray(probe.set_loss(np.array([0, NOT_VF]), p))
    assert np.allclose(ce, [-np.log(0.5), -np.log(0.5)], atol=1e-5)
    assert np.allclose(np.asarray(probe.set_loss(np.array([CLASS_INDEX["VF"]]), p[1:])),
                       -np.log(0.5), atol=1e-5)


def test_lead_dropout_keeps_lead_ii_alone_often_and_never_nothing():
    rng = np.random.default_rng(0)
    present = np.zeros((4000, 12), bool)
    present[:2000] = True  # 12-lead beats
    present[2000:, [sources.II, sources.LEAD_INDEX["V1"]]] = True  # mitdb-like
    masks = probe.random_masks(present, rng)
    assert np.all(masks.sum(axis=1) >= 1)
    assert not np.any(masks[~present])
    only_ii = (masks.sum(axis=1) == 1) & (masks[:, sources.II] == 1)
    assert 0.35 < only_ii[:2000].mean() < 0.5
    assert masks[:2000].sum(axis=1).max() > 6  # most leads kept in the others


class _Table:
    """The fields of a beattable.BeatTable that probe.Beats reads: one two-lead record."""

    def __init__(self, n=70):
        t = np.arange(378)
        qrs = np.exp(-0.5 * ((t - 162) / 4.0) ** 2)
        windows = np.stack([np.stack([qrs, -0.5 * qrs])] * n).astype(np.float16)
        windows[5] *= 2  # one beat twice its template's size
        self.tables = [{"windows": windows,
                        "slots": np.array([sources.II, sources.LEAD_INDEX["V1"]], np.int8)}]
        self.labels = np.zeros(n, np.int8)
        self.labels[:2] = -2  # unscored: left out
        self.patient = np.full(n, "x:1")
        self.database = np.full(n, "mitdb")
        self.fold = np.zeros(n, np.int8)
        self.rhythm = np.zeros((n, 6), np.float32)
        self.present = np.zeros((n, 12), bool)
        self.present[:, [sources.II, sources.LEAD_INDEX["V1"]]] = True
        self.record = np.zeros(n, np.int32)
        self.beat = np.arange(n, dtype=np.int32)


def test_inputs_put_each_lead_in_its_slot_scaled_by_the_template():
    beats = probe.Beats(_Table())
    assert len(beats) == 68 and beats.beat[0] == 2
    idx = np.array([0, 3])  # table beats 2 and 5
    x = beats.inputs(idx, beats.present[idx].astype(np.float32))["beat"]
    assert x.shape == (2, 252, 24)
    r = 101  # the R peak in the model window
    assert np.isclose(x[0, r, sources.II], 1.0, atol=0.02)
    assert np.isclose(x[0, r, sources.LEAD_INDEX["V1"]], -0.5, atol=0.02)
    assert np.isclose(x[1, r, sources.II], 2.0, atol=0.05)  # larger than its template
    assert np.isclose(x[1, r, 12 + sources.II], 1.0, atol=0.02)  # the template channel
    absent = [i for i in range(12) if i not in (sources.II, sources.LEAD_INDEX["V1"])]
    assert not np.any(x[:, :, absent])
    only_ii = np.zeros((2, 12), np.float32)
    only_ii[:, sources.II] = 1
    x = beats.inputs(idx, only_ii)["beat"]
    assert not np.any(x[:, :, sources.LEAD_INDEX["V1"]])
    assert not np.any(x[:, :, 12 + sources.LEAD_INDEX["V1"]])
