"""R-peak detection.

``detect_r_peaks(x, fs)`` returns the sample indices of the R peaks (the main deflection of
each QRS complex, where MIT-BIH reference annotations are placed).
"""
import numpy as np
from scipy import ndimage
from scipy import signal as sps


def _bandpass(x, fs, lo=5.0, hi=15.0):
    sos = sps.butter(2, [lo, hi], btype="bandpass", fs=fs, output="sos")
    return sps.sosfiltfilt(sos, x)


def _feature(x, fs):
    bp = _bandpass(x, fs)
    d = np.gradient(bp)
    win = max(1, int(round(0.15 * fs)))
    mwi = ndimage.uniform_filter1d(d * d, win, mode="nearest")
    return bp, mwi


def detect_r_peaks(x, fs=360.0):
    """Indices of the R peaks of ``x`` (1-D, any units, preferably cleaned at 360 Hz)."""
    x = np.asarray(x, dtype=np.float64)
    if len(x) < int(fs):
        return np.zeros(0, dtype=np.int64)
    bp, mwi = _feature(x, fs)
    refractory = int(0.2 * fs)
    cand, _ = sps.find_peaks(mwi, distance=max(1, int(0.1 * fs)))
    if len(cand) == 0:
        return np.zeros(0, dtype=np.int64)
    vals = mwi[cand]
    init = cand < 2 * fs
    spk = 0.25 * (vals[init].max() if init.any() else vals.max())
    npk = 0.5 * np.mean(mwi[: int(2 * fs)])
    rr = []
    rr_avg = int(0.8 * fs)
    beats = []
    slopes = []
    absd = np.abs(np.gradient(bp))
    half = int(0.075 * fs)
    last = -10 * refractory
    i = 0
    n = len(cand)
    while i < n:
        c = cand[i]
        v = vals[i]
        thr1 = npk + 0.25 * (spk - npk)
        # search back when a beat seems missed
        if beats and c - last > 1.66 * rr_avg:
            lo = np.searchsorted(cand, last + refractory)
            hi = i
            if hi > lo:
                k = lo + int(np.argmax(vals[lo:hi]))
                if vals[k] > 0.5 * thr1:
                    beats.append(cand[k])
                    slopes.append(absd[max(0, cand[k] - half): cand[k] + half].max())
                    spk = 0.25 * vals[k] + 0.75 * spk
                    rr.append(cand[k] - last)
                    last = cand[k]
                    rr_avg = int(np.mean(rr[-8:]))
                    i = k + 1
                    continue
        if c - last < refractory:
            npk = 0.125 * v + 0.875 * npk
            i += 1
            continue
        if v > thr1:
            slope = absd[max(0, c - half): c + half].max()
            if beats and c - last < 0.36 * fs and slope < 0.5 * slopes[-1]:
                npk = 0.125 * v + 0.875 * npk
                i += 1
                continue
            if beats:
                rr.append(c - last)
                rr_avg = int(np.mean(rr[-8:]))
            beats.append(c)
            slopes.append(slope)
            spk = 0.125 * v + 0.875 * spk
            last = c
        else:
            npk = 0.125 * v + 0.875 * npk
        i += 1
    beats = np.asarray(beats, dtype=np.int64)
    return _localize(x, bp, beats, fs)


def _localize(x, bp, beats, fs):
    """Move each detection to the centre of its QRS: the maximum, within +-100 ms, of the
    slope energy of x band-passed 5-30 Hz and smoothed over 125 ms."""
    sos = sps.butter(2, [5.0, 30.0], btype="bandpass", fs=fs, output="sos")
    d = np.gradient(sps.sosfiltfilt(sos, x))
    loc = ndimage.uniform_filter1d(d * d, max(1, int(round(0.125 * fs))), mode="nearest")
    r = int(round(0.1 * fs))
    n = len(x)
    out = np.empty_like(beats)
    for j, b in enumerate(beats):
        lo = max(0, b - r)
        hi = min(n, b + r + 1)
        out[j] = lo + int(np.argmax(loc[lo:hi]))
    return np.unique(out)
