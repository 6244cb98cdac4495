"""Pictures that are NOT a drawing of one heartbeat, to measure how well they are rejected.

Kinds: blank canvases, real photographs (the sample photos shipped with matplotlib, cropped and
scaled), text, noise, scribbles and shapes, ECG paper grids, and whole multi-beat strips drawn
from real records. Used only for measurement (``ml.reports.bench``) and tests, never for
training, so the rejection figures are not tuned to this generator's exact output.
"""
import gzip
import io
from pathlib import Path

import matplotlib
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .. import render

KINDS = ("blank", "photo", "text", "noise", "scribble", "grid", "strip")
_MPL_DATA = Path(matplotlib.get_data_path())
WORDS = (
    "heart rhythm normal sinus patient report doctor upload result beat signal lead "
    "the quick brown fox jumps over the lazy dog ECG 12 lead 25 mm/s 10 mm/mV QRS 0.08 s"
).split()


def _photos():
    sample = _MPL_DATA / "sample_data"
    photos = []
    for name in ("grace_hopper.jpg", "Minduka_Present_Blue_Pack.png", "logo2.png"):
        path = sample / name
        if path.exists():
            with Image.open(path) as img:
                photos.append(img.convert("RGB"))
    mri = sample / "s1045.ima.gz"
    if mri.exists():
        raw = np.frombuffer(gzip.open(mri).read(), np.uint16).reshape(256, 256)
        photos.append(Image.fromarray((raw / raw.max() * 255).astype(np.uint8)).convert("RGB"))
    for name in ("topobathy.npz", "jacksboro_fault_dem.npz"):
        path = sample / name
        if path.exists():
            with np.load(path) as data:
                z = np.asarray(data[data.files[0]], np.float64)
            z = (z - z.min()) / (np.ptp(z) or 1.0)
            photos.append(Image.fromarray((z * 255).astype(np.uint8)).convert("RGB"))
    return photos


def _font(size):
    ttf = _MPL_DATA / "fonts" / "ttf"
    faces = sorted(ttf.glob("DejaVu*.ttf"))
    return faces, size


def blank(rng):
    w, h = int(rng.integers(40, 500)), int(rng.integers(40, 400))
    choice = rng.integers(0, 4)
    if choice == 0:
        arr = np.full((h, w), int(rng.integers(0, 256)), np.uint8)
    elif choice == 1:
        ramp = np.linspace(rng.uniform(150, 255), rng.uniform(150, 255), w)
        arr = np.tile(ramp, (h, 1)).astype(np.uint8)
    elif choice == 2:
        arr = np.clip(255 - np.abs(rng.normal(0, 3, (h, w))), 0, 255).astype(np.uint8)
    else:
        rgb = np.broadcast_to(rng.integers(0, 256, 3), (h, w, 3)).astype(np.uint8)
        return Image.fromarray(rgb, "RGB")
    return Image.fromarray(arr, "L")


def photo(rng, photos=None):
    photos = photos or _photos()
    src = photos[int(rng.integers(0, len(photos)))]
    w, h = src.size
    cw, ch = int(rng.integers(w // 4, w + 1)), int(rng.integers(h // 4, h + 1))
    x, y = int(rng.integers(0, w - cw + 1)), int(rng.integers(0, h - ch + 1))
    crop = src.crop((x, y, x + cw, y + ch))
    scale = rng.uniform(0.3, 1.5)
    size = (max(16, int(cw * scale)), max(16, int(ch * scale)))
    img = crop.resize(size)
    return img.convert("L") if rng.random() < 0.3 else img


def text(rng):
    faces, _ = _font(0)
    size = int(rng.integers(10, 40))
    font = ImageFont.truetype(str(faces[int(rng.integers(0, len(faces)))]), size)
    lines = [
        " ".join(rng.choice(WORDS, int(rng.integers(1, 6)))) for _ in range(rng.integers(1, 6))
    ]
    w = int(max(font.getlength(line) for line in lines)) + 20
    h = int(len(lines) * size * 1.3) + 20
    img = Image.new("L", (w, h), int(rng.integers(200, 256)))
    draw = ImageDraw.Draw(img)
    for i, line in enumerate(lines):
        draw.text((10, 10 + i * size * 1.3), line, fill=int(rng.integers(0, 100)), font=font)
    return img


def noise(rng):
    w, h = int(rng.integers(40, 400)), int(rng.integers(40, 300))
    choice = rng.integers(0, 3)
    if choice == 0:
        arr = rng.integers(0, 256, (h, w))
    elif choice == 1:
        arr = np.clip(rng.normal(128, rng.uniform(20, 90), (h, w)), 0, 255)
    else:
        arr = np.full((h, w), 255)
        arr[rng.random((h, w)) < rng.uniform(0.01, 0.3)] = 0
    return Image.fromarray(arr.astype(np.uint8), "L")


def scribble(rng):
    w, h = int(rng.integers(60, 400)), int(rng.integers(60, 300))
    img = Image.new("L", (w, h), 255)
    draw = ImageDraw.Draw(img)
    for _ in range(int(rng.integers(2, 8))):
        kind = rng.integers(0, 3)
        box = sorted(rng.integers(0, w, 2)), sorted(rng.integers(0, h, 2))
        xy = [box[0][0], box[1][0], box[0][1] + 1, box[1][1] + 1]
        if kind == 0:
            draw.ellipse(xy, outline=0, width=int(rng.integers(1, 4)))
        elif kind == 1:
            draw.rectangle(xy, outline=0, width=int(rng.integers(1, 4)))
        else:
            pts = [(int(rng.integers(0, w)), int(rng.integers(0, h))) for _ in range(5)]
            draw.line(pts, fill=0, width=int(rng.integers(1, 4)))
    return img


def grid(rng):
    w, h = int(rng.integers(100, 600)), int(rng.integers(80, 400))
    step = int(rng.integers(5, 20))
    rgb = np.full((h, w, 3), 255, np.uint8)
    rgb[::step, :] = (240, 150, 150)
    rgb[:, ::step] = (240, 150, 150)
    rgb[:: step * 5, :] = (220, 80, 80)
    rgb[:, :: step * 5] = (220, 80, 80)
    return Image.fromarray(rgb, "RGB")


def strip(rng, segments):
    """Several consecutive beats of a real record, drawn as a line plot."""
    seg = segments[int(rng.integers(0, len(segments)))]
    seconds = rng.uniform(2.5, 10.0)
    n = int(seconds * render.FS)
    start = int(rng.integers(0, max(1, len(seg) - n)))
    window = seg[start : start + n]
    height = int(rng.integers(60, 250))
    width = int(height * rng.uniform(2.0, 6.0))
    ink = render.render_ink(
        window[None, :], height=height, width=width, line_width=float(rng.uniform(1, 3))
    )[0]
    return Image.fromarray(np.round(255 * (1 - ink)).astype(np.uint8), "L")


def generate(rng, n_per_kind, strip_segments):
    """[(kind, PIL image)] with ``n_per_kind`` images of every kind."""
    photos = _photos()
    makers = {
        "blank": blank,
        "photo": lambda r: photo(r, photos),
        "text": text,
        "noise": noise,
        "scribble": scribble,
        "grid": grid,
        "strip": lambda r: strip(r, strip_segments),
    }
    out = []
    for kind in KINDS:
        for _ in range(n_per_kind):
            img = makers[kind](rng)
            if rng.random() < 0.3 and img.mode != "RGBA":
                buf = io.BytesIO()
                img.convert("RGB").save(buf, "JPEG", quality=int(rng.integers(40, 95)))
                buf.seek(0)
                img = Image.open(buf)
                img.load()
            out.append((kind, img))
    return out
