"""The style gap is reported with a paired-bootstrap interval, so a 1-point target can be
judged against the sampling error of the drawings."""
import numpy as np

from ml.reports.evaluate import gap_interval, per_class_accuracy


def test_the_interval_is_exact_when_every_beat_agrees():
    own = np.ones(50, bool)
    assert gap_interval(own, [own, own]) == [0.0, 0.0]
    assert gap_interval(own, [~own, ~own]) == [100.0, 100.0]


def test_the_interval_surrounds_the_gap_and_narrows_with_more_beats():
    rng = np.random.default_rng(1)

    def width(n):
        own = rng.random(n) < 0.6
        others = [own ^ (rng.random(n) < 0.1) for _ in range(5)]
        lo, hi = gap_interval(own, others)
        gap = 100 * (own.mean() - np.mean(others))
        assert lo <= gap <= hi
        return hi - lo

    assert width(3000) < width(300) / 2


def test_the_pairing_is_used():
    # Same beats, same mistakes plus a few: a paired interval is far tighter than the spread
    # of two independent accuracies would suggest.
    rng = np.random.default_rng(2)
    own = rng.random(1000) < 0.5
    other = own.copy()
    other[:20] = False
    lo, hi = gap_interval(own, [other])
    assert 0 <= lo and hi < 3


def test_per_class_accuracy_counts_each_class_on_its_own_beats():
    labels = np.array([0, 0, 0, 0, 4, 4])
    hits = np.array([True, True, True, False, True, False])
    assert per_class_accuracy(hits, labels) == {"N": 0.75, "V": 0.5}
