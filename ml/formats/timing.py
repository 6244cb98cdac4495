"""The sampling rate a column of sample times gives (CSV readers: csvtable, csvmeta)."""
import numpy as np

from ..errors import InputRejected


def rate(t, scale=1.0):
    """Samples per second of times ``t`` (in units of ``scale`` seconds), from first to last."""
    span = (t[-1] - t[0]) * scale
    return (len(t) - 1) / span if span > 0 else 0.0


def rate_of_times(t, fs=None):
    """The rate of ``t`` (seconds, one per sample), refusing times that do not rise evenly or
    that contradict a rate ``fs`` the person gave."""
    if len(t) < 2 or not np.all(np.diff(t) > 0):
        raise InputRejected(
            "The time column of the CSV file does not increase steadily. Please export "
            "the time in seconds (or milliseconds), one row per sample."
        )
    found = rate(t)
    if abs(found - round(found)) < 1e-3 * found:  # times rounded on export: 359.99 -> 360
        found = float(round(found))
    fit = t[0] + np.arange(len(t)) / found
    if np.max(np.abs(t - fit)) > 1.0 / found:
        raise InputRejected(
            "The time column of the CSV file is not evenly spaced (samples are missing or "
            "the rate changes). Please export an evenly sampled recording."
        )
    if fs is not None and abs(float(fs) - found) > 0.01 * found:
        raise InputRejected(
            f"The sampling rate you gave ({float(fs):g} Hz) does not match the time column "
            f"of the file ({found:.1f} Hz). Please check the rate."
        )
    return found
