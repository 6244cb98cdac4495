"""Shared helpers for the signal tests: real records from ../shared/data and tiny file writers.

The data directory is resolved by ``ml.training.records`` (``ECG_DATA_DIR`` or
``<repo>/../shared/data``); a missing data folder fails the tests loudly rather than skipping them.
"""
import numpy as np
import pytest

from ml.training import records


@pytest.fixture(scope="session")
def record_cache():
    cache = {}

    def get(db, name):
        if (db, name) not in cache:
            cache[(db, name)] = records.load_record(db, name)
        return cache[(db, name)]

    return get


def write_edf(path, signals, fs, labels, units="mV", record_seconds=1.0, annotations=False,
              physical_range=(-10.0, 10.0)):
    """Write a minimal EDF (or EDF+ with an empty annotation channel) by hand.

    The format: a 256-byte ASCII header, 256 bytes per signal (fields stored column-wise),
    then data records of little-endian int16 samples, each record holding
    ``record_seconds * fs`` samples of every signal in turn.
    """
    signals = [np.asarray(s, dtype=np.float64) for s in signals]
    per_record = int(round(fs * record_seconds))
    n_records = len(signals[0]) // per_record
    dmin, dmax = -32768, 32767
    pmin, pmax = physical_range
    labels = list(labels)
    units_list = [units] * len(signals) if isinstance(units, str) else list(units)
    nsamp = [per_record] * len(signals)
    if annotations:
        labels.append("EDF Annotations")
        units_list.append("")
        nsamp.append(30)
    ns = len(labels)

    def a(text, width):
        return str(text).ljust(width)[:width].encode("ascii")

    head = b"".join([
        a("0", 8), a("X X X X", 80), a("Startdate X X X X", 80), a("01.01.25", 8),
        a("00.00.00", 8), a(256 * (ns + 1), 8), a("EDF+C" if annotations else "", 44),
        a(n_records, 8), a(f"{record_seconds:g}", 8), a(ns, 4),
    ])
    cols = [
        [a(lab, 16) for lab in labels],
        [a("AgAgCl electrode", 80) for _ in labels],
        [a(u, 8) for u in units_list],
        [a(f"{pmin:g}", 8) for _ in labels],
        [a(f"{pmax:g}", 8) for _ in labels],
        [a(dmin, 8) for _ in labels],
        [a(dmax, 8) for _ in labels],
        [a("HP:0.1Hz", 80) for _ in labels],
        [a(n, 8) for n in nsamp],
        [a("", 32) for _ in labels],
    ]
    head += b"".join(b"".join(c) for c in cols)
    gain = (dmax - dmin) / (pmax - pmin)
    blocks = []
    for r in range(n_records):
        for s in signals:
            seg = s[r * per_record:(r + 1) * per_record]
            digital = np.clip(np.round((seg - pmin) * gain + dmin), dmin, dmax).astype("<i2")
            blocks.append(digital.tobytes())
        if annotations:
            blocks.append(b"\x00" * 60)
    with open(path, "wb") as fh:
        fh.write(head + b"".join(blocks))
    return (pmax - pmin) / (dmax - dmin)  # one quantisation step, in the signal's units


@pytest.fixture
def edf_writer():
    return write_edf
