"""Reading an uploaded ECG signal: WFDB, CSV or EDF, one lead, in millivolts.

``read_signal(path, fs=None)`` returns a ``Signal(samples, fs, lead, format)``: ``samples`` is a
1-D float64 array in mV, ``fs`` the sampling rate in Hz, ``lead`` the name of the lead chosen,
``format`` one of ``"wfdb"``, ``"csv"``, ``"edf"``. Anything that cannot be used raises
``ml.errors.InputRejected`` whose text tells a patient what is wrong and what to do.

The format is recognised from the content, not from the file name:

* **EDF / EDF+** (starts with ``0`` and a 256-byte header; Kemp et al. 1992). Read by a small
  parser here (wfdb 4.3's ``read_edf`` prints to stdout, resamples every channel to one common
  rate and trips on EDF+ annotation channels). The ``EDF Annotations`` channel is skipped.
* **WFDB**: the ``.hea`` header with its ``.dat`` next to it (as the header names it), read with
  ``wfdb.rdrecord``. When the two files are stored under other names (uploads), pass the
  signal file as ``dat_path``.
* **CSV** (the contract shown on the upload page):
    - an optional header row; delimiter comma, semicolon or tab; decimal point. With a
      semicolon delimiter a decimal comma is accepted too (``0,125;0,130``).
    - either a time column plus one or more signal columns, or signal columns only. A time
      column is recognised by its header name: ``time``, ``t``, ``s``, ``sec``, ``seconds``,
      ``time_s``, ``time (s)``, ``timestamp`` (seconds) or ``ms``, ``time_ms``, ``time (ms)``
      (milliseconds). Without a header, the first of two or more columns is taken as time when
      it rises in equal steps and no ``fs`` is given; its unit is seconds unless that would mean
      fewer than 50 samples per second, then milliseconds. The sampling rate is then
      (samples - 1) / (last time - first time); the times must be evenly spaced (within one
      sample period). A column named ``sample``/``index`` is a sample counter, not a time.
    - without a time column the caller must give ``fs`` (the upload form asks for it).
    - the lead: a column named MLII / II / ``ECG II`` / ``lead II`` if there is one, else the
      first column named like an ECG lead or ``ecg``, else the first signal column.
    - units: millivolts. A header may say otherwise in the column name (``II (uV)``,
      ``ecg_uV``, ``ecg [V]``): uV/µV are divided by 1000, V multiplied by 1000. Without a
      stated unit, a signal whose robust peak-to-peak amplitude (99.9th minus 0.1st percentile
      after baseline removal) is 100 or more is taken to be in microvolts (an ECG spans about
      0.5 to 5 mV, so such numbers cannot be millivolts).

Every signal returned has passed ``check_usable``: at least ``MIN_SECONDS`` long, a sampling
rate between ``MIN_FS`` and ``MAX_FS`` Hz, no missing values, not a flat line, and a plausible
amplitude (at most ``MAX_PEAK_TO_PEAK_MV`` peak to peak after baseline removal).
"""
import csv
import re
import shutil
import tempfile
from pathlib import Path
from typing import NamedTuple

import numpy as np

from .errors import InputRejected

MIN_SECONDS = 5.0
MIN_FS = 50.0
MAX_FS = 10_000.0
MAX_PEAK_TO_PEAK_MV = 20.0
FLAT_PEAK_TO_PEAK_MV = 0.05
MICROVOLT_GUESS_PEAK_TO_PEAK = 100.0

SUPPORTED = (
    "Please upload an ECG recording as a WFDB record (.hea with its .dat file), a CSV file "
    "or an EDF file."
)


class Signal(NamedTuple):
    samples: np.ndarray
    fs: float
    lead: str
    format: str


# ---------------------------------------------------------------------------------------------
# validation


def _robust_peak_to_peak(samples, fs):
    from .preprocess import remove_baseline

    y = remove_baseline(samples, fs) if len(samples) > 3 else samples
    lo, hi = np.percentile(y, [0.1, 99.9])
    return float(hi - lo)


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
        raise InputRejected(
            f"The sampling rate ({fs:g} samples per second) is not plausible for an ECG: it "
            f"must be between {MIN_FS:g} and {MAX_FS:g} Hz. Please check the rate given with "
            "the recording."
        )
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
    ptp = _robust_peak_to_peak(x, fs)
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


def _norm_name(name):
    name = re.sub(r"[\(\[].*?[\)\]]", "", str(name)).strip().lower()
    return re.sub(r"[\s_\-:.]+", "", name)


def choose_lead(names):
    """Index of the lead to analyse: MLII/II first, else the first ECG-like name, else 0."""
    normed = [_norm_name(n) for n in names]
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


def _unit_from_header(name):
    m = re.search(r"[\(\[]\s*([^\)\]]+?)\s*[\)\]]", str(name))
    if m:
        return m.group(1)
    m = re.search(r"[_\s\-](mv|uv|µv|μv|v)$", str(name).strip().lower())
    return m.group(1) if m else None


# ---------------------------------------------------------------------------------------------
# readers


def _sniff(head):
    if len(head) >= 256 and head[:8] == b"0       ":
        return "edf"
    if head[:1] == b"\xff" and head[1:8] == b"BIOSEMI":
        raise InputRejected(
            "This is a BDF (24-bit) file, which is not supported. " + SUPPORTED
        )
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # Text cut in the middle of a character by the 4 KiB sniff is still text.
        if exc.start < len(head) - 3:
            raise InputRejected(
                "This file is not an ECG recording we can read. " + SUPPORTED
            ) from None
        text = head[: exc.start].decode("utf-8")
    if "\x00" in text:
        raise InputRejected("This file is not an ECG recording we can read. " + SUPPORTED)
    for line in text.splitlines():
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        # WFDB record line: "name n_signals [fs [n_samples ...]]", space separated.
        tokens = s.split()
        if (len(tokens) >= 2 and not re.search(r"[,;\t]", s) and tokens[1].isdigit()
                and re.fullmatch(r"[A-Za-z0-9_\-.]+(/\d+)?", tokens[0])
                and (len(tokens) < 3 or re.fullmatch(r"[\d.]+(/[\d.]+)?(\([^)]*\))?", tokens[2]))):
            return "wfdb"
        break
    return "csv"


def read_signal(path, fs=None, *, dat_path=None):
    """Read one ECG lead from ``path`` (WFDB header, CSV or EDF): a ``Signal`` in mV.

    ``fs`` is needed only for a CSV file without a time column. ``dat_path`` names the WFDB
    signal file when it is not stored beside the header under the name the header gives.
    """
    path = Path(path)
    if fs is not None:
        try:
            fs = float(fs)
        except (TypeError, ValueError):
            raise InputRejected(
                "The sampling rate must be a number of samples per second, for example 360."
            ) from None
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        raise InputRejected("The file could not be opened. Please upload it again.") from None
    if not head.strip():
        raise InputRejected("The file is empty. " + SUPPORTED)
    if path.suffix.lower() == ".dat" and dat_path is None:
        header = path.with_suffix(".hea")
        if header.exists():
            return read_signal(header, fs)
        raise InputRejected(
            "This is a WFDB signal file (.dat) without its header (.hea). Please upload both "
            "files of the record."
        )
    kind = _sniff(head)
    if kind == "edf":
        sig = _read_edf(path)
    elif kind == "wfdb":
        sig = _read_wfdb(path, dat_path)
    else:
        sig = _read_csv(path, fs)
    check_usable(sig.samples, sig.fs)
    return sig


def _read_wfdb(path, dat_path=None):
    import wfdb

    with tempfile.TemporaryDirectory() as tmp:
        # wfdb wants "<name>.hea" with its signal files beside it under the names the header
        # gives; uploads are stored under random names, so lay the record out in a scratch
        # folder the way wfdb expects.
        base = Path(tmp) / "record"
        shutil.copyfile(path, base.with_suffix(".hea"))
        try:
            header = wfdb.rdheader(str(base))
        except Exception:
            raise InputRejected(
                "The WFDB header (.hea) could not be read: it is damaged or not a WFDB header. "
                "Please upload the original .hea file."
            ) from None
        files = sorted(set(header.file_name or []))
        if not files or not header.n_sig:
            raise InputRejected(
                "The WFDB header (.hea) describes no ECG signal. Please upload the record's "
                "original .hea file."
            )
        if dat_path is not None:
            if len(files) != 1:
                raise InputRejected(
                    "This WFDB record spreads its signals over several files. Please upload "
                    "a record with one .dat file."
                )
            sources = {files[0]: Path(dat_path)}
        else:
            sources = {f: path.parent / f for f in files}
        for name, src in sources.items():
            if Path(name).name != name or not src.is_file():
                raise InputRejected(
                    f"The signal file {name} that the header refers to is missing. Please "
                    "upload the .dat file together with the .hea file."
                )
            (Path(tmp) / name).symlink_to(src.resolve())
        try:
            rec = wfdb.rdrecord(str(base), physical=True)
        except Exception:
            raise InputRejected(
                "The WFDB signal file (.dat) could not be read: it is damaged, truncated or "
                "does not match its header. Please upload the original files."
            ) from None
    if rec.p_signal is None or rec.p_signal.size == 0:
        raise InputRejected("The WFDB record contains no samples. Please upload another one.")
    names = list(rec.sig_name or [f"signal {i}" for i in range(rec.n_sig)])
    i = choose_lead(names)
    units = rec.units or ["mV"] * rec.n_sig
    scale = unit_scale(units[i]) if units[i] else 1.0
    if scale is None:
        raise InputRejected(
            f"The chosen channel ({names[i]}) is measured in '{units[i]}', not in volts. "
            "Please upload an ECG channel."
        )
    samples = np.asarray(rec.p_signal[:, i], dtype=np.float64) * scale
    return Signal(samples, float(rec.fs), str(names[i]), "wfdb")


def _read_edf(path):
    """EDF/EDF+ parser (fixed ASCII header, then data records of little-endian int16)."""
    bad = InputRejected(
        "The EDF file could not be read: its header is damaged or incomplete. Please export "
        "the recording again."
    )
    try:
        raw = path.read_bytes()
        ns = int(raw[252:256].decode("ascii").strip())
        n_records = int(raw[236:244].decode("ascii").strip())
        duration = float(raw[244:252].decode("ascii").strip())
        header_bytes = int(raw[184:192].decode("ascii").strip())
        if ns < 1 or ns > 512 or duration <= 0 or header_bytes != 256 * (ns + 1):
            raise ValueError

        def field(offset, width):
            start = 256 + offset * ns
            return [
                raw[start + k * width: start + (k + 1) * width].decode("latin-1").strip()
                for k in range(ns)
            ]

        # Per-signal fields in order: label 16, transducer 80, dimension 8, pmin 8, pmax 8,
        # dmin 8, dmax 8, prefiltering 80, samples per record 8, reserved 32.
        labels = field(0, 16)
        units = field(96, 8)
        pmin = [float(v) for v in field(104, 8)]
        pmax = [float(v) for v in field(112, 8)]
        dmin = [float(v) for v in field(120, 8)]
        dmax = [float(v) for v in field(128, 8)]
        nsamp = [int(v) for v in field(216, 8)]
    except (ValueError, UnicodeDecodeError):
        raise bad from None
    record_len = sum(nsamp)
    if record_len <= 0 or any(n < 0 for n in nsamp):
        raise bad
    available = (len(raw) - header_bytes) // (2 * record_len)
    if n_records < 0:  # -1: length unknown while recording
        n_records = available
    n_records = min(n_records, available)
    if n_records < 1:
        raise InputRejected(
            "The EDF file contains no complete data record: it is probably truncated. Please "
            "export the recording again."
        )
    candidates = [k for k, lab in enumerate(labels) if lab != "EDF Annotations"]
    voltage = [k for k in candidates if unit_scale(units[k]) is not None]
    if not voltage:
        raise InputRejected(
            "The EDF file has no channel measured in volts, so no ECG can be found in it. "
            "Please upload a file with an ECG channel."
        )
    k = voltage[choose_lead([labels[v] for v in voltage])]
    data = np.frombuffer(raw, dtype="<i2", count=n_records * record_len, offset=header_bytes)
    data = data.reshape(n_records, record_len)
    start = sum(nsamp[:k])
    digital = data[:, start: start + nsamp[k]].reshape(-1).astype(np.float64)
    if dmax[k] == dmin[k]:
        raise bad
    gain = (pmax[k] - pmin[k]) / (dmax[k] - dmin[k])
    physical = (digital - dmin[k]) * gain + pmin[k]
    return Signal(physical * unit_scale(units[k]), nsamp[k] / duration, labels[k] or "ECG", "edf")


_TIME_S = {"time", "t", "s", "sec", "secs", "second", "seconds", "times", "timestamp",
           "elapsedtime", "timesec", "timeseconds"}
_TIME_MS = {"ms", "msec", "timems", "millis", "milliseconds", "timemilliseconds"}
_COUNTER = {"sample", "samples", "index", "idx", "n", "samplenumber", "sampleno", "#"}


def _time_kind(name):
    raw = str(name).strip().lower()
    unit = _unit_from_header(raw)
    n = _norm_name(raw)
    if n in _TIME_MS or (n in _TIME_S and unit and unit.lower() in ("ms", "msec")):
        return "ms"
    if n in _TIME_S:
        return "s"
    if n in _COUNTER:
        return "counter"
    return None


def _read_csv(path, fs):
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputRejected("This file is not an ECG recording we can read. " + SUPPORTED) \
            from None
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    if len(lines) < 2:
        raise InputRejected("The CSV file holds too few rows to be an ECG. " + SUPPORTED)
    sample = "\n".join(lines[:50])
    delim = next((d for d in (";", "\t", ",") if d in sample), None)
    if delim is None:
        delim = ","  # a single column
    decimal_comma = delim == ";" and re.search(r"\d,\d", sample) is not None
    first = next(csv.reader([lines[0]], delimiter=delim))
    header = None
    if any(re.search(r"[A-Za-z]", c) and not _is_number(c, decimal_comma) for c in first):
        header = [c.strip().strip('"') for c in first]
        body = lines[1:]
    else:
        body = lines
    if decimal_comma:
        body = [ln.replace(",", ".") for ln in body]
    ncol = len(header) if header else len(first)
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
        if _rate(table[:, 0], 1.0) < MIN_FS:
            time_unit = "ms"
    if not signal_cols:
        raise InputRejected("The CSV file has a time column but no signal column. " + SUPPORTED)
    if time_col is not None:
        t = table[:, time_col] * (1e-3 if time_unit == "ms" else 1.0)
        if len(t) < 2 or not np.all(np.diff(t) > 0):
            raise InputRejected(
                "The time column of the CSV file does not increase steadily. Please export "
                "the time in seconds (or milliseconds), one row per sample."
            )
        rate = _rate(t, 1.0)
        if abs(rate - round(rate)) < 1e-3 * rate:  # times rounded on export: 359.99 -> 360
            rate = float(round(rate))
        fit = t[0] + np.arange(len(t)) / rate
        if np.max(np.abs(t - fit)) > 1.0 / rate:
            raise InputRejected(
                "The time column of the CSV file is not evenly spaced (samples are missing or "
                "the rate changes). Please export an evenly sampled recording."
            )
        if fs is not None and abs(float(fs) - rate) > 0.01 * rate:
            raise InputRejected(
                f"The sampling rate you gave ({float(fs):g} Hz) does not match the time column "
                f"of the file ({rate:.1f} Hz). Please check the rate."
            )
        fs = rate
    elif fs is None:
        raise InputRejected(
            "The CSV file has no time column, so the sampling rate is unknown. Please enter "
            "the sampling rate (samples per second), or add a 'time' column in seconds."
        )
    pick = signal_cols[choose_lead([names[i] for i in signal_cols])] if header \
        else signal_cols[0]
    samples = table[:, pick].astype(np.float64)
    unit = _unit_from_header(names[pick]) if header else None
    scale = unit_scale(unit) if unit else None
    if unit and scale is None:
        raise InputRejected(
            f"The column '{names[pick]}' is in '{unit}', not in volts. Please export the ECG "
            "in millivolts."
        )
    if scale is None:
        scale = 1.0
        try:
            fs_ok = MIN_FS <= float(fs) <= MAX_FS
        except (TypeError, ValueError):
            fs_ok = False
        if fs_ok and len(samples) > 3 and \
                _robust_peak_to_peak(samples, float(fs)) >= MICROVOLT_GUESS_PEAK_TO_PEAK:
            scale = 1e-3
    return Signal(samples * scale, float(fs), str(names[pick]), "csv")


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


def _rate(t, scale):
    span = (t[-1] - t[0]) * scale
    return (len(t) - 1) / span if span > 0 else 0.0


def _evenly_rising(col):
    if len(col) < 3:
        return False
    d = np.diff(col)
    if not np.all(d > 0):
        return False
    rate = _rate(col, 1.0)
    fit = col[0] + np.arange(len(col)) / rate
    return bool(np.max(np.abs(col - fit)) <= 1.0 / rate)
