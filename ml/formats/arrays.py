"""Leads given as arrays of numbers (the API's JSON body): the same Recording the file readers
give, checked by the same rules.

``from_leads(leads, fs, unit="mV")``: ``leads`` is a list of ``(name, samples)`` with
``samples`` any sequence of numbers, all leads the same length; ``fs`` the sampling rate in Hz;
``unit`` the unit of every value (``mV``, ``uV``/``µV`` or ``V``). The lead the model reads is
chosen from the names as for the files (MLII / II first, else the first ECG-like name, else
the first lead), and it passes ``check_usable``: at least ``MIN_SECONDS`` long, a rate between
``MIN_FS`` and ``MAX_FS`` Hz, no missing values, not a flat line, a plausible amplitude.
Every lead must be numbers only (a missing value in another lead is refused as well, since
the lead is stored and shown). At most ``ARRAYS_MAX_LEADS`` leads and ``MAX_SAMPLES`` values.
"""
import numpy as np

from ..errors import InputRejected
from .limits import ARRAYS_MAX_LEADS, MAX_SAMPLES
from .recording import choose_lead, recording, unit_scale

FORMAT = "json"


def from_leads(leads, fs, unit="mV"):
    if not leads:
        raise InputRejected("Send at least one lead: a name and its samples.")
    if len(leads) > ARRAYS_MAX_LEADS:
        raise InputRejected(
            f"{len(leads)} leads were sent; at most {ARRAYS_MAX_LEADS} are accepted.")
    scale = unit_scale(unit)
    if scale is None:
        raise InputRejected(
            f"The unit “{unit}” is not one we know: give the values in mV, uV or V.")
    names = [str(name).strip() for name, _ in leads]
    if any(not name for name in names):
        raise InputRejected("Every lead needs a name (for example II or V1).")
    if len(set(names)) != len(names):
        raise InputRejected("Two leads have the same name; give each lead once.")
    lengths = {len(samples) for _, samples in leads}
    if len(lengths) != 1:
        raise InputRejected(
            "The leads have different numbers of samples; every lead must cover the same "
            "time at the same rate.")
    total = lengths.pop() * len(leads)
    if total > MAX_SAMPLES:
        raise InputRejected(
            f"{total:,} values were sent; at most {MAX_SAMPLES:,} are accepted (all leads "
            "together). Send a shorter recording.")
    columns = [_numbers(name, samples) * scale for name, samples in leads]
    return recording(columns, fs, names, FORMAT, choose_lead(names))


def _numbers(name, samples):
    try:
        values = np.asarray(samples)
    except (TypeError, ValueError):  # ragged nesting
        values = None
    # Numbers only: text such as "1.5", true/false or null are refused, not converted.
    if values is None or values.ndim != 1 or values.dtype.kind not in "iuf":
        raise InputRejected(
            f"Lead “{name}” must be a list of numbers; it contains something else (text, "
            "null or a nested list).")
    values = values.astype(np.float64, copy=False)
    bad = ~np.isfinite(values)
    if bad.any():
        raise InputRejected(
            f"Lead “{name}” has {int(bad.sum())} missing or invalid values (NaN or "
            "infinity). Send it again without gaps.")
    return values
