"""Following a plotted line column by column, and bridging where the plot box clipped it.

A line plot of a signal crosses each pixel column once: in each column the trace is one
vertical run of ink (long where the signal moves fast). ``follow`` picks that run in every
column by continuity with its neighbours, ignoring grid lines (rows or columns inked right
across the box) and other marks, and reports how much of the ink it explained.

Plotting programs often fix the vertical range, so a tall QRS leaves the box: the line stops at
the box's top (or bottom) edge and comes back further right, or runs along the edge. ``bridge``
fills such spans with the peak the two sides point at (their tangents meet), which keeps the
beat's shape much closer to the real one than a flat cut, and fills short breaks (a grid line
removed, JPEG blocks) by straight interpolation. Longer breaks in the middle are reported.
"""
from dataclasses import dataclass, field

import numpy as np

GRID_ROW = 0.9  # a row inked in this share of the columns is a grid line (or a frame)
GRID_COL = 0.8  # a column inked over this share of the rows is a vertical grid line
GRID_INK = 0.08  # ink level at which light grid lines are still seen
SHORT_GAP = 0.04  # breaks up to this share of the width (min 3 px) are interpolated
TANGENT = 3  # columns used to estimate a side's slope into a clipped span


@dataclass
class Trace:
    """One value range per column: rows ``lo``..``hi`` (inclusive), NaN where no trace."""

    lo: np.ndarray
    hi: np.ndarray
    thickness: float
    explained: float  # share of the ink (grid excluded) that lies on the followed line
    multi: float  # share of traced columns with other marks beside the line
    jumps: int  # places where the line leaps between adjacent columns without a stroke
    clipped: dict = field(default_factory=dict)  # edge -> number of columns bridged
    breaks: int = 0  # breaks in the middle too long to interpolate


def _column_runs(mask):
    """(column, start row, end row inclusive) of every vertical run of ink, column by column."""
    padded = np.pad(mask, ((1, 1), (0, 0))).astype(np.int8)
    d = np.diff(padded, axis=0)
    sc, sr = np.nonzero(d.T == 1)
    _, er = np.nonzero(d.T == -1)
    return sc.tolist(), sr.tolist(), (er - 1).tolist()


def _drop_strays(lo, hi, ink):
    """Forget single columns whose run floats apart from both neighbours (a tick mark or a
    speck where the line itself was hidden: a line passes from column to column, touching), or
    crosses the whole box, lighter than a line, between two short runs (a lone vertical grid
    line; a QRS drawn in one column is as dark as the rest of the line)."""
    h, n = ink.shape
    if n < 3:
        return
    length = hi - lo + 1
    with np.errstate(invalid="ignore"):  # NaN columns compare False: they are never dropped
        tall = (length[1:-1] >= GRID_COL * h) & (length[:-2] < 0.3 * h) & (length[2:] < 0.3 * h)
    for c in np.flatnonzero(tall) + 1:
        if ink[int(lo[c]) : int(hi[c]) + 1, c].mean() < 0.5:
            lo[c] = hi[c] = np.nan
    # Judged against the neighbours as they are; a column whose left neighbour was just
    # dropped is kept (the loop this replaces went left to right and skipped it).
    with np.errstate(invalid="ignore"):
        left = _gaps(lo[:-2], hi[:-2], lo[1:-1], hi[1:-1])
        right = _gaps(lo[1:-1], hi[1:-1], lo[2:], hi[2:])
        across = _gaps(lo[:-2], hi[:-2], lo[2:], hi[2:])
        floating = (left > 2) & (right > 2) & (across <= 2)
    dropped = -1
    for c in np.flatnonzero(floating) + 1:
        if c - 1 != dropped:
            lo[c] = hi[c] = np.nan
            dropped = c


def _gaps(a0, a1, b0, b1):
    """``_gap`` of arrays of intervals (NaN where either interval is missing)."""
    return np.maximum(0, np.maximum(a0, b0) - np.minimum(a1, b1) - 1)


def _repeated(lines):
    """Grid lines come several at a time: a single full row or column is the trace itself
    (a flat line, a QRS drawn over the full height), not a grid."""
    starts = np.flatnonzero(np.diff(np.concatenate([[0], lines.astype(np.int8)])) == 1)
    return lines if starts.size >= 2 else np.zeros_like(lines)


def _at_edge(run, h, reach=3):
    return run[0] <= reach or run[1] >= h - 1 - reach


def _gap(a0, a1, b0, b1):
    """Distance in rows between intervals [a0, a1] and [b0, b1] (0 when they touch)."""
    return max(0, max(a0, b0) - min(a1, b1) - 1)


def follow(ink, threshold):
    """Trace the line in an ink map (H, W): a ``Trace``."""
    mask = ink >= threshold
    h, w = mask.shape
    # Grid lines are often lighter than the trace: they are found at a lower ink level.
    light = ink >= GRID_INK
    grid_rows = light.mean(axis=1) >= GRID_ROW
    # A full row is a grid (or zero) line when the line is elsewhere too; when all the ink is
    # on it, it is a flat trace.
    if mask[~grid_rows].any(axis=0).mean() < 0.3:
        grid_rows[:] = False
    grid_cols = _repeated(light.mean(axis=0) >= GRID_COL)
    every = [[] for _ in range(w)]
    own = [[] for _ in range(w)]
    # Rows off the grid, cumulated: a run lies wholly on grid rows when it covers none of them.
    off_grid = np.concatenate([[0], np.cumsum(~grid_rows)]).tolist()
    skip = grid_cols.tolist()
    for c, a, b in zip(*_column_runs(mask), strict=True):
        if skip[c]:
            continue
        every[c].append((a, b))
        if off_grid[b + 1] > off_grid[a]:
            own[c].append((a, b))
    lo = np.full(w, np.nan)
    hi = np.full(w, np.nan)
    multi = 0
    traced = 0
    # Start where the picture is least ambiguous: a column with a single run off the grid.
    single = [c for c in range(w) if len(own[c]) == 1]
    if not single:
        return Trace(lo, hi, 1.0, 0.0, 1.0, 0)
    lengths = np.array([own[c][0][1] - own[c][0][0] for c in single])
    seed = single[int(np.argmin(np.abs(lengths - np.median(lengths))))]
    jumps = 0
    for order in (range(seed, w), range(seed - 1, -1, -1)):
        prev = own[seed][0]
        for c in order:
            runs = own[c] or every[c]
            if not runs:
                continue
            best = min(runs, key=lambda r, p=prev: (_gap(*p, *r), abs(r[1] - r[0] - (p[1] - p[0]))))
            if _gap(*prev, *best) > max(3, 0.25 * h) and not (
                    _at_edge(prev, h) or _at_edge(best, h)):
                jumps += 1  # a leap that is not the line leaving and re-entering the box
            lo[c], hi[c] = best
            traced += 1
            multi += len(own[c]) > 1
            prev = best
    _drop_strays(lo, hi, ink)
    valid = ~np.isnan(lo)
    r = np.arange(h)[:, None]
    with np.errstate(invalid="ignore"):
        line = (r >= lo[None, :]) & (r <= hi[None, :])
    plain = mask & ~grid_rows[:, None] & ~grid_cols[None, :]
    # A picture whose only ink is one straight line across it (a flat trace) has nothing but
    # "grid" rows: that line is then the trace itself.
    explained = float((line & plain).sum() / plain.sum()) if plain.any() else 1.0
    thickness = float(np.median(hi[valid] - lo[valid] + 1))
    return Trace(
        lo,
        hi,
        thickness,
        explained,
        multi / max(traced, 1),
        jumps,
    )


def _edge_runs(trace, top, bottom):
    """Mark columns where the line runs flat along the top or bottom edge as clipped (NaN)."""
    lo, hi = trace.lo, trace.hi
    flat = (hi - lo + 1) <= trace.thickness + 1
    with np.errstate(invalid="ignore"):
        at_top, at_bottom = lo <= top, hi >= bottom
    for at in (at_top & ~at_bottom, at_bottom & ~at_top):
        run = np.nan_to_num(at & flat, nan=0).astype(bool)
        edges = np.diff(np.concatenate([[0], run.astype(np.int8), [0]]))
        for s, e in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True):
            # A clamped line reaches the edge and leaves it with steep strokes on both sides;
            # a flat baseline that merely lies lowest (padding, a plot's end) does not.
            if s == 0 or e >= lo.size or np.isnan(lo[s - 1]) or np.isnan(lo[e]):
                continue
            steep = 2 * trace.thickness + 1
            if hi[s - 1] - lo[s - 1] + 1 < steep or hi[e] - lo[e] + 1 < steep:
                continue
            if e - s >= 3:
                # Keep the first and last column: they are where the line met the edge.
                lo[s + 1 : e - 1] = np.nan
                hi[s + 1 : e - 1] = np.nan  # counted as clipped when bridged


def _slope(values, at, step):
    """Change per column of ``values`` from ``at`` going ``step`` (+1 / -1) over TANGENT cols."""
    ref = at + step * TANGENT
    idx = [i for i in range(at, ref + step, step) if 0 <= i < len(values)]
    vals = values[idx]
    good = ~np.isnan(vals)
    if good.sum() < 2:
        return 0.0
    x = np.array(idx, float)[good]
    return float(np.polyfit(x, vals[good], 1)[0]) * -step


def bridge(trace, top, bottom, framed=False):
    """Fill clipped spans and short breaks; returns per-column (lo, hi) rows, all defined.

    ``top`` and ``bottom`` are the rows of the box's edges (the trace's extremes when the picture
    has no frame). Rows above the box are negative: a bridged peak may leave the picture.
    """
    tol = max(2.0, trace.thickness + 1)
    if not framed:
        _edge_runs(trace, top + 0.5, bottom - 0.5)
    lo, hi = trace.lo.copy(), trace.hi.copy()
    w = lo.size
    valid = ~np.isnan(lo)
    cols = np.flatnonzero(valid)
    first, last = cols[0], cols[-1]
    height = max(bottom - top, 1)
    edges = np.diff(np.concatenate([[0], (~valid).astype(np.int8), [0]]))
    for a, b in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True):
        if a <= first or b > last:
            continue  # empty margin before or after the line
        left, right = a - 1, b  # the valid columns on each side
        c = np.arange(a, b, dtype=float)
        if lo[left] <= top + tol and lo[right] <= top + tol:
            # Clipped at the top: rows decrease towards the peak the two sides point at.
            up_l = max(_slope(-trace.lo, left, -1), 0.5)
            up_r = max(_slope(-trace.lo, right, 1), 0.5)
            peak = np.minimum(lo[left] - up_l * (c - left), lo[right] - up_r * (right - c))
            peak = np.maximum(peak, top - 1.5 * height)
            lo[a:b] = hi[a:b] = peak
            trace.clipped["top"] = trace.clipped.get("top", 0) + (b - a)
        elif hi[left] >= bottom - tol and hi[right] >= bottom - tol:
            down_l = max(_slope(trace.hi, left, -1), 0.5)
            down_r = max(_slope(trace.hi, right, 1), 0.5)
            trough = np.maximum(hi[left] + down_l * (c - left), hi[right] + down_r * (right - c))
            trough = np.minimum(trough, bottom + 1.5 * height)
            lo[a:b] = hi[a:b] = trough
            trace.clipped["bottom"] = trace.clipped.get("bottom", 0) + (b - a)
        else:
            if b - a > max(3, SHORT_GAP * w):
                trace.breaks += 1
            t = (c - left) / (right - left)
            mid_l = (lo[left] + hi[left]) / 2
            mid_r = (lo[right] + hi[right]) / 2
            lo[a:b] = hi[a:b] = mid_l + t * (mid_r - mid_l)
    return lo[first : last + 1], hi[first : last + 1]


def to_signal(lo, hi, thickness):
    """One sample per column, amplitude up (= -row): where the line is farthest from the
    baseline in that column, or its middle where it is nearly flat.

    A steep stroke fills its column from top to bottom; its far end is the peak the signal
    reached there (the R or S wave). Taking both ends in line order zigzags: a thick line's
    steep stroke also spills into the columns beside it.
    """
    half = np.minimum(thickness / 2.0, (hi - lo) / 2.0)
    top, bottom = lo + half, hi - half
    base = np.median((lo + hi) / 2.0)
    far = np.where(np.abs(top - base) >= np.abs(bottom - base), top, bottom)
    steep = (hi - lo + 1) > 2 * thickness + 1
    return -np.where(steep, far, (lo + hi) / 2.0)
