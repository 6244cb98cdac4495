"""CSV signals (the contract shown on the upload page).

- an optional header row; delimiter comma, semicolon or tab; decimal point. With a semicolon
  delimiter a decimal comma is accepted too (``0,125;0,130``).
- either a time column plus one or more signal columns, or signal columns only. A time column
  is recognised by its header name: ``time``, ``t``, ``s``, ``sec``, ``seconds``, ``time_s``,
  ``time (s)``, ``timestamp`` (seconds) or ``ms``, ``time_ms``, ``time (ms)`` (milliseconds).
  Without a header, the first of two or more columns is taken as time when it rises in equal
  steps and no ``fs`` is given; its unit is seconds unless that would mean fewer than 50
  samples per second, then milliseconds. The sampling rate is then (samples - 1) / (last time
  - first time); the times must be evenly spaced (within one sample period). A column named
  ``sample``/``index`` is a sample counter, not a time.
- without a time column the caller must give ``fs`` (the upload form asks for it).
- the lead the model reads: a column named MLII / II / ``ECG II`` / ``lead II`` if there is one,
  else the first column named like an ECG lead or ``ecg``, else the first signal column.
- units: millivolts. A header may say otherwise in the column name (``II (uV)``, ``ecg_uV``,
  ``ecg [V]``): uV/µV are divided by 1000, V multiplied by 1000. Without a stated unit, a column
  whose robust peak-to-peak amplitude (99.9th minus 0.1st percentile after baseline removal) is
  100 or more is taken to be in microvolts (an ECG spans about 0.5 to 5 mV, so such numbers
  cannot be millivolts). Other columns in units that are not volts are left out.

``check_head`` looks at the first lines only (cheap, for the upload); ``read`` parses the file.
"""
import csv
import re
from pathlib import Path

import numpy as np

from ..errors import InputRejected
from . import csvmeta
from .limits import (
    CSV_MAX_ROWS,
    CSV_MIN_ROWS,
    HEADER_MAX_BYTES,
    MAX_FS,
    MICROVOLT_GUESS_PEAK_TO_PEAK,
    MIN_FS,
)
from .recording import SUPPORTED, choose_lead, norm_name, recording, robust_peak_to_peak
from .recording import unit_scale as _unit_scale
from .sniff import NUMBER, as_text, content_lines, is_numeric_row, split_row
from .timing import rate, rate_of_times

NO_TIME_COLUMN = (
    "The CSV file has no time column, so the sampling rate is unknown. Please enter the "
    "sampling rate (samples per second), or add a 'time' column in seconds."
)

_TIME_S = {"time", "t", "s", "sec", "secs", "second", "seconds", "times", "timestamp",
           "elapsedtime", "timesec", "timeseconds"}
_TIME_MS = {"ms", "msec", "timems", "millis", "milliseconds", "timemilliseconds"}
_COUNTER = {"sample", "samples", "index", "idx", "n", "samplenumber", "sampleno", "#"}


def unit_from_header(name):
    m = re.search(r"[\(\[]\s*([^\)\]]+?)\s*[\)\]]", str(name))
    if m:
        return m.group(1)
    m = re.search(r"[_\s\-](mv|uv|µv|μv|v)$", str(name).strip().lower())
    return m.group(1) if m else None


def _time_kind(name):
    raw = str(name).strip().lower()
    unit = unit_from_header(raw)
    n = norm_name(raw)
    if n in _TIME_MS or (n in _TIME_S and unit and unit.lower() in ("ms", "msec")):
        return "ms"
    if n in _TIME_S:
        return "s"
    if n in _COUNTER:
        return "counter"
    return None


def _lines(text):
    return [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]


def _layout(lines):
    """(delimiter, decimal comma?, header cells or None, body lines as given)."""
    sample = "\n".join(lines[:50])
    delim = next((d for d in (";", "\t", ",") if d in sample), None)
    if delim is None:
        delim = ","  # a single column
    decimal_comma = delim == ";" and re.search(r"\d,\d", sample) is not None
    first = next(csv.reader([lines[0]], delimiter=delim))
    if any(re.search(r"[A-Za-z]", c) and not _is_number(c, decimal_comma) for c in first):
        return delim, decimal_comma, [c.strip().strip('"') for c in first], lines[1:]
    return delim, decimal_comma, None, lines


def _head_text(name, data):
    """(the first lines of ``data`` as text, whether that is the whole file)."""
    complete = len(data) <= HEADER_MAX_BYTES
    text = as_text(data[:HEADER_MAX_BYTES])
    if text is None:
        raise InputRejected(f"“{name}” is not a text CSV file.")
    if not complete:
        text = text[: text.rfind("\n") + 1]  # the last line may be cut
    return text, complete


def needs_rate(data):
    """True when the CSV file (``data``, bytes; its first lines are enough) does not give its
    sampling rate: no time column, no rate among its heading lines."""
    text = as_text(data[:HEADER_MAX_BYTES])
    if text is None:
        return False  # not a CSV file: check_head refuses it
    if csvmeta.layout_of(text):
        return csvmeta.needs_rate(text)
    return not _may_have_time_column(_lines(text))


def check_head(name, data, fs=None, *, rate_later=False):
    """Refuse, from its first lines, a CSV upload that cannot be a recorded signal: not text,
    too few rows of numbers, ragged rows, or no time column when no rate ``fs`` is given
    (unless ``rate_later``: the person is asked for the rate once the file is kept).
    Exports that carry their own rate and units (``csvmeta``: Apple Health, PhysioNet's
    samples.csv) are checked by their own rules."""
    text, complete = _head_text(name, data)
    if data.count(b"\n") > CSV_MAX_ROWS + 1:
        raise _too_many_rows(f"“{name}”")
    if csvmeta.layout_of(text):
        csvmeta.check_head(name, text, complete)
        if fs is None and not rate_later and csvmeta.needs_rate(text):
            raise InputRejected(f"“{name}”: {NO_TIME_COLUMN}")
        return
    rows = [split_row(line) for line in content_lines(text)]
    _check_cells(name, text)
    numeric = [r for r in rows if is_numeric_row(r)]
    if complete and len(numeric) < CSV_MIN_ROWS:
        raise InputRejected(
            f"“{name}” has only {len(numeric)} rows of numbers; an ECG signal has many "
            "thousands (one row per sample)."
        )
    if len({len(r) for r in numeric}) > 1:
        raise InputRejected(
            f"“{name}” has rows with different numbers of columns; every row needs the same "
            "columns."
        )
    if fs is None and not rate_later and not _may_have_time_column(_lines(text)):
        raise InputRejected(f"“{name}”: {NO_TIME_COLUMN}")


def _too_many_rows(subject):
    return InputRejected(
        f"{subject} has more than {CSV_MAX_ROWS:,} rows; we accept at most that many samples "
        "(an hour at 1,000 samples per second). Please upload a shorter recording."
    )


def _check_cells(name, text):
    """Every row after an optional header holds numbers only: no NaN, inf, text or empty
    cell (in the lines of ``text``, the head of the file)."""
    header_seen = False
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        cells = split_row(stripped)
        if not header_seen:
            header_seen = True
            if not is_numeric_row(cells):
                continue  # the header row
        bad = next((c for c in cells if c == "" or not NUMBER.match(c)), None)
        if bad is not None:
            shown = f"“{bad[:20]}”" if bad else "an empty cell"
            raise InputRejected(
                f"“{name}”: row {number} holds {shown}, which is not a number. Every row after "
                "the header must hold numbers only (no NaN, inf, text or gaps); export the "
                "recording again."
            )


def _may_have_time_column(lines):
    """False only when ``read`` would certainly find no time column in a file starting with
    ``lines`` (and given no rate)."""
    if not lines:
        return True
    delim, decimal_comma, header, body = _layout(lines)
    if header is not None:
        return any(_time_kind(n) in ("s", "ms") for n in header)
    first = [next(csv.reader([ln], delimiter=delim)) for ln in body]
    if any(len(cells) < 2 for cells in first):
        return False
    try:
        col = np.array([float(c[0].strip().strip('"').replace(",", ".") if decimal_comma
                              else c[0].strip().strip('"')) for c in first])
    except ValueError:
        return True  # the reader will say which row is not a number
    # The whole column must rise in equal steps to be a time column; its first rows must rise.
    return len(col) < 3 or bool(np.all(np.diff(col) > 0))


def read(path, fs=None):
    """The CSV file at ``path`` as a Recording; ``fs`` is needed without a time column."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputRejected("This file is not an ECG recording we can read. " + SUPPORTED) \
            from None
    if csvmeta.layout_of(text[:HEADER_MAX_BYTES]):
        return csvmeta.read(text, fs)
    lines = _lines(text)
    if len(lines) > CSV_MAX_ROWS + 1:
        raise _too_many_rows("The CSV file")
    if len(lines) < 2:
        raise InputRejected("The CSV file holds too few rows to be an ECG. " + SUPPORTED)
    delim, decimal_comma, header, body = _layout(lines)
    if decimal_comma:
        body = [ln.replace(",", ".") for ln in body]
    ncol = len(header) if header else len(next(csv.reader([lines[0]], delimiter=delim)))
    try:
        table = np.loadtxt(body, delimiter=delim, dtype=np.float64, ndmin=2,
                           converters=None, quotechar='"')
    except ValueError as exc:
        row = _bad_row(body, delim)
        where = f" (row {row + (2 if header else 1)})" if row is not None else ""
        raise InputRejected(
            f"The CSV file contains text or empty cells where numbers are expected{where}. "
            "Each row must hold the same number of numeric values. " + SUPPORTED
        ) from exc
    if table.shape[1] != ncol:
        raise InputRejected(
            "The CSV header and the data rows do not have the same number of columns."
        )
    if not np.all(np.isfinite(table)):
        raise InputRejected(
            "The CSV file contains missing or invalid values (NaN). Please export it again "
            "without gaps."
        )
    names = header or [f"column {i + 1}" for i in range(ncol)]
    kinds = [_time_kind(n) for n in names] if header else [None] * ncol
    time_col = next((i for i, k in enumerate(kinds) if k in ("s", "ms")), None)
    signal_cols = [i for i, k in enumerate(kinds) if k is None]
    time_unit = kinds[time_col] if time_col is not None else None
    if header is None and fs is None and ncol >= 2 and _evenly_rising(table[:, 0]):
        time_col, signal_cols, time_unit = 0, list(range(1, ncol)), "s"
        if rate(table[:, 0], 1.0) < MIN_FS:
            time_unit = "ms"
    if not signal_cols:
        raise InputRejected("The CSV file has a time column but no signal column. " + SUPPORTED)
    if time_col is not None:
        fs = rate_of_times(table[:, time_col] * (1e-3 if time_unit == "ms" else 1.0),
                                  fs)
    elif fs is None:
        raise InputRejected(NO_TIME_COLUMN)
    pick = signal_cols[choose_lead([names[i] for i in signal_cols])] if header \
        else signal_cols[0]
    scales = {i: _column_scale(names[i] if header else None, table[:, i], fs)
              for i in signal_cols}
    if scales[pick] is None:
        raise InputRejected(
            f"The column '{names[pick]}' is in '{unit_from_header(names[pick])}', not in volts. "
            "Please export the ECG in millivolts."
        )
    keep = [i for i in signal_cols if scales[i] is not None]
    return recording([table[:, i] * scales[i] for i in keep], float(fs),
                     [names[i] for i in keep], "csv", keep.index(pick))


def _column_scale(name, values, fs):
    """Factor to mV of a signal column: from the unit its name states, else 1e-3 when its
    values are too large to be millivolts; None for a unit that is not a voltage."""
    unit = unit_from_header(name) if name is not None else None
    if unit:
        return _unit_scale(unit)
    try:
        fs_ok = MIN_FS <= float(fs) <= MAX_FS
    except (TypeError, ValueError):
        fs_ok = False
    if fs_ok and len(values) > 3 and \
            robust_peak_to_peak(values.astype(np.float64), float(fs)) \
            >= MICROVOLT_GUESS_PEAK_TO_PEAK:
        return 1e-3
    return 1.0


def _is_number(text, decimal_comma=False):
    t = text.strip().strip('"')
    if decimal_comma:
        t = t.replace(",", ".")
    try:
        float(t)
        return True
    except ValueError:
        return False


def _bad_row(body, delim):
    for k, line in enumerate(body):
        cells = line.split(delim)
        if not all(_is_number(c) for c in cells):
            return k
    return None


def _evenly_rising(col):
    if len(col) < 3:
        return False
    d = np.diff(col)
    if not np.all(d > 0):
        return False
    per_second = rate(col, 1.0)
    fit = col[0] + np.arange(len(col)) / per_second
    return bool(np.max(np.abs(col - fit)) <= 1.0 / per_second)
