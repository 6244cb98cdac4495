"""ECG inputs for the tests: beat pictures, records cut from the PhysioNet files, EDF files
written by hand, and the upload request that carries them.

Functions that read PhysioNet records take the record folder as their first argument: a test
gets it from the ``mitdb`` (or ``data_dir``) fixture, which marks the test ``needs_data``.
Real records are copied or cut at test time, never committed.
"""
import io
import shutil
from pathlib import Path

import numpy as np
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

# --- Pictures ------------------------------------------------------------------------------


def beat_png(size=(192, 128), mode="RGB", fmt="PNG", **save):
    """A drawing of one heartbeat-like trace: grey line on white, no axes."""
    w, h = size
    img = Image.new("RGB", size, "white")
    x = np.linspace(0, 1, 200)
    y = (0.15 * np.exp(-((x - 0.25) ** 2) / 0.002) + 1.0 * np.exp(-((x - 0.5) ** 2) / 0.0004)
         - 0.25 * np.exp(-((x - 0.53) ** 2) / 0.0005) + 0.3 * np.exp(-((x - 0.75) ** 2) / 0.004))
    points = [(float(px * (w - 1)), float((0.85 - 0.7 * py) * (h - 1)))
              for px, py in zip(x, y, strict=True)]
    ImageDraw.Draw(img).line(points, fill=(80, 80, 80), width=2)
    if mode != "RGB":
        img = img.convert(mode)
    buf = io.BytesIO()
    img.save(buf, format=fmt, **save)
    return buf.getvalue()


def real_beat_png(mitdb, record, symbol, nth=5, size=(192, 128), width=2):
    """One real annotated beat of record ``record`` in the folder ``mitdb``, drawn as other
    tools draw beats: a grey line on white, no axes, 0.25 s before to 0.45 s after the R
    peak."""
    import wfdb

    rec = wfdb.rdrecord(str(Path(mitdb) / record), channels=[0])
    ann = wfdb.rdann(str(Path(mitdb) / record), "atr")
    peak = [s for s, sym in zip(ann.sample, ann.symbol, strict=True) if sym == symbol][nth]
    x = rec.p_signal[int(peak - 0.25 * rec.fs):int(peak + 0.45 * rec.fs), 0]
    w, h = size
    lo, hi = float(x.min()), float(x.max())
    points = [(i / (len(x) - 1) * (w - 11) + 5, (1 - (v - lo) / (hi - lo)) * (h - 11) + 5)
              for i, v in enumerate(x)]
    img = Image.new("RGB", size, "white")
    ImageDraw.Draw(img).line(points, fill=(90, 90, 90), width=width)
    buffer = io.BytesIO()
    img.save(buffer, format="PNG")
    return buffer.getvalue()


def padded_beat_png(mitdb, record, symbol, seconds=2.0, nth=5, size=(400, 128)):
    """(PNG bytes, the span its trace shows in seconds): one real annotated beat (0.28 s
    before to 0.42 s after the R peak) centred on a flat baseline ``seconds`` long, as beat
    sets padded to a fixed length are plotted. Its time scale cannot be told from the picture
    alone."""
    import wfdb

    rec = wfdb.rdrecord(str(Path(mitdb) / record), channels=[0])
    ann = wfdb.rdann(str(Path(mitdb) / record), "atr")
    peak = [s for s, sym in zip(ann.sample, ann.symbol, strict=True) if sym == symbol][nth]
    x = rec.p_signal[int(peak - 0.28 * rec.fs):int(peak + 0.42 * rec.fs), 0]
    pad = int(round(seconds * rec.fs)) - len(x)
    y = np.concatenate([np.full(pad // 2, x[0]), x, np.full(pad - pad // 2, x[-1])])
    w, h = size
    lo, hi = float(y.min()), float(y.max())
    points = [(i / (len(y) - 1) * (w - 11) + 5, (1 - (v - lo) / (hi - lo)) * (h - 11) + 5)
              for i, v in enumerate(y)]
    img = Image.new("RGB", size, "white")
    ImageDraw.Draw(img).line(points, fill=(40, 40, 40), width=2)
    buffer = io.BytesIO()
    img.save(buffer, format="PNG")
    return buffer.getvalue(), (len(y) - 1) / rec.fs


# --- Signal files --------------------------------------------------------------------------


def copy_record(mitdb, name, dest):
    """Copy record ``name`` (.hea and .dat) of the folder ``mitdb`` into ``dest``; returns the
    header path."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    for ext in ("hea", "dat"):
        shutil.copyfile(Path(mitdb) / f"{name}.{ext}", dest / f"{name}.{ext}")
    return dest / f"{name}.hea"


def excerpt_record(mitdb, name, dest, seconds, start_s=0.0):
    """A short WFDB record cut from record ``name`` of the folder ``mitdb`` with wfdb.wrsamp
    (format 16); returns the header path."""
    import wfdb

    rec = wfdb.rdrecord(str(Path(mitdb) / name))
    first = int(start_s * rec.fs)
    last = first + int(seconds * rec.fs)
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    out = f"{name}x"
    wfdb.wrsamp(out, fs=rec.fs, units=rec.units, sig_name=rec.sig_name,
                p_signal=rec.p_signal[first:last], fmt=["16"] * rec.n_sig, write_dir=str(dest))
    return dest / f"{out}.hea"


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


# --- Single-lead exports (ml/formats/csvmeta.py) -------------------------------------------


def record_lead_mv(mitdb, name, seconds, fs=None, start_s=0.0):
    """``seconds`` of the first lead of record ``name`` in mV, resampled to ``fs`` (default:
    the record's own rate) as a watch or another recorder would have sampled it."""
    from math import gcd

    import wfdb
    from scipy.signal import resample_poly

    rec = wfdb.rdrecord(str(Path(mitdb) / name), channels=[0])
    first = int(start_s * rec.fs)
    x = rec.p_signal[first:first + int(seconds * rec.fs), 0]
    if fs is None or fs == rec.fs:
        return x
    step = gcd(int(fs), int(rec.fs))
    return resample_poly(x, int(fs) // step, int(rec.fs) // step)


APPLE_LABELS = {
    "en": ["Name", "Date of Birth", "Recorded Date", "Classification", "Symptoms",
           "Software Version", "Device", "Sample Rate", "Lead", "Unit", "hertz"],
    "de": ["Name", "Geburtsdatum", "Aufnahmedatum", "Klassifizierung", "Symptome",
           "Softwareversion", "Gerät", "Messrate", "Ableitung", "Einheit", "Hertz"],
}


def apple_health_csv(signal_mv, fs=512, language="en", decimal_comma=False, lead_lines=True):
    """An Apple Watch ECG as Apple Health exports it (``ECG_<date>.csv``): metadata lines in
    the phone's language, a blank line, then one column of microvolts (with a decimal comma,
    quoted as Apple writes it, when ``decimal_comma``). Older exports lack the Lead and Unit
    lines (``lead_lines=False``)."""
    name, born, recorded, classification, symptoms, software, device, rate, lead, unit, hz = \
        APPLE_LABELS[language]
    lines = [f"{name},Pat Ient", f'{born},"1 Jan 1970"',
             f"{recorded},2026-11-30 08:15:02 +0100", f"{classification},Sinus Rhythm",
             f"{symptoms},", f"{software},1.90", f'{device},"Watch6,2"',
             f"{rate},{fs:g} {hz}"]
    if lead_lines:
        lines += [f"{lead},{lead} I", f"{unit},µV"]
    lines.append("")
    for value in np.asarray(signal_mv) * 1000.0:
        text = f"{value:.3f}"
        lines.append(f'"{text.replace(".", ",")}"' if decimal_comma else text)
    return ("\n".join(lines) + "\n").encode("utf-8")


def physionet_samples_csv(leads_mv, names, fs, time="clock"):
    """PhysioNet's samples.csv (PhysioBank ATM / LightWAVE export) of ``leads_mv`` (arrays in
    mV): quoted names and units rows, then the time as ``'m:ss.mmm'`` (``time="clock"``), in
    seconds (``"seconds"``) or sample numbers (``"samples"``), and the values."""
    first, unit = {"clock": ("'Elapsed time'", "'hh:mm:ss.mmm'"),
                   "seconds": ("'Elapsed time'", "'seconds'"),
                   "samples": ("'sample #'", "'samples'")}[time]
    lines = [",".join([first, *(f"'{n}'" for n in names)]),
             ",".join([unit, *("'mV'" for _ in names)])]
    for i, values in enumerate(zip(*leads_mv, strict=True)):
        t = i / fs
        stamp = {"clock": f"'{int(t // 60)}:{t % 60:06.3f}'", "seconds": f"{t:.3f}",
                 "samples": str(i)}[time]
        lines.append(",".join([stamp, *(f"{v:.3f}" for v in values)]))
    return ("\r\n".join(lines) + "\r\n").encode("ascii")


# --- Uploads -------------------------------------------------------------------------------


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def post_upload(client, files, accept_json=True, **data):
    headers = {"Accept": "application/json"} if accept_json else {}
    return client.post("/diagnosis/upload/", {"files": files, **data}, headers=headers)


def stored_files(root):
    return sorted(p.relative_to(root).as_posix() for p in Path(root).rglob("*") if p.is_file())
