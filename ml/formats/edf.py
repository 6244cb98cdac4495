"""EDF / EDF+ (Kemp et al. 1992): a 256-byte ASCII header, 256 bytes per signal, then data
records of little-endian int16 samples.

Read by this small parser (wfdb 4.3's ``read_edf`` prints to stdout, resamples every channel to
one common rate and trips on EDF+ annotation channels). ``check_bounds`` reads the header only;
``read`` decodes the channels measured in volts at the rate of the lead the model reads (the
``EDF Annotations`` channel and channels in other units are skipped).
"""
from pathlib import Path

import numpy as np

from ..errors import InputRejected
from .limits import EDF_MAX_SIGNALS, MAX_SAMPLES
from .recording import choose_lead, recording, unit_scale
from .wfdbrecord import _size


def check_bounds(name, data):
    """Refuse an EDF file whose header is damaged, that was not closed properly, that is
    shorter than its header says, or that would decode to too many values."""

    def number(start, end, cast):
        try:
            return cast(data[start:end].decode("ascii").strip())
        except (UnicodeDecodeError, ValueError):
            raise InputRejected(f"“{name}” is not a valid EDF file (damaged header).") from None

    header_bytes = number(184, 192, int)
    n_records = number(236, 244, int)
    ns = number(252, 256, int)
    if ns < 1 or header_bytes != 256 * (ns + 1) or len(data) < header_bytes:
        raise InputRejected(f"“{name}” is not a valid EDF file (damaged header).")
    if n_records < 1:
        raise InputRejected(
            f"“{name}” is an EDF file that was not closed properly (its number of data records "
            "is unknown). Export it again from the recording software."
        )
    if ns > EDF_MAX_SIGNALS:
        raise InputRejected(f"“{name}” declares {ns} signals; we accept at most "
                            f"{EDF_MAX_SIGNALS}.")
    base = 256 + ns * 216
    per_record = sum(number(base + 8 * i, base + 8 * (i + 1), int) for i in range(ns))
    if n_records * per_record > MAX_SAMPLES:
        raise InputRejected(
            f"“{name}” declares {n_records * per_record:,} samples (all signals together); we "
            f"accept at most {MAX_SAMPLES:,}. Please upload a shorter recording."
        )
    needed = header_bytes + n_records * per_record * 2
    if len(data) < needed:
        raise InputRejected(
            f"“{name}” is shorter than its header says ({_size(len(data))} instead of "
            f"{_size(needed)}): it was probably cut off. Copy it again."
        )


def read(path):
    """The EDF file at ``path`` as a Recording."""
    bad = InputRejected(
        "The EDF file could not be read: its header is damaged or incomplete. Please export "
        "the recording again."
    )
    try:
        raw = Path(path).read_bytes()
        ns = int(raw[252:256].decode("ascii").strip())
        n_records = int(raw[236:244].decode("ascii").strip())
        duration = float(raw[244:252].decode("ascii").strip())
        header_bytes = int(raw[184:192].decode("ascii").strip())
        if ns < 1 or ns > EDF_MAX_SIGNALS or duration <= 0 or header_bytes != 256 * (ns + 1):
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
    main = voltage[choose_lead([labels[v] for v in voltage])]
    if dmax[main] == dmin[main]:
        raise bad
    # One recording has one rate: the other voltage channels sampled like the main one.
    keep = [k for k in voltage if nsamp[k] == nsamp[main] and dmax[k] != dmin[k]]
    data = np.frombuffer(raw, dtype="<i2", count=n_records * record_len, offset=header_bytes)
    data = data.reshape(n_records, record_len)
    columns = []
    for k in keep:
        start = sum(nsamp[:k])
        digital = data[:, start: start + nsamp[k]].reshape(-1).astype(np.float64)
        gain = (pmax[k] - pmin[k]) / (dmax[k] - dmin[k])
        columns.append(((digital - dmin[k]) * gain + pmin[k]) * unit_scale(units[k]))
    names = [labels[k] or ("ECG" if k == main else f"signal {k + 1}") for k in keep]
    return recording(columns, nsamp[main] / duration, names, "edf", keep.index(main))
