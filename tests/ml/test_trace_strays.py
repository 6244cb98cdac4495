"""ml.trace._drop_strays, vectorised, against the rule it implements written as the plain
column-by-column loop it replaced (left to right; a column whose left neighbour was dropped
is judged no further)."""
import numpy as np

from ml import trace


def gap(a0, a1, b0, b1):
    return max(0, max(a0, b0) - min(a1, b1) - 1)


def drop_strays_by_column(lo, hi, ink):
    h, n = ink.shape
    length = hi - lo + 1
    for c in range(1, n - 1):
        if length[c] >= trace.GRID_COL * h and length[c - 1] < 0.3 * h \
                and length[c + 1] < 0.3 * h and ink[int(lo[c]) : int(hi[c]) + 1, c].mean() < 0.5:
            lo[c] = hi[c] = np.nan
    for c in range(1, n - 1):
        if np.isnan(lo[c]) or np.isnan(lo[c - 1]) or np.isnan(lo[c + 1]):
            continue
        left = gap(lo[c - 1], hi[c - 1], lo[c], hi[c])
        right = gap(lo[c], hi[c], lo[c + 1], hi[c + 1])
        if left > 2 and right > 2 and gap(lo[c - 1], hi[c - 1], lo[c + 1], hi[c + 1]) <= 2:
            lo[c] = hi[c] = np.nan


def random_line(rng):
    h, n = int(rng.integers(3, 60)), int(rng.integers(1, 80))
    lo = (np.cumsum(rng.integers(-2, 3, n)) % h).astype(float)
    hi = np.minimum(h - 1, lo + rng.integers(0, 3, n))
    stray = rng.random(n) < 0.15  # specks, ticks and full-height columns
    lo[stray] = rng.integers(0, h, stray.sum())
    hi[stray] = np.minimum(h - 1, lo[stray] + rng.integers(0, h, stray.sum()))
    missing = rng.random(n) < 0.1
    lo[missing] = hi[missing] = np.nan
    return lo, hi, rng.random((h, n))


def test_it_drops_the_columns_the_column_loop_drops():
    rng = np.random.default_rng(20261205)
    dropped = 0
    for _ in range(3000):
        lo, hi, ink = random_line(rng)
        want_lo, want_hi = lo.copy(), hi.copy()
        drop_strays_by_column(want_lo, want_hi, ink)
        trace._drop_strays(lo, hi, ink)
        np.testing.assert_array_equal(lo, want_lo)
        np.testing.assert_array_equal(hi, want_hi)
        dropped += int(np.isnan(want_lo).sum())
    assert dropped > 1000  # the cases exercise the rule, not only lines without strays


def test_a_speck_beside_the_line_is_dropped_and_its_neighbour_kept():
    lo = np.array([10.0, 10, 30, 10, 30, 10, 10])
    hi = lo.copy()
    trace._drop_strays(lo, hi, np.ones((40, 7)))
    # Column 2 floats apart from both neighbours: dropped; column 3 then has no left
    # neighbour to be judged against and stays; column 4 floats again: dropped.
    assert np.isnan(lo).tolist() == [False, False, True, False, True, False, False]
