"""WFDB records: a ``.hea`` header naming its signal file(s), read with the ``wfdb`` package.

``parse_header`` and ``check_bounds``/``check_data_sizes`` look at the header text and the data
files' sizes only (cheap, for the upload); ``read`` decodes every signal of the record.
"""
import math
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import InputRejected
from .limits import HEADER_MAX_BYTES, MAX_FS, MAX_SAMPLES, MIN_FS, WFDB_MAX_SIGNALS
from .recording import choose_lead, implausible_rate, recording, unit_scale
from .sniff import SIGNAL_LINE, as_text, content_lines, wfdb_record_line

# Bits per sample of the uncompressed storage formats wfdb reads (for the truncation check).
FORMAT_BITS = {"8": 8, "16": 16, "24": 24, "32": 32, "61": 16, "80": 8, "160": 16,
               "212": 12, "310": 10, "311": 10}
# FLAC-compressed formats: the file size says little about how much they decode to.
FLAC_FORMATS = ("508", "516", "524")
# The rate WFDB assumes when a header gives none.
DEFAULT_FS = 250.0


@dataclass
class WfdbHeader:
    name: str
    text: str
    nsig: int
    nsamp: int | None
    signals: list  # [(file name, format, byte offset, samples per frame)]
    fs: float | None = DEFAULT_FS  # None: not a number

    @property
    def data_files(self):
        return {file_name for file_name, _, _, _ in self.signals}

    @property
    def values(self):
        """How many values the record decodes to (all signals), or None when not declared."""
        if self.nsamp is None:
            return None
        return self.nsamp * sum(spf for _, _, _, spf in self.signals)


def parse_header(name, data):
    """The header ``data`` (bytes) of the file called ``name``; InputRejected if it is none."""
    text = as_text(data[:HEADER_MAX_BYTES]) if len(data) <= HEADER_MAX_BYTES else None
    match = wfdb_record_line(text) if text else None
    if match is None:
        raise InputRejected(f"“{name}” is not a valid WFDB header (.hea) file.")
    if match["nseg"]:
        raise InputRejected(
            f"“{name}” describes a multi-segment record, which we do not accept. Convert it to "
            "a single-segment record (for example with wfdb's wfdb.rdrecord + wrsamp)."
        )
    nsig = int(match["nsig"])
    if not 1 <= nsig <= WFDB_MAX_SIGNALS:
        raise InputRejected(f"“{name}” declares {nsig} signals; a record needs 1 to "
                            f"{WFDB_MAX_SIGNALS}.")
    signal_lines = list(content_lines(text))[1:1 + nsig]
    signals = []
    for line in signal_lines:
        sig = SIGNAL_LINE.match(line)
        if not sig:
            break
        file_name = sig["file"]
        if file_name in ("~", "-") or re.search(r"[\\/]", file_name) or file_name in (".", ".."):
            raise InputRejected(
                f"“{name}” refers to the data file “{file_name}”, which cannot be uploaded. "
                "The data file must sit beside the header under a plain name."
            )
        rest = sig["rest"] or ""
        offset = re.search(r"\+(\d+)", rest)
        frame = re.search(r"x(\d+)", rest)
        signals.append((file_name, sig["fmt"], int(offset[1]) if offset else 0,
                        max(1, int(frame[1])) if frame else 1))
    if len(signals) != nsig:
        raise InputRejected(
            f"“{name}” declares {nsig} signals but describes {len(signals)}: the header is "
            "incomplete or damaged."
        )
    nsamp = int(match["nsamp"]) if match["nsamp"] else None
    try:
        fs = float(match["fs"]) if match["fs"] else DEFAULT_FS
    except ValueError:
        fs = None
    if match["fs"] is None and next(content_lines(text))[match.end():].split():
        fs = None  # a third field that is no number ("nan"): not a rate WFDB could read
    return WfdbHeader(match["name"], text, nsig, nsamp, signals, fs)


def _too_long(subject, values):
    return InputRejected(
        f"{subject} declares {values:,} samples (all signals together); we accept at most "
        f"{MAX_SAMPLES:,}. Please upload a shorter record (30 minutes or less is plenty)."
    )


def check_bounds(name, header):
    """Refuse a header whose record we cannot read, whose sampling rate no ECG has, or that
    would decode to too much, before any signal data is read."""
    if header.fs is None:
        raise InputRejected(f"“{name}” gives a sampling rate that is not a number: the header "
                            "is damaged.")
    if not MIN_FS <= header.fs <= MAX_FS:
        raise InputRejected(f"“{name}”: {implausible_rate(header.fs)}")
    for _, fmt, _, _ in header.signals:
        if fmt not in FORMAT_BITS and fmt not in FLAC_FORMATS:
            raise InputRejected(
                f"“{name}” stores its signals in WFDB format {fmt}, which we cannot read. "
                "Convert the record to format 16 or 212 (for example with wfdb.wrsamp)."
            )
    if header.values is None:
        flac = sorted({fmt for _, fmt, _, _ in header.signals if fmt in FLAC_FORMATS})
        if flac:
            raise InputRejected(
                f"“{name}” stores compressed signals (FLAC, format {', '.join(flac)}) without "
                "stating their length. Please upload a header that gives the number of samples."
            )
    elif header.values > MAX_SAMPLES:
        raise _too_long(f"“{name}”", header.values)


def check_data_sizes(header, sizes):
    """Refuse an uncompressed data file shorter than its header says; ``sizes`` maps each data
    file's name to its length in bytes."""
    if header.nsamp is None:
        return
    for file_name in header.data_files:
        specs = [(fmt, off, spf) for f, fmt, off, spf in header.signals if f == file_name]
        if any(fmt not in FORMAT_BITS for fmt, _, _ in specs):
            continue  # compressed: bounded by check_bounds, checked by the reader
        bits = sum(FORMAT_BITS[fmt] * spf for fmt, _, spf in specs)
        needed = max(off for _, off, _ in specs) + math.ceil(header.nsamp * bits / 8)
        have = sizes[file_name]
        if have < needed:
            raise InputRejected(
                f"“{file_name}” is shorter than its header says ({_size(have)} instead "
                f"of {_size(needed)}): it was probably cut off. Copy it again."
            )


def _size(n):
    """Bytes as Django's filesizeformat writes them (the upload page uses it too)."""
    units = ("bytes", "KB", "MB", "GB")
    value, unit = float(n), 0
    while value >= 1024 and unit < len(units) - 1:
        value, unit = value / 1024, unit + 1
    if unit == 0:
        return f"{int(value)}\xa0byte" + ("" if int(value) == 1 else "s")
    return f"{value:.1f}\xa0{units[unit]}"


def read(path, dat_path=None):
    """Every signal of the record whose header is ``path``, as a Recording.

    ``dat_path`` names the signal file when it is not stored beside the header under the name
    the header gives (a record with one signal file only).
    """
    import wfdb

    path = Path(path)
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
        if header.sig_len:
            values = header.sig_len * sum(header.samps_per_frame or [1] * header.n_sig)
            if values > MAX_SAMPLES:
                raise _too_long("This record", values)
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
    units = rec.units or ["mV"] * rec.n_sig
    i = choose_lead(names)
    scales = [unit_scale(u) if u else 1.0 for u in units]
    if scales[i] is None:
        raise InputRejected(
            f"The chosen channel ({names[i]}) is measured in '{units[i]}', not in volts. "
            "Please upload an ECG channel."
        )
    # Channels in other units (a blood pressure, a respiration belt) are left out.
    keep = [k for k, s in enumerate(scales) if s is not None]
    columns = [np.asarray(rec.p_signal[:, k], np.float64) * scales[k] for k in keep]
    return recording(columns, rec.fs, [names[k] for k in keep], "wfdb", keep.index(i))
