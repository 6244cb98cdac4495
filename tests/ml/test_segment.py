import numpy as np

from ml import segment


def test_windows_are_cut_around_each_position_and_padded_at_the_edges():
    x = np.arange(100, dtype=float)
    w = segment.cut_windows(x, [0, 50, 99], before=3, after=4)
    assert w.shape == (3, 7)
    assert list(w[1]) == [47, 48, 49, 50, 51, 52, 53]
    assert list(w[0][:3]) == [0, 0, 0]  # edge padding before the start
    assert list(w[2][-3:]) == [99, 99, 99]


def test_a_premature_beat_has_a_short_interval_before_and_a_long_one_after():
    fs = 360.0
    positions = np.cumsum([0] + [288] * 10 + [180, 396] + [288] * 5)  # 0.8 s rhythm, one early
    f = segment.rhythm_features(positions, fs)
    early = 11
    assert f[early, 0] < -0.3  # pre-RR well below the local rhythm
    assert f[early, 1] > 0.2  # compensatory pause after it
    assert np.allclose(f[5, :2], 0.0, atol=1e-6)  # a regular beat sits on the local rhythm
    assert np.all(f[:, -1] == 1.0)


def test_one_beat_has_no_rhythm_context():
    assert np.all(segment.rhythm_features([100], 360.0) == 0)
    assert np.all(segment.no_rhythm(3) == 0)


def test_the_local_template_is_the_usual_beat_not_the_odd_one():
    usual = np.sin(np.linspace(0, 3, 50))
    odd = -usual
    windows = np.stack([usual] * 20 + [odd] + [usual] * 20)
    t = segment.local_templates(windows, block=16)
    assert np.allclose(t[20], usual)
