"""Signal preprocessing: one sampling rate, baseline-wander removal, wavelet denoising.

Everything downstream (R-peak detection, beat windows, the CNN) works at ``TARGET_FS`` = 360 Hz,
the rate of the MIT-BIH Arrhythmia Database the model learns from.

Choices (and why):

* ``resample``: polyphase resampling (``scipy.signal.resample_poly``) by the smallest integer
  ratio up/down with up/down = target/fs within 0.1 %: linear phase, an anti-aliasing FIR
  filter, and fast for long records. 250 Hz (vfdb) -> 360 Hz is exactly 36/25.
* ``remove_baseline``: zero-phase (forward-backward) 2nd-order Butterworth high-pass at
  0.5 Hz. Baseline wander (breathing, movement) sits below ~0.5 Hz; a zero-phase filter
  moves no wave in time and, unlike a one-way filter, does not distort the ST segment
  (AHA recommendation: 0.67 Hz is acceptable for bidirectional filters). Cost is a few ms.
* ``denoise``: discrete wavelet transform with ``sym8`` (near-symmetric, so little phase
  distortion, and its shape resembles a QRS complex), 5 levels at 360 Hz. Soft thresholding
  of detail levels 1-3 (above ~22 Hz: muscle noise, mains residue, quantisation) with a
  per-level universal threshold sigma_j * sqrt(2 ln N), where sigma_j is the MAD/0.6745 noise
  estimate of level j. Levels 4-5 and the approximation (below ~22 Hz, where P, QRS and T live)
  are kept untouched, so the QRS keeps its amplitude. N is fixed at 10 s of signal
  (``_REFERENCE_N``) rather than the record length, so a beat is cleaned the same way whether
  it comes from a 10-second upload or a 30-minute record.
"""
from fractions import Fraction

import numpy as np
import pywt
from scipy import signal as sps

TARGET_FS = 360.0

BASELINE_CUTOFF_HZ = 0.5
WAVELET = "sym8"
DECOMPOSITION_LEVELS = 5
THRESHOLDED_LEVELS = 3  # finest levels 1..3: above fs/16 = 22.5 Hz at 360 Hz
_REFERENCE_N = int(10 * TARGET_FS)


def _ratio(fs, target):
    frac = Fraction(float(target) / float(fs)).limit_denominator(1000)
    if abs(float(frac) - target / fs) > 1e-3 * target / fs:  # pragma: no cover - defensive
        raise ValueError(f"cannot approximate {target}/{fs} by a small ratio")
    return frac.numerator, frac.denominator


def resample(x, fs, target=TARGET_FS):
    """``x`` sampled at ``fs`` Hz, resampled to ``target`` Hz (polyphase FIR, linear phase)."""
    x = np.asarray(x, dtype=np.float64)
    if abs(float(fs) - float(target)) < 1e-9:
        return x.copy()
    up, down = _ratio(fs, target)
    return sps.resample_poly(x, up, down, padtype="line")


def remove_baseline(x, fs):
    """High-pass ``x`` at 0.5 Hz with zero phase: removes baseline wander, keeps wave timing."""
    x = np.asarray(x, dtype=np.float64)
    sos = sps.butter(2, BASELINE_CUTOFF_HZ, btype="highpass", fs=fs, output="sos")
    # Odd padding of about 3 s keeps the start and end from ringing.
    padlen = min(len(x) - 1, int(3 * fs))
    return sps.sosfiltfilt(sos, x - np.median(x[: int(fs)]), padlen=padlen)


def _levels_for(fs):
    # Keep the thresholded band above ~22 Hz whatever the rate: 3 levels at 360 Hz.
    return max(1, int(round(np.log2(fs / 45.0))))


def denoise(x, fs):
    """Wavelet denoising (``sym8``, soft thresholding of the detail levels above ~22 Hz)."""
    x = np.asarray(x, dtype=np.float64)
    n_thr = _levels_for(fs)
    max_level = pywt.dwt_max_level(len(x), pywt.Wavelet(WAVELET).dec_len)
    levels = min(max(n_thr, DECOMPOSITION_LEVELS), max_level)
    n_thr = min(n_thr, levels)
    if levels < 1:
        return x.copy()
    coeffs = pywt.wavedec(x, WAVELET, mode="symmetric", level=levels)
    # coeffs = [cA_L, cD_L, ..., cD_1]; the finest levels are at the end.
    for j in range(1, n_thr + 1):
        d = coeffs[-j]
        sigma = np.median(np.abs(d - np.median(d))) / 0.6745
        n_ref = max(_REFERENCE_N >> j, 2)
        thr = sigma * np.sqrt(2.0 * np.log(n_ref))
        coeffs[-j] = pywt.threshold(d, thr, mode="soft")
    return pywt.waverec(coeffs, WAVELET, mode="symmetric")[: len(x)]


def clean(x, fs):
    """Resample to 360 Hz, remove baseline wander, denoise. Returns ``(y, 360.0)``."""
    y = resample(x, fs, TARGET_FS)
    y = remove_baseline(y, TARGET_FS)
    y = denoise(y, TARGET_FS)
    return y, TARGET_FS
