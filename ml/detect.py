"""R-peak detection.

``detect_r_peaks(x, fs)`` returns the sample indices of the R peaks (the main deflection of
each QRS complex, where MIT-BIH reference annotations are placed).
"""
import numpy as np
from scipy import ndimage
from scipy import signal as sps

BAND_HZ = (5.0, 25.0)
WINDOW_S = 0.125
BLOCK_S = 2.0
LEVEL_BLOCKS = 5
LONG_BLOCKS = 31
LONG_FLOOR = 0.3
ALPHA = 0.36
ALPHA_SEARCH = 0.18
REFRACTORY_S = 0.2
T_WINDOW_S = 0.36
T_SLOPE_RATIO = 0.5
SEARCHBACK_RR = 1.66
MERGE_S = 0.12
P_WINDOW_S = 0.3
P_RATIO = 1.5
LOC_RADIUS_S = 0.1
SEARCH_SLOPE = 0.2


def _features(x, fs):
    sos = sps.butter(2, BAND_HZ, btype="bandpass", fs=fs, output="sos")
    d = np.gradient(sps.sosfiltfilt(sos, x))
    w = max(1, int(round(WINDOW_S * fs)))
    ad = np.abs(d)
    detect = ndimage.uniform_filter1d(ad, w, mode="nearest")
    locate = ndimage.uniform_filter1d(d * d, w, mode="nearest")
    return detect, locate, ad


def _level(f, fs):
    """Local QRS level: the median, over ~10 s, of the maxima of 2-s blocks of ``f``, floored
    by a fraction of the same over ~1 min (so a pause does not make noise look like beats)."""
    w = max(1, int(BLOCK_S * fs))
    nb = int(np.ceil(len(f) / w))
    pad = np.zeros(nb * w)
    pad[: len(f)] = f
    m = pad.reshape(nb, w).max(axis=1)
    short = ndimage.median_filter(m, size=LEVEL_BLOCKS, mode="nearest")
    long_ = ndimage.median_filter(m, size=LONG_BLOCKS, mode="nearest")
    lvl = np.maximum(short, LONG_FLOOR * long_)
    centres = (np.arange(nb) + 0.5) * w
    out = np.interp(np.arange(len(f)), centres, lvl)
    return np.maximum(out, 1e-12)


def detect_r_peaks(x, fs=360.0):
    """Indices of the R peaks of ``x`` (1-D, any units, preferably cleaned at 360 Hz)."""
    x = np.asarray(x, dtype=np.float64)
    if len(x) < int(fs):
        return np.zeros(0, dtype=np.int64)
    f, loc, ad = _features(x, fs)
    lvl = _level(f, fs)
    cand, _ = sps.find_peaks(f, distance=max(1, int(0.1 * fs)))
    v = f[cand] / lvl[cand]
    keep = v >= ALPHA_SEARCH
    cand, v = cand[keep], v[keep]
    if len(cand) == 0:
        return np.zeros(0, dtype=np.int64)
    half = int(0.075 * fs)
    slope = np.array([ad[max(0, c - half): c + half + 1].max() for c in cand])
    beats = _select(cand, v, slope, fs)
    peaks = _localize(loc, cand[beats], fs)
    return _merge(peaks, loc, fs)


def _select(cand, v, slope, fs):
    """Pan-Tompkins-style decision on normalised candidates: primary threshold, refractory
    period (keep the larger), T-wave test, search-back over long gaps."""
    refractory = REFRACTORY_S * fs
    t_window = T_WINDOW_S * fs
    beats = []
    rr = []
    rr_avg = 0.8 * fs
    last = None  # index into cand of the last beat
    n = len(cand)
    i = 0
    while i < n:
        c = cand[i]
        if last is not None and c - cand[last] > SEARCHBACK_RR * rr_avg:
            ref_slope = float(np.median(slope[beats[-8:]]))
            lo = np.searchsorted(cand, cand[last] + refractory)
            hi = np.searchsorted(cand, c - refractory, side="right")
            best = None
            for k in range(lo, hi):
                if v[k] < ALPHA_SEARCH or slope[k] < SEARCH_SLOPE * ref_slope:
                    continue
                if cand[k] - cand[last] < t_window and slope[k] < T_SLOPE_RATIO * slope[last]:
                    continue
                if best is None or v[k] > v[best]:
                    best = k
            if best is not None:
                rr.append(cand[best] - cand[last])
                rr_avg = float(np.mean(rr[-8:]))
                beats.append(best)
                last = best
                continue
        if v[i] >= ALPHA:
            if last is None:
                beats.append(i)
                last = i
            elif c - cand[last] < refractory or (
                c - cand[last] < P_WINDOW_S * fs and v[i] > P_RATIO * v[last]
            ):
                # Within the refractory period keep the larger; a much larger wave soon after
                # a small one means the small one was a P wave.
                if v[i] > v[last]:
                    beats[-1] = i
                    if rr:
                        rr[-1] += c - cand[last]
                    last = i
            elif c - cand[last] < t_window and slope[i] < T_SLOPE_RATIO * slope[last]:
                pass
            else:
                rr.append(c - cand[last])
                rr_avg = float(np.mean(rr[-8:]))
                beats.append(i)
                last = i
        i += 1
    return np.asarray(beats, dtype=np.int64)


def _localize(loc, beats, fs):
    """Move each detection to the centre of its QRS: the maximum, within +-100 ms, of the
    slope energy (5-25 Hz, smoothed over 125 ms)."""
    r = int(round(LOC_RADIUS_S * fs))
    n = len(loc)
    out = np.empty_like(beats)
    for j, b in enumerate(beats):
        lo = max(0, b - r)
        hi = min(n, b + r + 1)
        out[j] = lo + int(np.argmax(loc[lo:hi]))
    return out


def _merge(peaks, loc, fs):
    peaks = np.unique(peaks)
    if len(peaks) < 2:
        return peaks
    gap = MERGE_S * fs
    out = [peaks[0]]
    for p in peaks[1:]:
        if p - out[-1] < gap:
            if loc[p] > loc[out[-1]]:
                out[-1] = p
        else:
            out.append(p)
    return np.asarray(out, dtype=np.int64)
