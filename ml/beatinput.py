"""What the recordings model (leadnet) reads for each beat: the one input builder used by
training, evaluation and the Predictor, so the three can never disagree.

Per beat:

- ``beat`` (WINDOW, 2 x 12): channels 0-11 are the beat's window (0.28 s before to 0.42 s after
  the R peak, 252 samples at 360 Hz) in the 12 standard lead slots (``ml.leads.STANDARD``);
  channels 12-23 the patient's local dominant beat in the same slots (the sample-wise median of
  the 64 surrounding beats, ``ml.segment.local_templates``). Leads the recording lacks, or that
  are masked out, are zeros. Each lead has its median removed; beat and template are divided
  by the template's largest absolute value over the used leads, so a beat larger than the
  patient's usual beat stays larger, and the result is clipped to +-5.
- ``mask`` (12,): 1 for the lead slots used, else 0.
- ``rhythm`` (6,): ``ml.segment.rhythm_features`` of the R peaks (RR before/after against the
  local rhythm...), the short rhythm context that recognises a premature beat; (7,) for a
  model whose meta.json names ``rhythm_kind`` "irregularity" (an experiment): also
  ``ml.segment.rr_irregularity``.

Which leads are read (``analysed_slots``): every usable lead of a recording with at least
``MIN_SEVERAL`` standard leads; a recording with fewer (one lead, or the two-lead Holter layout
of lead II and one chest lead) is read from one lead, II when it has it. Why: with mitdb's
Holter chest lead added to lead II, bundle branch blocks of new mitdb patients were missed
far more often than from lead II alone (ml/training/PROBE.md; ml/EXPERIMENTS.md, leadnet),
while on 12-lead records every lead helps.

Windows are cut from cleaned signals (``ml.preprocess.clean``: 360 Hz) with zeros outside the
record, as the training beat table (``ml.training.beattable``) cuts them.
"""
import numpy as np

from .leads import II, N_SLOTS
from .segment import N_RHYTHM, local_templates, rhythm_features, rr_irregularity

FS = 360.0
BEFORE = round(0.28 * FS)  # 101 samples before the R peak
WINDOW = BEFORE + round(0.42 * FS)  # 252
CLIP = 5.0
MIN_SEVERAL = 3  # standard leads a recording needs to be read from several leads
# The rhythm input: ``plain`` (rhythm_features, the shipped model) or ``irregularity`` (those
# and ml.segment.rr_irregularity, an experiment); a model's meta.json names it (rhythm_kind).
PLAIN, IRREGULARITY = "plain", "irregularity"
RHYTHM_KINDS = (PLAIN, IRREGULARITY)


def n_rhythm(kind):
    return N_RHYTHM + (kind == IRREGULARITY)


def rhythm_kind(meta):
    """The rhythm input a model reads, from its meta.json (``plain`` when unnamed)."""
    kind = (meta or {}).get("rhythm_kind", PLAIN)
    if kind not in RHYTHM_KINDS:
        raise ValueError(f"unknown rhythm_kind {kind!r}; known: {', '.join(RHYTHM_KINDS)}")
    return kind


def rhythm_inputs(peaks, kind=PLAIN, fs=FS):
    """(n, n_rhythm(kind)) rhythm input of beats at R peaks ``peaks``."""
    r = rhythm_features(peaks, fs)
    if kind == IRREGULARITY:
        r = np.concatenate([r, rr_irregularity(peaks, fs)[:, None]], axis=1)
    return r


def analysed_slots(slots, preferred=II):
    """The lead slots read of a recording whose usable leads are ``slots``."""
    slots = sorted(int(s) for s in slots)
    if len(slots) >= MIN_SEVERAL:
        return slots
    return [preferred] if preferred in slots else slots[:1]


def cut(x, peaks, before=BEFORE, width=WINDOW):
    """Windows ``x[p - before : p - before + width]`` of a 1-D signal, zeros outside it."""
    after = width - before
    padded = np.pad(np.asarray(x, np.float32), (before, after))
    return padded[np.asarray(peaks, np.int64)[:, None] + np.arange(width)[None, :]]


def templates_of(windows):
    """Local dominant beats (n, leads, width) of windows (n, leads, width) in time order."""
    windows = np.asarray(windows, np.float32)
    n, leads, width = windows.shape
    if n == 0:
        return windows.copy()
    return local_templates(windows.reshape(n, leads * width)).reshape(n, leads, width)


def model_inputs(windows, templates, masks, rhythm):
    """leadnet's inputs from windows and templates (n, 12, WINDOW) in the lead slots (zeros
    where absent), lead masks (n, 12) and rhythm features (n, N_RHYTHM)."""
    windows = np.asarray(windows, np.float32)
    templates = np.asarray(templates, np.float32)
    masks = np.asarray(masks, np.float32)
    n = len(windows)
    if windows.shape[1:] != (N_SLOTS, WINDOW) or templates.shape != windows.shape:
        raise ValueError(f"windows and templates must be (n, {N_SLOTS}, {WINDOW}), got "
                         f"{windows.shape} and {templates.shape}")
    x = np.concatenate([windows, templates], axis=1) * np.concatenate([masks, masks], axis=1)[
        :, :, None]
    x = np.transpose(x, (0, 2, 1))  # (n, WINDOW, 24): time along the convolution axis
    x = x - np.median(x, axis=1, keepdims=True)
    scale = np.abs(x[:, :, N_SLOTS:]).max(axis=(1, 2)) if n else np.zeros(0, np.float32)
    beat_scale = np.abs(x[:, :, :N_SLOTS]).max(axis=(1, 2)) if n else np.zeros(0, np.float32)
    scale = np.where(scale > 1e-3, scale, np.maximum(beat_scale, 1e-3))
    x = np.clip(x / scale[:, None, None], -CLIP, CLIP).astype(np.float32)
    return {"beat": np.ascontiguousarray(x), "mask": masks,
            "rhythm": np.asarray(rhythm, np.float32).reshape(n, -1)}


def recording_inputs(cleaned, present, peaks, masks=None, kind=PLAIN):
    """leadnet's inputs for every beat of one recording.

    ``cleaned``: (12, samples) cleaned signals at 360 Hz in the lead slots (any values where
    absent); ``present``: (12,) bool; ``peaks``: R-peak samples, ascending; ``masks``: the
    leads to use (default: every present lead); ``kind``: the rhythm input the model reads."""
    cleaned = np.asarray(cleaned, np.float32)
    present = np.asarray(present, bool)
    peaks = np.asarray(peaks, np.int64)
    n = len(peaks)
    windows = np.zeros((n, N_SLOTS, WINDOW), np.float32)
    for s in np.flatnonzero(present):
        windows[:, s] = cut(cleaned[s], peaks)
    templates = templates_of(windows)
    if masks is None:
        masks = np.repeat(present[None].astype(np.float32), n, axis=0)
    return model_inputs(windows, templates, masks, rhythm_inputs(peaks, kind))


def one_lead_masks(n, slot):
    """Masks (n, 12) using slot ``slot`` alone."""
    m = np.zeros((n, N_SLOTS), np.float32)
    m[:, slot] = 1.0
    return m
