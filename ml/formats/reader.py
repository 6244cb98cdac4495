"""Reading a recorded ECG: WFDB, EDF or CSV, recognised from the content, not the file name.

``read_recording(path, fs=None, *, dat_path=None)`` returns a ``Recording`` with every lead in
millivolts (float32, shape (n, leads)), the sampling rate, the lead names, the format and the
lead the model reads; ``read_signal`` returns that one lead as a ``Signal``. Anything that
cannot be used raises ``ml.errors.InputRejected`` whose text tells a patient what is wrong and
what to do. Every recording returned has passed ``check_usable`` on the lead the model reads:
at least ``MIN_SECONDS`` long, a sampling rate between ``MIN_FS`` and ``MAX_FS`` Hz, no missing
values, not a flat line, and a plausible amplitude.
"""
from pathlib import Path

from ..errors import InputRejected
from . import csvtable, edf, wfdbrecord
from .limits import HEADER_MAX_BYTES
from .recording import SUPPORTED, Signal
from .sniff import BDF_MAGIC, as_text, sniff


def read_recording(path, fs=None, *, dat_path=None):
    """Every lead of the recording at ``path`` (a WFDB header, a CSV or an EDF file).

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
            head = fh.read(HEADER_MAX_BYTES)
    except OSError:
        raise InputRejected("The file could not be opened. Please upload it again.") from None
    if not head.strip():
        raise InputRejected("The file is empty. " + SUPPORTED)
    if path.suffix.lower() == ".dat" and dat_path is None:
        header = path.with_suffix(".hea")
        if header.exists():
            return read_recording(header, fs)
        raise InputRejected(
            "This is a WFDB signal file (.dat) without its header (.hea). Please upload both "
            "files of the record."
        )
    kind = sniff(head)
    if kind == "edf":
        return edf.read(path)
    if kind == "wfdb":
        return wfdbrecord.read(path, dat_path)
    if kind == "csv" or (kind is None and as_text(head) is not None):
        # Text that does not look like a table gets the CSV reader's more precise message.
        return csvtable.read(path, fs)
    if head.startswith(BDF_MAGIC):
        raise InputRejected("This is a BDF (24-bit) file, which is not supported. " + SUPPORTED)
    raise InputRejected("This file is not an ECG recording we can read. " + SUPPORTED)


def read_signal(path, fs=None, *, dat_path=None):
    """The lead the model reads of the recording at ``path``: a ``Signal`` (1-D float64, mV)."""
    rec = read_recording(path, fs, dat_path=dat_path)
    return Signal(rec.main_lead(), rec.fs, rec.lead, rec.format)
