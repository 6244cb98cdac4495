"""The analysed beat of a recording shown twice on the result page: its trace and its 2-D
spectral image (``ml.spectral``: the short-time Fourier transform the product's origin
describes, "2-D ECG spectral image representation").

The beat shown is the one that stands for the finding: the beat of the finding's class the
model was surest of (else the surest beat). Its window (0.28 s before to 0.42 s after the R
peak, as the recordings model cuts it) is read from the stored plot trace, the same signal the
rhythm strip draws, by seeking into the file; it is resampled to 360 Hz and transformed by
``ml.spectral.beat_image``. The trace is an inline SVG polyline; the spectral image a small
PNG (Pillow) in a data: URI, which the Content-Security-Policy allows for pictures.
"""
import base64
import io
import math

import numpy as np
from django.conf import settings
from django.core.files.storage import default_storage
from PIL import Image

from ml import beatinput, spectral
from ml.card import cached_card

from .models import DiagnosisFile, SignalResult

CELL = 8  # pixels per frame and per frequency bin in the picture
# A perceptually ordered dark-to-light scale (viridis' anchors): low energy dark blue.
PALETTE = np.array([(68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37)],
                   np.float64)
TRACE_WIDTH, TRACE_HEIGHT = 252, 120  # the SVG's viewBox: one unit a sample


def analysed_beat(result, label):
    """Index of the beat shown: of the beats labelled ``label``, the most confident (the first
    of equals); without any, the most confident beat. None without beats."""
    if not result.samples:
        return None
    conf = np.asarray(result.confidences, np.float64)
    same = np.asarray(result.labels) == label
    pool = np.flatnonzero(same) if same.any() else np.arange(len(conf))
    return int(pool[np.argmax(conf[pool])])


def beat_window(fh, result, index, fs):
    """The beat's window (WINDOW samples at 360 Hz, mV) from the stored trace ``fh``; zeros
    outside the recording, as the model's windows are cut."""
    r_s = result.samples[index] / fs
    t = r_s + (np.arange(beatinput.WINDOW) - beatinput.BEFORE) / beatinput.FS
    first = max(0, math.floor(t[0] * result.trace_fs) - 1)
    last = min(result.trace_length, math.ceil(t[-1] * result.trace_fs) + 2)
    fh.seek(first * 2)
    values = np.frombuffer(fh.read(max(0, last - first) * 2), dtype="<i2").astype(np.float64)
    values *= result.trace_scale_mv
    if len(values) == 0:
        return np.zeros(beatinput.WINDOW)
    at = (np.arange(first, first + len(values))) / result.trace_fs
    return np.interp(t, at, values, left=0.0, right=0.0)


def spectral_png(image):
    """PNG bytes of a spectral image (frames, bins): time across, frequency up, brighter where
    there is more energy (scaled to the image's own largest value)."""
    top = float(image.max())
    level = image / top if top > 0 else np.zeros_like(image)
    pos = level.T[::-1] * (len(PALETTE) - 1)  # rows: highest frequency first
    lo = np.clip(np.floor(pos).astype(int), 0, len(PALETTE) - 2)
    frac = (pos - lo)[..., None]
    rgb = PALETTE[lo] * (1 - frac) + PALETTE[lo + 1] * frac
    picture = Image.fromarray(np.round(rgb).astype(np.uint8), "RGB")
    picture = picture.resize((picture.width * CELL, picture.height * CELL), Image.NEAREST)
    out = io.BytesIO()
    picture.save(out, format="PNG", optimize=True)
    return out.getvalue()


def trace_points(trace):
    """SVG polyline points of a normalised window (largest value 1) in the TRACE viewBox."""
    y = TRACE_HEIGHT / 2 - np.clip(trace, -1.2, 1.2) * (TRACE_HEIGHT * 0.4)
    return " ".join(f"{x},{v:.1f}" for x, v in enumerate(y))


def model_input_of(diagnosis):
    """What the recordings model that read ``diagnosis`` reads ("time" or "spectral"), as
    its card says, or None when the card describes another model version."""
    card = cached_card(settings.ECG_LEADS_MODEL_DIR)
    if not card or card.get("model_version") != diagnosis.model_version:
        return None
    return spectral.input_kind(card.get("training"))


def beat_view(diagnosis):
    """What the result page shows of ``diagnosis``'s analysed beat, or None (no stored beats
    or trace)."""
    result = SignalResult.objects.filter(diagnosis=diagnosis).first()
    trace_file = diagnosis.files.filter(role=DiagnosisFile.Role.TRACE).first()
    if result is None or trace_file is None or not diagnosis.fs:
        return None
    index = analysed_beat(result, diagnosis.label)
    if index is None:
        return None
    with default_storage.open(trace_file.file.name, "rb") as fh:
        window = beat_window(fh, result, index, diagnosis.fs)
    trace, image = spectral.beat_image(window)
    png = spectral_png(image)
    time_s = result.samples[index] / diagnosis.fs
    return {
        "index": index + 1,
        "time_s": round(time_s, 2),
        "label": result.labels[index],
        "confidence_percent": round(100 * result.confidences[index]),
        "points": trace_points(trace),
        "width": TRACE_WIDTH,
        "height": TRACE_HEIGHT,
        "r_x": beatinput.BEFORE,
        "window_ms": round(1000 * beatinput.WINDOW / beatinput.FS),
        "image": "data:image/png;base64," + base64.b64encode(png).decode("ascii"),
        "image_width": image.shape[0] * CELL,
        "image_height": image.shape[1] * CELL,
        "max_hz": round(spectral.MAX_HZ),
        "frame_ms": round(1000 * spectral.FRAME / beatinput.FS),
        "model_input": model_input_of(diagnosis),
    }
