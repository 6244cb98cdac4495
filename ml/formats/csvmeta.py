"""CSV exports that describe themselves: the rate, units and lead are in the file.

Two layouts, recognised from their first lines (``layout_of``):

- ``apple-health``: the CSV Apple Health exports for an Apple Watch ECG. ``key,value``
  metadata lines in the phone's language (Name, Date of Birth, Recorded Date, Classification,
  Symptoms, Software Version, Device, Sample Rate ``512 hertz``; newer exports add ``Lead,Lead
  I`` and ``Unit,µV``), a blank line, then one column of samples in microvolts. With a decimal
  comma (some locales) a sample reads ``-170,461``, quoted or not. The rate is the metadata
  value that reads ``<number> Hz``/``hertz``, whatever the key's language; the unit is the
  ``Unit`` line's, else microvolts when the values are too large to be millivolts (as for
  any CSV).
- ``physionet-samples``: PhysioNet's ``samples.csv`` (the PhysioBank ATM and LightWAVE
  export): a row of quoted column names (``'Elapsed time','MLII','V5'``), a row of units
  (``'hh:mm:ss.mmm'`` or ``'seconds'`` or ``'ms'`` for the time, ``'mV'`` for the leads),
  then one row per sample whose time is clock text (``'0:00.003'``) or a number. A first
  column of sample numbers (``'sample #'``, unit ``'samples'``) gives no rate: the person is
  asked for it.

``check_head`` looks at the first lines (cheap, for the upload), ``needs_rate`` says whether
the rate must come from the person, ``read`` parses the whole text. These functions take
text (the CSV reader, ``csvtable``, decodes files and hands these layouts over).
"""
import re

import numpy as np

from ..errors import InputRejected
from .limits import CSV_MAX_ROWS, CSV_MIN_ROWS, MICROVOLT_GUESS_PEAK_TO_PEAK
from .recording import choose_lead, norm_name, recording, robust_peak_to_peak, unit_scale
from .timing import rate_of_times

APPLE = "apple-health"
PHYSIONET = "physionet-samples"

_RATE_VALUE = re.compile(r"^(\d+(?:[.,]\d+)?)\s*(?:hz|hertz)$", re.I)
_SAMPLE = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")
_CLOCK = re.compile(r"^(?:(\d+):)?(\d+):(\d+(?:\.\d*)?)$")
# The "Unit" and "Lead" keys of Apple's metadata in the languages seen in exports.
_UNIT_KEYS = {"unit", "units", "einheit", "unite", "unité", "unidad", "unita", "unità", "eenheid"}
_LEAD_KEYS = {"lead", "ableitung", "derivation", "dérivation", "derivacion", "derivación",
              "derivazione", "afleiding"}
_PHYSIONET_TIME_NAMES = {"elapsedtime", "time"}
_PHYSIONET_COUNTER_NAMES = {"sample", "sample#", "samplenumber"}
_TIME_UNITS = {"hh:mm:ss.mmm": "clock", "hh:mm:ss": "clock", "mm:ss.mmm": "clock",
               "seconds": "s", "second": "s", "sec": "s", "s": "s",
               "ms": "ms", "msec": "ms", "milliseconds": "ms",
               "samples": "counter", "sample": "counter", "sample#": "counter"}


def _cells(line):
    """A row's cells without surrounding blanks and quotes ('...' or "...")."""
    return [c.strip().strip("'\"").strip() for c in _split(line)]


def _split(line):
    """Split on commas outside double quotes (Apple quotes values holding a comma)."""
    cells, current, quoted = [], [], False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif ch == "," and not quoted:
            cells.append("".join(current))
            current = []
            continue
        current.append(ch)
    cells.append("".join(current))
    return cells


def _lines(text):
    return text.splitlines()


# --- recognising ------------------------------------------------------------------------------

def _apple_split(lines):
    """(metadata {key: value}, index of the first sample line) when ``lines`` start like an
    Apple Health ECG export, else None."""
    meta, rate_seen = {}, False
    for i, line in enumerate(lines[:60]):
        stripped = line.strip()
        if not stripped:
            continue
        if _sample_value(stripped) is not None:
            return (meta, i) if rate_seen and len(meta) >= 2 else None
        cells = _cells(stripped)
        key = cells[0]
        value = ",".join(cells[1:]).strip()
        if not key or _SAMPLE.match(key):
            return None
        meta[key] = value
        rate_seen = rate_seen or _RATE_VALUE.match(value) is not None
    return None


def _sample_value(line):
    """The number one Apple sample line holds (a decimal comma allowed), or None."""
    text = line.strip().strip('"').strip()
    if not _SAMPLE.match(text) or text.count(",") + text.count(".") > 1:
        return None
    return float(text.replace(",", "."))


def _physionet_head(lines):
    """(names, time kind, index of the first data row) for a PhysioNet samples.csv."""
    content = [(i, ln) for i, ln in enumerate(lines[:5]) if ln.strip()]
    if len(content) < 3:
        return None
    (_, names_line), (_, units_line), (first_data, _) = content[0], content[1], content[2]
    names, units = _cells(names_line), _cells(units_line)
    if len(names) < 2 or len(units) != len(names):
        return None
    first = norm_name(names[0])
    time_kind = _TIME_UNITS.get(units[0].lower().replace(" ", ""))
    if first not in _PHYSIONET_TIME_NAMES | _PHYSIONET_COUNTER_NAMES and \
            names[0].strip().lower() not in ("sample #", "sample#"):
        return None
    if time_kind is None or not any(unit_scale(u) is not None for u in units[1:]):
        return None
    return names, units, time_kind, first_data


def layout_of(text):
    """``APPLE`` or ``PHYSIONET`` when the text (its first lines at least) is such an export,
    else None."""
    lines = _lines(text)
    if _apple_split(lines) is not None:
        return APPLE
    if _physionet_head(lines) is not None:
        return PHYSIONET
    return None


def needs_rate(text):
    """True when the export gives no sampling rate (PhysioNet's sample-number column)."""
    head = _physionet_head(_lines(text))
    return head is not None and head[2] == "counter"


# --- checks on the first lines -----------------------------------------------------------------

def check_head(name, text, complete):
    """Refuse, from its first lines (``text``; ``complete`` when that is the whole file), an
    export whose samples cannot be read."""
    lines = _lines(text)
    if layout_of(text) == APPLE:
        _, start = _apple_split(lines)
        rows = [ln for ln in lines[start:] if ln.strip()]
        for number, line in enumerate(lines[start:], start=start + 1):
            if line.strip() and _sample_value(line) is None:
                raise InputRejected(
                    f"“{name}”: line {number} holds “{line.strip()[:20]}”, which is not a "
                    "sample value. After its heading lines, an Apple Health ECG export holds "
                    "one number per line; export the ECG again.")
    else:
        names, _, time_kind, start = _physionet_head(lines)
        rows = [ln for ln in lines[start:] if ln.strip()]
        for number, line in enumerate(lines[start:], start=start + 1):
            if line.strip() and _physionet_row(line, len(names), time_kind) is None:
                raise InputRejected(
                    f"“{name}”: row {number} does not hold a time and {len(names) - 1} "
                    "numbers like the rows before it; export the samples again.")
    if complete and len(rows) < CSV_MIN_ROWS:
        raise InputRejected(
            f"“{name}” has only {len(rows)} samples; an ECG signal has many thousands.")


def _physionet_row(line, width, time_kind):
    cells = _cells(line)
    if len(cells) != width:
        return None
    try:
        t = _clock_seconds(cells[0]) if time_kind == "clock" else float(cells[0])
        return [t, *(float(c) if c not in ("-", "") else np.nan for c in cells[1:])]
    except ValueError:
        return None


def _clock_seconds(text):
    m = _CLOCK.match(text)
    if not m:
        raise ValueError(text)
    hours, minutes, seconds = m.groups()
    return int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds)


# --- reading --------------------------------------------------------------------------------

def read(text, fs=None):
    """The export as a Recording (every voltage lead in mV); ``fs`` only when it has no rate
    of its own (else it must agree with the file's)."""
    lines = _lines(text)
    if sum(1 for ln in lines if ln.strip()) > CSV_MAX_ROWS + 20:
        raise InputRejected(
            f"The CSV file has more than {CSV_MAX_ROWS:,} rows; we accept at most that many "
            "samples. Please upload a shorter recording.")
    if layout_of(text) == APPLE:
        return _read_apple(lines, fs)
    return _read_physionet(lines, fs)


def _agree(found, fs):
    if fs is not None and abs(float(fs) - found) > 0.01 * found:
        raise InputRejected(
            f"The sampling rate you gave ({float(fs):g} Hz) does not match the one the file "
            f"states ({found:g} Hz). Please check the rate.")
    return found


def _read_apple(lines, fs):
    meta, start = _apple_split(lines)
    found = next(float(m.group(1).replace(",", ".")) for v in meta.values()
                 if (m := _RATE_VALUE.match(v)))
    fs = _agree(found, fs)
    values = []
    for number, line in enumerate(lines[start:], start=start + 1):
        if not line.strip():
            continue
        value = _sample_value(line)
        if value is None:
            raise InputRejected(
                f"Line {number} of the Apple Health export holds “{line.strip()[:20]}”, which "
                "is not a sample value. Export the ECG again.")
        values.append(value)
    samples = np.asarray(values, np.float64)
    unit = next((v for k, v in meta.items() if norm_name(k) in _UNIT_KEYS or
                 k.strip().lower() in _UNIT_KEYS), None)
    scale = unit_scale(unit) if unit else None
    if unit and scale is None:
        raise InputRejected(f"The samples are in “{unit}”, not in volts. Please export the ECG "
                            "again.")
    if scale is None:
        scale = 1e-3 if _too_large_for_millivolts(samples, fs) else 1.0
    lead = next((v for k, v in meta.items() if k.strip().lower() in _LEAD_KEYS), "Lead I")
    name = re.sub(r"^(lead|ableitung|dérivation|derivation)\s+", "", lead.strip(), flags=re.I)
    return recording([samples * scale], fs, [name or "I"], "csv", 0)


def _too_large_for_millivolts(samples, fs):
    return len(samples) > 3 and \
        robust_peak_to_peak(samples, fs) >= MICROVOLT_GUESS_PEAK_TO_PEAK


def _read_physionet(lines, fs):
    names, units, time_kind, start = _physionet_head(lines)
    rows = []
    for number, line in enumerate(lines[start:], start=start + 1):
        if not line.strip():
            continue
        row = _physionet_row(line, len(names), time_kind)
        if row is None:
            raise InputRejected(
                f"Row {number} of the samples file does not hold a time and "
                f"{len(names) - 1} numbers. Export the samples again.")
        rows.append(row)
    table = np.asarray(rows, np.float64)
    if len(table) < 2:
        raise InputRejected("The samples file holds too few rows to be an ECG.")
    if time_kind == "counter":
        if fs is None:
            raise InputRejected(
                "This samples file numbers its samples but does not say how many there are "
                "per second. Please give the sampling rate.")
        fs = float(fs)
    else:
        t = table[:, 0] * (1e-3 if time_kind == "ms" else 1.0)
        fs = rate_of_times(t, fs)
    keep = [i for i in range(1, len(names)) if unit_scale(units[i]) is not None]
    if not keep:
        raise InputRejected("The samples file holds no column in volts (mV, µV or V).")
    columns = [table[:, i] * unit_scale(units[i]) for i in keep]
    if any(not np.all(np.isfinite(c)) for c in columns):
        raise InputRejected("The samples file has missing values ('-'). Please export a "
                            "stretch of the recording without gaps.")
    lead_names = [names[i] for i in keep]
    return recording(columns, fs, lead_names, "csv", choose_lead(lead_names))
