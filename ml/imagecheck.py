"""Is this picture a drawing of one heartbeat? The checks, and what we tell people when not.

The classifier would happily give a label to a holiday photo, so the picture reader
(ml.picture) refuses a picture unless it has the structure of a single-beat ECG plot:
- something is drawn at all (not blank), and sharply (not a blurred photo);
- it is a line, not a filled picture (photos, screenshots, solid shapes);
- the line is one trace that runs from left to right with one stroke per column, like the
  graph of a signal over time (text, noise and scattered shapes fail this); breaks are allowed
  only where the plot box clipped the line;
- it is not flat and it does not contain a strip of several beats.

Each refusal says what was seen, so that people know what to change. The thresholds were set
on drawings from the training records and are measured on held-out ones by
``python -m ml.reports.bench`` (rejection) and ``python -m ml.reports.picture_eval``.
"""
import numpy as np
from PIL import Image
from scipy import ndimage

ANALYSIS_MAX_SIDE = 512
MAX_FILL = 0.30  # share of the drawing's box covered by ink; a line covers far less

BLANK = (
    "This image is blank: it is all one colour (or one smooth shade), with no line drawn on it. "
    "Upload a picture of one heartbeat drawn as a line."
)
BLURRED = (
    "This picture is blurred or too faint: we could see shading but no sharp line. Upload a "
    "sharp picture of one heartbeat (an exported plot or a screenshot works best; a photo of a "
    "screen or of paper must be in focus)."
)
FILLED = (
    "This image looks like a photo or a filled picture, not a line drawing of a heartbeat. "
    "Upload a plot of one heartbeat (a single ECG trace on a plain background)."
)
NOT_A_TRACE = (
    "This image does not look like an ECG trace drawn over time: we found several lines "
    "crossing one another, or a line too short for a heartbeat. Upload a plot of one heartbeat "
    "as a single line running from left to right."
)
FLAT = (
    "The line in this image is flat, so there is no heartbeat to classify. Check that the "
    "picture shows one heartbeat with its spike (QRS complex)."
)


def scattered(explained):
    """Most of what is drawn is not on one line: text, noise, shapes."""
    return (
        "This image does not look like a single ECG trace: only "
        f"{round(100 * explained)}% of what is drawn lies on one line; the rest are separate "
        "marks (for example text, noise or shapes). Upload a plot of one heartbeat as one "
        "continuous line; axes and grid lines are fine."
    )


def broken(count):
    """The line stops and starts again in the middle of the plot, not at its edges."""
    where = "once" if count == 1 else f"{count} times"
    return (
        f"The line in this image breaks off {where} in the middle of the plot (not at its top "
        "or bottom edge, where a plot cuts off a tall spike), so it does not look like one "
        "continuous ECG trace. Upload a plot of one heartbeat drawn as one line."
    )


def clipped(edges, share):
    """The plot's vertical range cut off too much of the line to recover the beat."""
    where = " and ".join(edges)
    edge_word = "edge" if len(edges) == 1 else "edges"
    return (
        f"The line is clipped at the {where} {edge_word} of the plot over {round(100 * share)}% "
        "of its length: the plot's vertical range is too small for this beat, and too much of it "
        "is missing to classify it. Plot the beat with a vertical range that fits the whole "
        "spike (for example let the plotting program choose the range)."
    )


def strip(spikes):
    """Several QRS complexes: a strip of beats, not one."""
    return (
        f"This image shows several heartbeats (we found {spikes} QRS spikes). The image "
        "classifier judges one beat at a time: crop the picture to a single beat, or upload the "
        "recording itself (WFDB, CSV or EDF) to have every beat analysed."
    )


def downscale(gray, max_side=ANALYSIS_MAX_SIDE):
    """At most ANALYSIS_MAX_SIDE pixels on the longer side (box filter: thin lines survive)."""
    h, w = gray.shape
    scale = max_side / max(h, w)
    if scale >= 1:
        return gray
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return np.asarray(
        Image.fromarray(gray, mode="F").resize(size, Image.Resampling.BOX), dtype=np.float32
    )


def local_contrast(gray):
    """How far the most contrasted pixels stand out from their surroundings (0 to 1).

    Gradients, flat fills and faint paper texture stay under ``BLANK_CONTRAST``; a sharp line
    reaches ``SHARP_CONTRAST``; a blurred line lies in between.
    """
    size = max(9, min(gray.shape) // 4)
    local = ndimage.uniform_filter(gray, size=size, mode="nearest")
    return float(np.percentile(np.abs(gray - local), 99.5))


def sharpness(gray, contrast):
    """Steepest grey-level change per pixel relative to the contrast: about 1 for a sharp line
    (it changes within a pixel), far less for a blurred one (it fades over many pixels)."""
    gy, gx = np.gradient(gray)
    return float(np.percentile(np.hypot(gx, gy), 99.9)) / max(contrast, 1e-6)


BLANK_CONTRAST = 0.035
SHARP_CONTRAST = 0.12  # a line this contrasted is read even when blurred
MIN_SHARPNESS = 0.5  # a faint line must at least be sharp
