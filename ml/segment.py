"""Cutting a cleaned signal into beat windows, and the rhythm context of each beat.

A beat's shape is not the whole story: a premature atrial beat often looks like a normal one
and is recognised by arriving early. Each beat therefore also gets a few rhythm features
computed from the R-peak positions around it; the model uses them when they exist (signals)
and learns to do without them (single uploaded images, where ``available`` is 0).
"""
import warnings

import numpy as np

N_RHYTHM = 6
LOCAL_BEATS = 8  # RR intervals in the local rhythm estimate
LOG_CLIP = 2.5


def cut_windows(x, positions, before, after):
    """Windows ``x[p - before : p + after]`` for each position, edge-padded: (n, before+after)."""
    x = np.asarray(x, dtype=np.float32)
    positions = np.asarray(positions, dtype=np.int64)
    padded = np.pad(x, (before, after), mode="edge")
    idx = positions[:, None] + np.arange(before + after)[None, :]
    return padded[idx]


def rhythm_features(positions, fs):
    """(n, N_RHYTHM) float32 rhythm context for beats at sorted sample ``positions``.

    Columns: log(pre/local), log(post/local), log(local/overall), log(pre / 1 s),
    log(post / 1 s), available. ``pre``/``post`` are the RR intervals before and after the beat,
    ``local`` the median of the last few RR intervals, ``overall`` the median of all of them.
    With fewer than two beats nothing is known and every column is 0.
    """
    positions = np.asarray(positions, dtype=np.float64)
    n = len(positions)
    out = np.zeros((n, N_RHYTHM), np.float32)
    if n < 2:
        return out
    rr = np.diff(positions) / fs
    pre = np.concatenate([[rr[0]], rr])
    post = np.concatenate([rr, [rr[-1]]])
    # Median of the RR intervals ending at each beat (a causal local rhythm estimate).
    padded = np.concatenate([np.full(LOCAL_BEATS - 1, np.nan), pre])
    windows = np.lib.stride_tricks.sliding_window_view(padded, LOCAL_BEATS)
    local = np.nanmedian(windows, axis=1)
    overall = np.median(rr)
    cols = (
        np.log(pre / local),
        np.log(post / local),
        np.log(local / overall),
        np.log(pre / 1.0),
        np.log(post / 1.0),
    )
    for j, col in enumerate(cols):
        out[:, j] = np.clip(col, -LOG_CLIP, LOG_CLIP)
    out[:, -1] = 1.0
    return out


IRREGULARITY_HALF = 15  # RR intervals on each side of a beat
IRREGULARITY_LAGS = (1, 2, 3)


def rr_irregularity(positions, fs, half=IRREGULARITY_HALF, lags=IRREGULARITY_LAGS):
    """(n,) float32: how irregular the rhythm around each beat is, 0 for a regular one.

    For each RR interval, the smallest absolute difference from one of the ``lags`` intervals
    before it; for each beat, the median of that over the ``half`` intervals on each side,
    divided by the record's median RR. The smallest of three lags keeps a repeating pattern
    (bigeminy, trigeminy) low; in atrial fibrillation no earlier interval matches. Why: an
    early beat is a premature atrial beat only in an otherwise regular rhythm
    (ml/EXPERIMENTS.md, "Where the false A calls are"). Fewer than 5 beats: zeros."""
    positions = np.asarray(positions, dtype=np.float64)
    n = len(positions)
    if n < 5:
        return np.zeros(n, np.float32)
    rr = np.diff(positions) / fs
    d = np.full(len(rr), np.inf)
    for lag in lags:
        d[lag:] = np.minimum(d[lag:], np.abs(rr[lag:] - rr[:-lag]))
    d[np.isinf(d)] = np.nan  # the first intervals have nothing before them
    padded = np.concatenate([np.full(half, np.nan), d, np.full(half + 1, np.nan)])
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * half + 1)[:n]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN windows: 0 below
        med = np.nanmedian(windows, axis=1)
    return np.clip(np.nan_to_num(med / np.median(rr)), 0, 1).astype(np.float32)


TEMPLATE_BLOCK = 64


def local_templates(windows, block=TEMPLATE_BLOCK):
    """Each beat's local dominant beat: the sample-wise median of the windows in its block of
    ``block`` consecutive beats (the last block borrows beats from the one before so it is
    never tiny). A beat unlike its template is ectopic; a beat like it is the patient's usual
    beat, whatever shape that has."""
    windows = np.asarray(windows, np.float32)
    n = len(windows)
    out = np.empty_like(windows)
    for start in range(0, n, block):
        stop = min(n, start + block)
        lo = max(0, min(start, stop - block))
        out[start:stop] = np.median(windows[lo:stop], axis=0)
    return out


N_SIMILARITY = 4
N_CONTEXT = N_RHYTHM + N_SIMILARITY
QRS_HALF_S = 0.10


def _corr(a, b):
    a = a - a.mean(axis=1, keepdims=True)
    b = b - b.mean(axis=1, keepdims=True)
    den = np.sqrt((a * a).sum(axis=1) * (b * b).sum(axis=1)) + 1e-9
    return (a * b).sum(axis=1) / den


def similarity_features(windows, templates, r_index, fs):
    """(n, N_SIMILARITY): how each beat compares with the patient's usual beat.

    Correlation over the QRS (+-100 ms) and over the whole window, and the log ratios of the
    QRS's peak-to-peak amplitude and of its total variation (a wide or notched QRS travels
    further). An ectopic beat differs from its template; the usual beat, whatever its shape
    in this patient, does not. These compare the patient with themselves, which carries over
    to new patients better than any absolute shape.
    """
    w = np.asarray(windows, np.float64)
    t = np.asarray(templates, np.float64)
    half = round(QRS_HALF_S * fs)
    q = slice(max(0, r_index - half), r_index + half)
    wq, tq = w[:, q], t[:, q]
    amp = np.log((np.ptp(wq, axis=1) + 1e-3) / (np.ptp(tq, axis=1) + 1e-3))
    tv = np.log((np.abs(np.diff(wq, axis=1)).sum(axis=1) + 1e-3)
                / (np.abs(np.diff(tq, axis=1)).sum(axis=1) + 1e-3))
    out = np.stack([_corr(wq, tq), _corr(w, t), amp, tv], axis=1)
    return np.clip(out, -LOG_CLIP, LOG_CLIP).astype(np.float32)


def context_features(rhythm, windows, templates, r_index, fs):
    """The model's context vector: rhythm features then similarity features."""
    return np.concatenate(
        [rhythm, similarity_features(windows, templates, r_index, fs)], axis=1
    ).astype(np.float32)


def no_rhythm(n):
    """Context features for beats seen without context (single images): all zero."""
    return np.zeros((n, N_CONTEXT), np.float32)
