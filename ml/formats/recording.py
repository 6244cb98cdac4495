"""A decoded recording (all its leads, in millivolts), its stored form, and the content checks.

``Recording.samples`` is float32 (n, leads) in mV at ``fs`` Hz; ``main`` is the lead the model
reads (``choose_lead``), ``main_lead()`` gives it as the 1-D float64 array the Predictor takes.
``to_npz``/``from_npz`` are the stored form the site keeps beside an upload, so a recording is
decoded once.
"""
import io
import re
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ..errors import InputRejected
from .limits import FLAT_PEAK_TO_PEAK_MV, MAX_FS, MAX_PEAK_TO_PEAK_MV, MIN_FS, MIN_SECONDS

SUPPORTED = (
    "Please upload an ECG recording as a WFDB record (.hea with its .dat file), a CSV file "
    "or an EDF file."
)


@dataclass(frozen=True)
class Recording:
    samples: np.ndarray  # float32 (n, leads), mV
    fs: float
    lead_names: tuple
    format: str  # "wfdb", "csv" or "edf"
    main: int = 0  # index of the lead the model reads

    @property
    def lead(self):
        return self.lead_names[self.main]

    def main_lead(self):
        """The lead the model reads, as 1-D float64 millivolts."""
        return self.samples[:, self.main].astype(np.float64)

    def to_npz(self):
        """The recording as .npz bytes (samples, fs, lead_names, format, main)."""
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer, samples=np.asarray(self.samples, np.float32), fs=np.float64(self.fs),
            lead_names=np.array(self.lead_names, dtype=str), format=np.array(self.format),
            main=np.int64(self.main),
        )
        return buffer.getvalue()

    @classmethod
    def from_npz(cls, source):
        """A recording from what ``to_npz`` wrote (bytes, a path or a binary file)."""
        if isinstance(source, bytes | bytearray):
            source = io.BytesIO(source)
        with np.load(source, allow_pickle=False) as data:
            return cls(samples=data["samples"], fs=float(data["fs"]),
                       lead_names=tuple(str(n) for n in data["lead_names"]),
                       format=str(data["format"]), main=int(data["main"]))


class Signal(NamedTuple):
    """One lead of a recording, as the Predictor takes it."""

    samples: np.ndarray
    fs: float
    lead: str
    format: str


def recording(columns, fs, names, fmt, main):
    """A Recording from per-lead 1-D arrays in mV, checked by ``check_usable`` on its main
    lead (the one the model reads; the other leads are kept as they are)."""
    samples = np.stack([np.asarray(c, np.float64) for c in columns], axis=1).astype(np.float32)
    rec = Recording(samples, float(fs), tuple(str(n) for n in names), fmt, int(main))
    check_usable(rec.main_lead(), rec.fs)
    return rec


# ---------------------------------------------------------------------------------------------
# content checks


def robust_peak_to_peak(samples, fs):
    from ..preprocess import remove_baseline

    y = remove_baseline(samples, fs) if len(samples) > 3 else samples
    lo, hi = np.percentile(y, [0.1, 99.9])
    return float(hi - lo)


def implausible_rate(fs):
    """The message for a sampling rate ``fs`` outside MIN_FS..MAX_FS."""
    return (
        f"The sampling rate ({fs:g} samples per second) is not plausible for an ECG: it must "
        f"be between {MIN_FS:g} and {MAX_FS:g} Hz. Please check the rate given with the "
        "recording."
    )


def check_usable(samples, fs):
    """Raise ``InputRejected`` unless ``samples`` (mV) at ``fs`` Hz can be analysed."""
    try:
        fs = float(fs)
    except (TypeError, ValueError):
        raise InputRejected(
            "The sampling rate is missing or not a number. Please give the number of samples "
            "per second of your recording (for example 250 or 360)."
        ) from None
    if not np.isfinite(fs) or fs < MIN_FS or fs > MAX_FS:
        raise InputRejected(implausible_rate(fs))
    x = np.asarray(samples)
    if x.ndim != 1:
        raise InputRejected("The recording must contain one ECG lead. Please upload one lead.")
    if not np.issubdtype(x.dtype, np.number):
        raise InputRejected("The recording contains values that are not numbers.")
    x = x.astype(np.float64, copy=False)
    if not np.all(np.isfinite(x)):
        bad = int(np.sum(~np.isfinite(x)))
        raise InputRejected(
            f"The recording has {bad} missing or invalid values (gaps, NaN or infinity). "
            "Please export it again without gaps."
        )
    seconds = len(x) / fs
    if seconds < MIN_SECONDS:
        raise InputRejected(
            f"The recording is too short ({seconds:.1f} s). Please upload at least "
            f"{MIN_SECONDS:g} seconds of ECG."
        )
    ptp = robust_peak_to_peak(x, fs)
    if ptp < FLAT_PEAK_TO_PEAK_MV:
        raise InputRejected(
            "The recording is a flat line: no heart activity can be seen. Check that the "
            "electrodes were attached and that the right channel was exported."
        )
    if ptp > MAX_PEAK_TO_PEAK_MV:
        raise InputRejected(
            f"The signal swings over {ptp:.0f} mV, far more than a heart produces (a few mV). "
            "The units are probably wrong (microvolts or raw converter counts instead of "
            "millivolts), or the signal is not an ECG. Please export it in millivolts."
        )
    return x


# ---------------------------------------------------------------------------------------------
# lead and unit choice

_PREFERRED = ("mlii", "ii", "ml2", "ecgii", "leadii", "ecg2")
_ECG_LEAD = re.compile(
    r"^(ecg|ekg)?[\s_\-:]*(lead)?[\s_\-:]*(i{1,3}|avr|avl|avf|v[1-6]|ml[i]{1,3}|mcl\d?|v|d[1-3])$"
)
_ECG_WORD = re.compile(r"(ecg|ekg)")


def norm_name(name):
    name = re.sub(r"[\(\[].*?[\)\]]", "", str(name)).strip().lower()
    return re.sub(r"[\s_\-:.]+", "", name)


def choose_lead(names):
    """Index of the lead to analyse: MLII/II first, else the first ECG-like name, else 0."""
    normed = [norm_name(n) for n in names]
    for pref in _PREFERRED:
        for i, n in enumerate(normed):
            if n == pref:
                return i
    for i, raw in enumerate(names):
        label = re.sub(r"[\(\[].*?[\)\]]", "", str(raw)).strip().lower()
        if _ECG_LEAD.match(label) or _ECG_WORD.search(label):
            return i
    return 0


def unit_scale(unit):
    """Factor converting ``unit`` to mV; None when the unit is not a voltage we know."""
    u = str(unit or "").strip().lower().replace("μ", "u").replace("µ", "u")
    return {"mv": 1.0, "millivolt": 1.0, "millivolts": 1.0, "uv": 1e-3, "microvolt": 1e-3,
            "microvolts": 1e-3, "v": 1e3, "volt": 1e3, "volts": 1e3, "nv": 1e-6}.get(u)
