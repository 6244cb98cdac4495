"""Fixtures for the diagnosis tests: a private media folder, inputs, and finished rows.

Real ECG files are copied from ../shared/data at test time (never committed).
"""
import io
import shutil
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

DATA_DIR = Path(settings.ECG_DATA_DIR)
MITDB = DATA_DIR / "mitdb"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Each test gets its own empty MEDIA_ROOT, so "nothing was stored" can be checked."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root


# Nothing listens on port 9 of this machine: publishing there fails at once, and nothing
# shared has to be stopped to simulate a broker outage.
CLOSED_PORT_BROKER = "redis://127.0.0.1:9/0"


@contextmanager
def broker_url(url):
    """Make the web side publish to ``url`` for a while (then back to the real broker).

    Celery caches its connection and producer pools; they are dropped so that the next
    publish connects to the new URL.
    """
    from ecgsite.celery import app

    def drop_pools():
        app._pool = None
        app.amqp._producer_pool = None

    real = app.conf.broker_url
    app.conf.broker_url = url
    drop_pools()
    try:
        yield
    finally:
        app.conf.broker_url = real
        drop_pools()


def stored_files(root):
    return sorted(p.relative_to(root).as_posix() for p in Path(root).rglob("*") if p.is_file())


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


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def copy_record(name, dest):
    """Copy mitdb record ``name`` (.hea and .dat) into ``dest``; returns the header path."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    for ext in ("hea", "dat"):
        shutil.copyfile(MITDB / f"{name}.{ext}", dest / f"{name}.{ext}")
    return dest / f"{name}.hea"


def excerpt_record(name, dest, seconds, start_s=0.0):
    """A short WFDB record cut from mitdb ``name`` with wfdb.wrsamp (format 16)."""
    import wfdb

    rec = wfdb.rdrecord(str(MITDB / name))
    first = int(start_s * rec.fs)
    last = first + int(seconds * rec.fs)
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    out = f"{name}x"
    wfdb.wrsamp(out, fs=rec.fs, units=rec.units, sig_name=rec.sig_name,
                p_signal=rec.p_signal[first:last], fmt=["16"] * rec.n_sig, write_dir=str(dest))
    return dest / f"{out}.hea"


def post_upload(client, files, accept_json=True, **data):
    headers = {"Accept": "application/json"} if accept_json else {}
    return client.post("/diagnosis/upload/", {"files": files, **data}, headers=headers)


def make_diagnosis(owner, *, kind="image", status="done", label="N", when=None, **fields):
    """A diagnosis row with stored input files, as the worker would leave it (no model run).

    For signals: 60 s of a synthetic 360 Hz trace with one beat a second, beat 30 labelled
    V, and the trace file the plot reads.
    """
    from django.utils import timezone

    from diagnosis import storage
    from diagnosis.models import Diagnosis, DiagnosisFile, SignalResult
    from diagnosis.trace import make_trace
    from ml.registry import CLASS_CODES

    when = when or timezone.now()
    probs = {c: (0.9 if c == label else 0.02) for c in CLASS_CODES}
    done = status == "done"
    base = dict(owner=owner, kind=kind, status=status, queued_at=when,
                input_format="png" if kind == "image" else "wfdb",
                original_name="beat.png" if kind == "image" else "100.hea + 100.dat",
                started_at=when if status in ("running", "done", "failed") else None,
                finished_at=when if status in ("done", "failed") else None,
                model_version="abc123def456" if done else "",
                label=label if done else "", probabilities=probs if done else None,
                confidence=0.9 if done else None,
                error_message="" if status != "failed" else "This image is blank.")
    fs, seconds = 360.0, 60
    if kind == "signal" and done:
        counts = {c: 0 for c in CLASS_CODES}
        counts["N"], counts["V"] = seconds - 1, 1
        base.update(counts=counts, beat_count=seconds, heart_rate_bpm=60.0, vf_episodes=[],
                    duration_s=float(seconds), fs=fs)
    base.update(fields)
    diagnosis = Diagnosis.objects.create(**base)
    stem = storage.new_stem()
    if kind == "image":
        name = storage.save_exact(storage.path_for(owner.pk, stem, "png"), beat_png())
        DiagnosisFile.objects.create(diagnosis=diagnosis, file=name, original_name="beat.png",
                                     content_type="image/png", size=len(beat_png()))
    else:
        for ext in ("hea", "dat"):
            content = (f"{stem} 1 360 {int(fs * seconds)}\n{stem}.dat 16 200 16 0 0 0 0 MLII\n"
                       .encode() if ext == "hea" else bytes(int(fs * seconds) * 2))
            name = storage.save_exact(storage.path_for(owner.pk, stem, ext), content)
            DiagnosisFile.objects.create(diagnosis=diagnosis, file=name,
                                         original_name=f"100.{ext}",
                                         content_type="text/plain", size=len(content))
    if kind == "signal" and done:
        t = np.arange(int(fs * seconds)) / fs
        samples = np.exp(-((t % 1.0) - 0.5) ** 2 / 0.0002)
        trace = make_trace(samples, fs)
        name = storage.save_exact(storage.path_for(owner.pk, storage.new_stem(), "trace"),
                                  trace.data)
        DiagnosisFile.objects.create(diagnosis=diagnosis, role="trace", file=name,
                                     content_type="application/octet-stream",
                                     size=len(trace.data))
        labels = ["V" if i == 30 else "N" for i in range(seconds)]
        SignalResult.objects.create(
            diagnosis=diagnosis, samples=[int((i + 0.5) * fs) for i in range(seconds)],
            labels=labels, confidences=[0.95] * seconds, trace_fs=trace.fs,
            trace_length=trace.length, trace_scale_mv=trace.scale_mv)
    return diagnosis


def real_beat_png(record, symbol, nth=5, size=(192, 128), width=2):
    """One real annotated beat of mitdb ``record`` drawn as other tools draw beats: a grey
    line on white, no axes, 0.25 s before to 0.45 s after the R peak."""
    import wfdb

    rec = wfdb.rdrecord(str(MITDB / record), channels=[0])
    ann = wfdb.rdann(str(MITDB / record), "atr")
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
