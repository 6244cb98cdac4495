"""Is this picture a drawing of one heartbeat? Reject everything else with a clear reason.

The classifier would happily give a label to a holiday photo, so before it sees an image we
check that the image has the structure of a single-beat ECG drawing:
- something is drawn at all (not blank);
- it is a line, not a filled picture (photos, screenshots, solid shapes);
- the line is one connected trace that runs from the left edge of the drawing to the right
  with one stroke per column, like the graph of a signal over time (text, noise and scattered
  shapes fail this);
- it is not flat and it does not contain a whole strip of several beats.

Plot frames and axes are tolerated: if the drawing is boxed in by a frame, only the inside of
the frame is used. The thresholds were set on drawings from the training records and are
measured on held-out ones by ``python -m ml.reports.bench`` (rejection figures).
"""
import numpy as np
from PIL import Image
from scipy import ndimage, signal

from .errors import InputRejected
from .images import fit_to_canvas, ink_bbox, ink_map, to_gray

ANALYSIS_MAX_SIDE = 512
MAX_FILL = 0.30  # share of the drawing's box covered by ink; a line covers far less
MIN_MAIN_SHARE = 0.85  # share of ink in the largest connected stroke
MIN_SPAN = 0.90  # the main stroke spans this share of the drawing's width
MIN_SINGLE_RUN = 0.80  # share of columns crossed exactly once by the stroke
MAX_SPIKES = 2
FAINT = 0.12  # more sharp QRS-like spikes than this is a strip of several beats

BLANK = (
    "This image looks blank: we could not find a drawn line. Upload a picture of one heartbeat "
    "drawn as a dark line on a light background."
)
FILLED = (
    "This image looks like a photo or a filled picture, not a line drawing of a heartbeat. "
    "Upload a plot of one heartbeat (a single ECG trace on a plain background)."
)
SCATTERED = (
    "This image does not look like a single ECG trace: it contains several separate marks "
    "(for example text, noise or a grid). Upload a plot of one heartbeat as one continuous line "
    "on a plain background, without text or grid lines."
)
NOT_A_TRACE = (
    "This image does not look like an ECG trace drawn over time. Upload a plot of one heartbeat "
    "as a single line running from left to right."
)
FLAT = (
    "The line in this image is flat, so there is no heartbeat to classify. Check that the "
    "picture shows one heartbeat with its spike (QRS complex)."
)
STRIP = (
    "This image shows several heartbeats. The image classifier judges one beat at a time: crop "
    "the picture to a single beat, or upload the recording itself (WFDB, CSV or EDF) to have "
    "every beat analysed."
)


def _downscale(gray):
    h, w = gray.shape
    scale = ANALYSIS_MAX_SIDE / max(h, w)
    if scale >= 1:
        return gray
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return np.asarray(
        Image.fromarray(gray, mode="F").resize(size, Image.Resampling.BOX), dtype=np.float32
    )


def _longest_run(row):
    """(length, start, end) of the longest run of True in a 1-D boolean array."""
    edges = np.diff(np.concatenate([[0], row.astype(np.int8), [0]]))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    if starts.size == 0:
        return 0, 0, 0
    k = int(np.argmax(ends - starts))
    return int(ends[k] - starts[k]), int(starts[k]), int(ends[k])


def _inside_frame(ink):
    """Crop to the inside of a plot's frame or x axis, if the picture has one.

    A frame line is a straight horizontal stroke over most of the picture's width (an ECG trace
    never stays on one pixel row that long); its ends mark the frame's left and right sides.
    Everything outside (tick marks, tick labels, titles) is dropped.
    """
    mask = ink >= 0.5
    h, w = mask.shape
    candidates = np.flatnonzero(mask.sum(axis=1) >= 0.6 * w)
    frame = [(r, *_longest_run(mask[r])) for r in candidates]
    frame = [(r, start, end) for r, length, start, end in frame if length >= 0.6 * w]
    if not frame:
        return ink
    rows = [r for r, _, _ in frame]
    bottom_row = max(rows)
    top_row = min(rows) if min(rows) < bottom_row - 8 else -1
    _, left, right = max(frame, key=lambda f: f[2] - f[1])
    # Two pixels inside the frame: antialiased frame edges are not the trace.
    inner = ink[top_row + 3 : bottom_row - 2, left + 3 : right - 3]
    if inner.shape[0] < 8 or inner.shape[1] < 8 or ink_bbox(inner) is None:
        return ink  # nothing inside: the long line is the drawing itself, not a frame
    return inner


def _has_strokes(gray):
    """Whether anything stands out from its surroundings (gradients and flat fills do not)."""
    size = max(9, min(gray.shape) // 4)
    local = ndimage.uniform_filter(gray, size=size, mode="nearest")
    contrast = np.abs(gray - local)
    return float(np.percentile(contrast, 99.5)) >= 0.12


def count_spikes(main):
    """Number of sharp, tall excursions from the baseline in a single-trace mask."""
    h, w = main.shape
    cols = np.flatnonzero(main.any(axis=0))
    top = np.argmax(main[:, cols], axis=0)
    bottom = h - 1 - np.argmax(main[::-1, cols], axis=0)
    centre = (top + bottom) / 2.0
    base = np.median(centre)
    dev = np.maximum(np.abs(top - base), np.abs(bottom - base)) / max(h - 1, 1)
    peaks, _ = signal.find_peaks(
        dev, height=0.3, prominence=0.25, distance=max(2, int(0.04 * len(cols)))
    )
    if peaks.size == 0:
        return 0
    widths = signal.peak_widths(dev, peaks, rel_height=0.5)[0]
    return int(np.sum(widths < 0.06 * len(cols)))


def canonical_beat(image):
    """Validate a beat drawing and return its canonical ink image (render.HEIGHT x WIDTH).

    Raises InputRejected, with a message for the patient, when the image is not a drawing of
    a single heartbeat.
    """
    gray = _downscale(to_gray(image))
    if not _has_strokes(gray):
        raise InputRejected(BLANK)
    ink = ink_map(gray)
    bbox = ink_bbox(ink)
    if bbox is None:
        raise InputRejected(BLANK)
    ink = _inside_frame(ink)
    bbox = ink_bbox(ink)
    if bbox is None:
        raise InputRejected(BLANK)
    top, bottom, left, right = bbox
    box = ink[top : bottom + 1, left : right + 1]
    mask = box >= 0.5
    h, w = mask.shape
    if w < 8:
        raise InputRejected(NOT_A_TRACE)
    if mask.mean() > MAX_FILL and h > 6:
        raise InputRejected(FILLED)
    # A thin antialiased line falls apart at a 0.5 threshold (a 0.7 px line straddling two
    # rows leaves both below 0.5), so strokes are traced at a faint threshold.
    labels, n = ndimage.label(box >= FAINT, structure=np.ones((3, 3), bool))
    if n == 0:
        raise InputRejected(BLANK)
    sizes = np.bincount(labels.ravel())[1:]
    main_label = int(np.argmax(sizes)) + 1
    main = labels == main_label
    main_cols = np.flatnonzero(main.any(axis=0))
    if sizes.max() / sizes.sum() < MIN_MAIN_SHARE or (
        main_cols[-1] - main_cols[0] + 1 < MIN_SPAN * w
    ):
        raise InputRejected(SCATTERED)
    # A trace crosses each column once: count vertical runs of the main stroke per column.
    runs = (np.diff(main.astype(np.int8), axis=0) == 1).sum(axis=0) + main[0]
    covered = runs[main_cols[0] : main_cols[-1] + 1]
    if np.mean(covered == 1) < MIN_SINGLE_RUN:
        raise InputRejected(NOT_A_TRACE)
    # Flat: the drawing is hardly taller than its own line.
    line = np.median(runs_length(main))
    if h < max(4.0, 3.0 * line) or h < 0.04 * w:
        raise InputRejected(FLAT)
    if count_spikes(main) > MAX_SPIKES:
        raise InputRejected(STRIP)
    return fit_to_canvas(np.where(labels == main_label, box, 0.0), (0, h - 1, 0, w - 1))


def runs_length(mask):
    """Number of inked pixels in each inked column (the stroke's vertical thickness there)."""
    counts = mask.sum(axis=0)
    return counts[counts > 0]
