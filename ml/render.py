"""Drawing beats as small grayscale images: the model's view of a heartbeat.

Fixed geometry (the input contract of the CNN):
- a beat window runs from ``BEFORE_S`` before the R peak to ``AFTER_S`` after it, sampled at
  ``FS`` (360 Hz), so ``WINDOW`` samples with the R peak at index ``R_INDEX``;
- the trace is scaled to fill a ``HEIGHT`` x ``WIDTH`` canvas inside a ``MARGIN``-pixel border:
  time runs left to right over the full width, amplitude is min-max scaled over the full height
  (absolute amplitude is deliberately discarded: uploaded drawings never carry it);
- dark trace (0) on a white background (255), antialiased, ``LINE_WIDTH`` pixels thick.

Rendering is vectorised over a batch: each pixel column gets the vertical extent of the curve
inside that column (its samples plus the interpolated values at the column's edges, so steep
segments stay connected), widened by half the line width, and each pixel's coverage of that
extent is its ink. No plotting library is involved, so a batch of thousands of beats renders in
milliseconds and the same input always gives the same bytes.
"""
import numpy as np
from PIL import Image

FS = 360.0
BEFORE_S = 0.28
AFTER_S = 0.42
R_INDEX = round(BEFORE_S * FS)  # 101
WINDOW = R_INDEX + round(AFTER_S * FS)  # 252 samples
# Drawings of beats made elsewhere are cut anywhere in these ranges (seconds before and after
# the R peak) when the model is trained (ml.training.augment.random_window); the picture reader
# keeps a picture whose time span it knows within them (ml.picture.timed_window).
STYLED_BEFORE_S = (0.20, 0.42)
STYLED_AFTER_S = (0.30, 0.58)
HEIGHT = 64
WIDTH = 96
MARGIN = 2
LINE_WIDTH = 1.5


def normalise_amplitude(windows):
    """Scale each row to [0, 1] (min to max); a flat row becomes 0.5 everywhere."""
    w = np.asarray(windows, dtype=np.float32)
    lo = w.min(axis=1, keepdims=True)
    span = w.max(axis=1, keepdims=True) - lo
    flat = span < 1e-9
    out = (w - lo) / np.where(flat, 1.0, span)
    return np.where(flat, 0.5, out)


def render_ink(
    windows,
    *,
    height=HEIGHT,
    width=WIDTH,
    margin_x=MARGIN,
    margin_y=MARGIN,
    line_width=LINE_WIDTH,
    antialias=True,
):
    """Ink coverage in [0, 1] of each window drawn as a line plot: float32 (n, height, width).

    ``windows`` is (n, L) with L >= 2 samples per row. Margins may be fractional (pixels).
    """
    y = normalise_amplitude(np.atleast_2d(windows))
    n, length = y.shape
    # Row coordinate of each sample: high amplitude at the top.
    rows = margin_y + (1.0 - y) * (height - 1 - 2 * margin_y)
    # Column coordinate of each sample.
    cols = margin_x + np.arange(length) * (width - 1 - 2 * margin_x) / (length - 1)

    # Column edges at k +- 0.5; the curve's value there by linear interpolation.
    edges = np.arange(width + 1) - 0.5
    t = np.clip(np.interp(edges, cols, np.arange(length)), 0, length - 1)
    i0 = np.minimum(np.floor(t).astype(int), length - 2)
    frac = (t - i0).astype(np.float32)
    edge_rows = rows[:, i0] * (1 - frac) + rows[:, i0 + 1] * frac  # (n, width + 1)
    lo = np.minimum(edge_rows[:, :-1], edge_rows[:, 1:])
    hi = np.maximum(edge_rows[:, :-1], edge_rows[:, 1:])

    # Samples falling inside each column widen that column's extent (peaks between edges).
    owner = np.clip(np.round(cols).astype(int), 0, width - 1)
    starts = np.searchsorted(owner, np.arange(width))
    has = np.bincount(owner, minlength=width) > 0
    if has.any():
        idx = starts[has]
        smin = np.minimum.reduceat(rows, idx, axis=1)
        smax = np.maximum.reduceat(rows, idx, axis=1)
        lo[:, has] = np.minimum(lo[:, has], smin)
        hi[:, has] = np.maximum(hi[:, has], smax)

    # Columns outside the drawn time span stay empty.
    drawn = (np.arange(width) >= cols[0] - 0.5) & (np.arange(width) <= cols[-1] + 0.5)

    if not antialias:
        # An aliased pen always lights at least one pixel per column (as Bresenham does).
        line_width = max(line_width, 1.0)
    half = line_width / 2.0
    top = (lo - half)[:, None, :]
    bottom = (hi + half)[:, None, :]
    r = np.arange(height, dtype=np.float32)[None, :, None]
    # Written into C-ordered arrays: left to broadcasting, numpy would make the beats the
    # fastest-moving axis in memory, and TensorFlow copies such strided arrays element by
    # element (about 20x slower than a plain copy).
    ink = np.empty((n, height, width), np.float32)
    np.minimum(bottom, r + 0.5, out=ink)
    ink -= np.maximum(top, r - 0.5, out=np.empty_like(ink))
    np.clip(ink, 0.0, 1.0, out=ink)
    if line_width > 2.0:
        # A thick pen also widens steep strokes sideways.
        reach = int(round(half - 0.5))
        wide = ink.copy()
        for s in range(1, reach + 1):
            wide[:, :, s:] = np.maximum(wide[:, :, s:], ink[:, :, :-s])
            wide[:, :, :-s] = np.maximum(wide[:, :, :-s], ink[:, :, s:])
        ink = wide
    if not antialias:
        ink = (ink >= 0.5).astype(np.float32)
    ink *= drawn[None, None, :]
    return ink


def render_beats(windows, **kwargs):
    """Beats as uint8 grayscale images (n, H, W): dark trace on white."""
    ink = render_ink(windows, **kwargs)
    return np.round(255.0 * (1.0 - ink)).astype(np.uint8)


def beat_image(window, **kwargs):
    """One beat window as a PIL grayscale image."""
    return Image.fromarray(render_beats(np.asarray(window)[None, :], **kwargs)[0], mode="L")
