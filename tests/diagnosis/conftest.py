"""Fixtures for the diagnosis tests: a private media folder, inputs, and finished rows.

Real ECG files are copied from ../shared/data at test time (never committed).
"""
import io
import shutil
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


def stored_files(root):
    return sorted(p.relative_to(root).as_posix() for p in Path(root).rglob("*") if p.is_file())


def beat_png(size=(192, 128), mode="RGB", fmt="PNG", **save):
    """A drawing of one heartbeat-like trace: grey line on white, no axes."""
    w, h = size
    img = Image.new("RGB", size, "white")
    x = np.linspace(0, 1, 200)
    y = (0.15 * np.exp(-((x - 0.25) ** 2) / 0.002) + 1.0 * np.exp(-((x - 0.5) ** 2) / 0.0004)
         - 0.25 * np.exp(-((x - 0.53) ** 2) / 0.0005) + 0.3 * np.exp(-((x - 0.75) ** 2) / 0.004))
    points = [(float(px * (w - 1)), float((0.85 - 0.7 * py) * (h - 1))) for px, py in zip(x, y)]
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
