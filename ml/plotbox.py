"""The plot box of a chart: where the trace is drawn, without axes, ticks, labels or frame.

Plotting programs draw a frame (matplotlib's spines) or only a left and a bottom axis around
the data, with tick marks and numbers outside. A frame side is a long straight stroke, and a
frame has at least two sides meeting at a corner. A side is taken as a side of the box only
when what lies beyond it is not the trace (labels and ticks are short, separate marks; the
trace runs on across the picture) and when the inside still holds a line across most of its
width (a trace's own flat baseline is also a long straight stroke, and cropping to it would
leave almost nothing).
"""
import numpy as np

LONG = 0.6  # a frame side covers this share of the picture's width (or height)
INSET = 3  # pixels dropped inside a frame side: antialiased frame edges are not the trace


def _longest_run(values):
    """Length of the longest run of True in a 1-D boolean array."""
    edges = np.diff(np.concatenate([[0], values.astype(np.int8), [0]]))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    return int((ends - starts).max()) if starts.size else 0


def _lines(mask, axis):
    """Indices of rows (axis=1) or columns (axis=0) holding one long straight stroke."""
    length = mask.shape[axis]
    cand = np.flatnonzero(mask.sum(axis=axis) >= LONG * length)
    take = (lambda i: mask[i]) if axis == 1 else (lambda i: mask[:, i])
    return [int(i) for i in cand if _longest_run(take(i)) >= LONG * length]


def _beyond_is_not_trace(mask):
    """Marks beyond a frame side: labels and ticks, not a line running across them."""
    if mask.size == 0:
        return True
    cols = mask.any(axis=0)
    return _longest_run(cols) < 0.4 * mask.shape[1]


def _inside_holds_trace(inner, faint):
    """A line crosses most columns inside (traces may be lighter than the frame: ``faint``)."""
    if inner.shape[0] < 8 or inner.shape[1] < 8:
        return False
    return float((inner >= faint).any(axis=0).mean()) >= 0.7


def _has_corner(rows, cols, pair_rows, pair_cols, reach=3):
    for r in (min(rows, default=None), max(rows, default=None)):
        for c in (min(cols, default=None), max(cols, default=None)):
            if r is None or c is None:
                continue
            near_r = slice(max(0, r - reach), r + reach + 1)
            near_c = slice(max(0, c - reach), c + reach + 1)
            if pair_cols[near_r, c].any() and pair_rows[r, near_c].any():
                return True
    return False


def find_box(ink, threshold=0.5, faint=0.2):
    """(top, bottom, left, right, framed) of the area the trace is drawn in.

    The bounds are half-open pixel indices into ``ink``; ``framed`` says which sides are a drawn
    frame ("top", "bottom", "left", "right"): a trace that meets a framed side was clipped there.
    """
    mask = ink >= threshold
    h, w = mask.shape
    top, bottom, left, right = 0, h, 0, w
    framed = set()
    # A thin frame line that straddles two pixel rows (or columns) is half ink in each.
    # Downscaling leaves a 1 px black line grey: frame lines are looked for at a lower level
    # (light grid lines stay below it).
    line = ink >= 0.35
    pair_rows = line | (ink + np.roll(ink, -1, axis=0) >= 0.6)
    pair_cols = line | (ink + np.roll(ink, -1, axis=1) >= 0.6)
    rows, cols = _lines(pair_rows, 1), _lines(pair_cols, 0)
    if not _has_corner(rows, cols, pair_rows, pair_cols):
        # A frame's sides meet at a corner; a lone long stroke is the trace (a flat baseline,
        # a steep QRS drawn over the full height), not a frame.
        return 0, h, 0, w, set()
    if rows:
        lo, hi = min(rows), max(rows)
        if hi > h / 2 and _beyond_is_not_trace(mask[hi + 1 :]):
            bottom = hi - INSET + 1
            framed.add("bottom")
        if lo < h / 2 and _beyond_is_not_trace(mask[:lo]):
            top = lo + INSET
            framed.add("top")
    if cols:
        lo, hi = min(cols), max(cols)
        if lo < w / 2 and _beyond_is_not_trace(mask[:, :lo].T):
            left = lo + INSET
            framed.add("left")
        if hi > w / 2 and _beyond_is_not_trace(mask[:, hi + 1 :].T):
            right = hi - INSET + 1
            framed.add("right")
    if framed and not _inside_holds_trace(ink[top:bottom, left:right], faint):
        return 0, h, 0, w, set()
    return top, bottom, left, right, framed
