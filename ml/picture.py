"""Reading a picture of one heartbeat, as plotting programs draw them, into the model's view.

Steps (each in its own module where it is more than a few lines):
1. grey levels and ink (ml.images): any colour, grey or transparent picture, light or dark;
2. the plot box (ml.plotbox): axes, ticks, labels and frame are left out;
3. the line, column by column (ml.trace): grid lines and stray marks are ignored, spans the
   plot box clipped are bridged by the peak the two sides point at;
4. the beat: flat padding at either end (a beat centred on a long constant baseline) is trimmed,
   the R peak is the largest excursion, and a picture whose R peak sits far off the position the
   model learned is cropped on its longer side (the time span shown is unknown and not asked
   for: the model was trained on windows of varied length and R position);
   when the person knows the time span the trace shows (``seconds``, optional, never required),
   the trace is resampled to the model's rate instead and cut around the R peak to the time
   ranges the model was trained on (``timed_window``): no guess of the time scale is left;
5. the recovered signal is drawn again by our own renderer (ml.render), so the model sees the
   same kind of drawing whatever program made the picture.

Everything that is not one heartbeat is refused with what was seen (ml.imagecheck's messages).
"""
from dataclasses import dataclass, field

import numpy as np
from scipy import signal as sps

from . import imagecheck, plotbox, render, trace
from .errors import InputRejected
from .formats import check_seconds
from .images import ink_map, to_gray

FAINT = 0.2  # ink level of a line's faint, antialiased edge that still belongs to it
MIN_EXPLAINED = 0.75  # share of the ink that must lie on the one line
MAX_MULTI = 0.25  # share of columns where other marks lie beside the line
MAX_CLIPPED = 0.6  # share of the line's width that may be bridged
PAD_MIN = 0.2  # a constant run at an end this long (share of width) is padding
ACTIVE_SHARE = 0.8
# Pictures are read at most this large: three times the model's canvas keeps a thin line's
# shape, and a larger picture only costs time.
READ_MAX_SIDE = 320
R_MIN, R_MAX = 0.25, 0.60  # R peak position (share of the window) the model was trained on
COMPLEX_GAP = 0.12  # sharp peaks closer than this share of the width are one QRS
TALL = 0.6  # a complex this tall, relative to the tallest, counts as a beat of its own
STRIP_SPACING = 0.3  # two complexes this far apart (share of the width) are two beats
# With a known time span: seconds kept before and after the R peak, what the picture shows
# brought into the ranges the model saw drawings of beats cut in: cutting the model's exact
# window instead moves the whole beat when the R peak is found a few samples off (a clipped R,
# a deep S): clipped plots lost 3 points more that way (ml/EXPERIMENTS.md). A beat on flat
# padding is cut to the exact window (EXACT_WHEN_PADDED): the padding is no signal, and a longer
# window only shrinks the beat on the canvas (the model reads wide QRS complexes as narrow).
BEFORE_RANGE = render.STYLED_BEFORE_S
AFTER_RANGE = render.STYLED_AFTER_S
EXACT_WHEN_PADDED = True


@dataclass
class Reading:
    """What the reader saw, for evaluation and explanations."""

    ink: np.ndarray  # the canonical ink (render.HEIGHT x render.WIDTH)
    signal: np.ndarray  # the recovered beat, amplitude up, arbitrary units
    framed: set = field(default_factory=set)
    clipped: dict = field(default_factory=dict)
    trimmed: tuple = (0, 0)  # columns of flat padding found on the left and right
    cropped: tuple = (0, 0)  # samples dropped on each side to bring the R peak into place
    seconds: float | None = None  # the time span the person gave, if any (then ``signal`` is
    # at render.FS and ``cropped`` counts its samples; ``timed_window``)
    padded: tuple = (0, 0)  # samples added on each side where the picture shows too little


def _trim_padding(sig):
    """Samples of flat padding at either end (a beat drawn on a long constant line)."""
    n = sig.size
    scale = max(float(np.ptp(sig)), 1e-9)
    flat = np.abs(np.diff(sig)) <= 0.004 * scale + 1e-9
    cap = min(3, n // 10)  # a line's rounded end caps make its first columns differ

    def run(values):
        values = values[cap:]
        return cap + (int(np.argmin(values)) if not values.all() else values.size)

    left, right = run(flat), run(flat[::-1])
    left = left if left >= PAD_MIN * n else 0
    right = right if right >= PAD_MIN * n else 0
    # Padding at another level than the beat's end (zeros) leaves a step: drop it too.
    step = np.abs(np.diff(sig)) > 0.05 * scale
    for _ in range(4):
        if left and left < n // 2 and step[left]:
            left += 1
        if right and right < n // 2 and step[n - 2 - right]:
            right += 1
    return left, right


def _around_active(sig, a, b):
    """The model's window around a beat whose active part (P to T) is sig[a:b].

    A beat drawn on long flat padding shows no time scale; the active part of a beat takes
    about ``ACTIVE_SHARE`` of the window the model learned (P onset 0.2 s before the R peak, T end
    0.35 s after, in a 0.28 + 0.42 s window), so the window is sized from it. Beyond the active
    part the window holds the beat's own baseline level (padding may sit at another level).
    """
    r = a + r_peak(sig[a:b])
    span = (b - a) / ACTIVE_SHARE
    start = int(round(r - render.BEFORE_S / (render.BEFORE_S + render.AFTER_S) * span))
    stop = int(round(r + render.AFTER_S / (render.BEFORE_S + render.AFTER_S) * span))
    lo, hi = max(start, a), min(stop, b)
    return np.concatenate([np.full(lo - start, sig[a]), sig[lo:hi], np.full(stop - hi, sig[b - 1])])


def count_complexes(sig):
    """Tall QRS complexes: groups of sharp excursions from the baseline, as tall as the tallest.

    A notched QRS (RSR', a fragmented complex) has two or three sharp peaks close together, so
    peaks nearer than ``COMPLEX_GAP`` of the width make one complex. A sharp T or P wave is not
    as tall as the QRS; a strip's complexes are alike, so only complexes at least
    ``TALL`` times the tallest count, and two count only when they are far apart (two beats).
    """
    base = np.median(sig)
    dev = np.abs(sig - base) / max(float(np.ptp(sig)), 1e-9)
    n = sig.size
    peaks, _ = sps.find_peaks(dev, height=0.3, prominence=0.25, distance=max(2, int(0.02 * n)))
    if peaks.size == 0:
        return 0
    widths = sps.peak_widths(dev, peaks, rel_height=0.5)[0]
    sharp = peaks[widths < 0.06 * n]
    if sharp.size == 0:
        return 0
    groups = np.split(sharp, np.flatnonzero(np.diff(sharp) > COMPLEX_GAP * n) + 1)
    heights = np.array([dev[g].max() for g in groups])
    tall = [g for g, h in zip(groups, heights, strict=True) if h >= TALL * heights.max()]
    if len(tall) == 2 and tall[1][0] - tall[0][-1] < STRIP_SPACING * n:
        return 1
    return len(tall)


def r_peak(sig):
    """Index of the R peak: the largest excursion inside the steepest part (the QRS).

    The largest excursion alone can be a tall T wave; the QRS is where the line moves fastest.
    """
    n = sig.size
    k = max(1, int(0.03 * n))
    speed = np.convolve(np.abs(np.diff(sig, prepend=sig[0])), np.ones(k) / k, mode="same")
    centre = int(np.argmax(speed))
    lo, hi = max(0, centre - 2 * k), min(n, centre + 2 * k + 1)
    return lo + int(np.argmax(np.abs(sig[lo:hi] - np.median(sig))))


def _place_r(sig):
    """(start, stop) sample range that puts the R peak between R_MIN and R_MAX of the window."""
    n = sig.size
    r = r_peak(sig)
    start, stop = 0, n
    if r < R_MIN * n:
        stop = min(n, int(np.ceil(r / R_MIN)) + 1)
    elif r > R_MAX * n:
        start = max(0, int(r - (n - r) * R_MAX / (1 - R_MAX)))
    if stop - start < 0.4 * n:  # the R peak at the very edge: keep what there is
        return 0, n
    return start, stop


def timed_window(sig, seconds, active=None, has_qrs=True):
    """(window, cropped, padded): the beat of a trace whose time span is known, at render.FS.

    ``sig`` has one sample per column from the trace's left end to its right end, which lie
    ``seconds`` apart; it is resampled to ``render.FS``. Each side of the R peak (found in
    ``sig[active[0]:active[1]]``, the beat without flat padding) keeps the time the picture
    shows there, brought into ``BEFORE_RANGE`` / ``AFTER_RANGE`` (seconds; the model's exact
    window when flat padding was found): cropped where the picture shows more, continued at the
    trace's end level where it shows less, as ``_around_active`` does. A trace without a QRS
    (fibrillation) has no R peak to place: it keeps its active part, at most the longest
    window the ranges allow (its middle): flat padding around waves is not what the model saw.
    """
    n = sig.size
    a, b = active or (0, n)
    cols_per_s = (n - 1) / seconds
    samples = np.interp(np.arange(int(round(seconds * render.FS)) + 1) / render.FS * cols_per_s,
                        np.arange(n), sig)
    m = samples.size
    if not has_qrs:
        a_s = int(round(a / cols_per_s * render.FS))
        b_s = max(a_s + 2, int(round((b - 1) / cols_per_s * render.FS)) + 1)
        longest = int(round((BEFORE_RANGE[1] + AFTER_RANGE[1]) * render.FS)) + 1
        start = a_s + max(0, (b_s - a_s - longest) // 2)
        stop = min(b_s, start + longest)
        return samples[start:stop], (start, m - stop), (0, 0)
    r = int(round((a + r_peak(sig[a:b])) / cols_per_s * render.FS))
    before_range, after_range = BEFORE_RANGE, AFTER_RANGE
    if EXACT_WHEN_PADDED and (a > 0 or b < n):
        before_range, after_range = (render.BEFORE_S,) * 2, (render.AFTER_S,) * 2
    before = np.clip(r / render.FS, *before_range)
    after = np.clip((m - 1 - r) / render.FS, *after_range)
    start = r - int(round(before * render.FS))
    stop = r + int(round(after * render.FS)) + 1
    lo, hi = max(start, 0), min(stop, m)
    window = np.concatenate([np.full(lo - start, samples[lo]), samples[lo:hi],
                             np.full(stop - hi, samples[hi - 1])])
    return window, (lo, m - hi), (lo - start, stop - hi)


def _check_drawing(gray):
    contrast = imagecheck.local_contrast(gray)
    if contrast < imagecheck.BLANK_CONTRAST:
        raise InputRejected(imagecheck.BLANK)
    if contrast < imagecheck.SHARP_CONTRAST and (
            imagecheck.sharpness(gray, contrast) < imagecheck.MIN_SHARPNESS):
        raise InputRejected(imagecheck.BLURRED)


def read(image, seconds=None):
    """A ``Reading`` of a picture of one heartbeat; InputRejected saying what was seen if not.

    ``seconds``: the time span the trace shows, from its left end to its right end, when the
    person knows it (``ml.formats.check_seconds`` says which spans are used: others are
    refused); None reads as without it.
    """
    if seconds is not None:
        seconds = check_seconds(seconds)
    gray = imagecheck.downscale(to_gray(image), READ_MAX_SIDE)
    _check_drawing(gray)
    ink = ink_map(gray)
    if not (ink >= 0.35).any():
        raise InputRejected(imagecheck.BLURRED)
    top, bottom, left, right, framed = plotbox.find_box(ink, faint=0.1)
    if framed:
        # Inside the frame the trace is the darkest thing (axes and labels were the darkest
        # outside): its ink is measured again there, so a light coloured line is full ink.
        box = ink_map(gray[top:bottom, left:right])
    else:
        box = ink
    mask = box >= FAINT
    cols = np.flatnonzero(mask.any(axis=0))
    rows = np.flatnonzero(mask.any(axis=1))
    if cols.size == 0:
        raise InputRejected(imagecheck.BLURRED)
    if cols[-1] - cols[0] < 8:
        raise InputRejected(imagecheck.NOT_A_TRACE)
    # Filled: judged without grid lines (rows or columns inked right across), which a plot
    # may have many of.
    sub = box[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1] >= 0.5
    sub = sub[sub.mean(axis=1) < trace.GRID_ROW][:, sub.mean(axis=0) < trace.GRID_COL]
    if sub.size and sub.shape[0] > 6 and sub.mean() > imagecheck.MAX_FILL:
        raise InputRejected(imagecheck.FILLED)
    # The tracer judges grid lines against the drawn extent, not the whole picture.
    box = box[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    line = trace.follow(box, FAINT)
    if line.explained < MIN_EXPLAINED:
        raise InputRejected(imagecheck.scattered(line.explained))
    if line.multi > MAX_MULTI or line.jumps > 2:
        raise InputRejected(imagecheck.NOT_A_TRACE)
    valid = ~np.isnan(line.lo)
    width = int(np.flatnonzero(valid)[-1] - np.flatnonzero(valid)[0] + 1)
    if width < 0.5 * box.shape[1]:
        raise InputRejected(imagecheck.NOT_A_TRACE)
    if np.nanmax(line.hi) - np.nanmin(line.lo) + 1 < max(4.0, 3.0 * line.thickness):
        raise InputRejected(imagecheck.FLAT)
    edge_top = 0 if "top" in framed else float(np.nanmin(line.lo))
    edge_bottom = box.shape[0] - 1 if "bottom" in framed else float(np.nanmax(line.hi))
    lo, hi = trace.bridge(line, edge_top, edge_bottom, framed=bool(framed & {"top", "bottom"}))
    if line.breaks:
        raise InputRejected(imagecheck.broken(line.breaks))
    clipped = sum(line.clipped.values())
    if clipped > MAX_CLIPPED * width:
        raise InputRejected(imagecheck.clipped(sorted(line.clipped, reverse=True), clipped / width))
    sig = trace.to_signal(lo, hi, line.thickness)
    if np.ptp(sig) < max(3.0, 2.0 * line.thickness) or np.ptp(sig) < 0.04 * width:
        raise InputRejected(imagecheck.FLAT)
    traced = sig
    cut_l, cut_r = _trim_padding(sig)
    if cut_l or cut_r:
        sig = _around_active(sig, cut_l, sig.size - cut_r)
    complexes = count_complexes(sig)
    if complexes > 1:
        raise InputRejected(imagecheck.strip(complexes))
    padded = (0, 0)
    if seconds is None:
        # Only a beat with a sharp QRS has an R peak to place (fibrillation waves have none).
        start, stop = _place_r(sig) if complexes else (0, sig.size)
        beat = sig[start:stop]
        cropped = (start, sig.size - stop)
    else:
        beat, cropped, padded = timed_window(traced, seconds, (cut_l, traced.size - cut_r),
                                             has_qrs=bool(complexes))
    ink_out = render.render_ink(beat[None, :])[0]
    return Reading(
        ink=ink_out,
        signal=beat,
        framed=framed,
        clipped=dict(line.clipped),
        trimmed=(cut_l, cut_r),
        cropped=cropped,
        seconds=seconds,
        padded=padded,
    )


def canonical_beat(image, seconds=None):
    """The model's view (render.HEIGHT x WIDTH ink) of a picture of one heartbeat; ``seconds``
    as for ``read``."""
    return read(image, seconds).ink
