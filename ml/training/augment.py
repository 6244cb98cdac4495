"""Training augmentation: the same beat drawn the many ways other software draws beats.

Users upload beat images made elsewhere, so the model is trained on beats drawn with random
canvas sizes and aspect ratios, margins, line widths, with or without antialiasing, in gray or
colour, on opaque or transparent backgrounds, saved as JPEG at various qualities, cut with
different windows around the R peak and slightly shifted. Each drawing is then brought back to
the canonical geometry by exactly the code that handles uploads (ml.images), so training sees
what inference will see.
"""
import io
from dataclasses import dataclass

import numpy as np
from PIL import Image

from .. import render
from ..images import fit_to_canvas, ink_bbox, ink_map, to_gray

# Beat windows are cut wider than the model's window so augmentation can vary the extent.
WIDE_BEFORE = round(0.45 * render.FS)  # 162 samples before the R peak
WIDE_AFTER = round(0.60 * render.FS)  # 216 samples after it
WIDE = WIDE_BEFORE + WIDE_AFTER


def canonical_from_wide(wide, shift=0):
    """The model's fixed window (render.BEFORE_S..AFTER_S) cut from wide windows (n, WIDE)."""
    start = WIDE_BEFORE - render.R_INDEX + shift
    return wide[:, start : start + render.WINDOW]


@dataclass(frozen=True)
class Style:
    width: int
    height: int
    margins: tuple  # left, right, top, bottom in pixels
    line_width: float
    antialias: bool
    ink_rgb: tuple
    paper_rgb: tuple
    mode: str  # "L", "RGB" or "RGBA" (RGBA: transparent paper)
    jpeg_quality: int | None


def random_style(rng):
    height = int(rng.integers(40, 260))
    aspect = float(rng.uniform(0.9, 2.6))
    width = int(np.clip(round(height * aspect), 40, 640))
    margins = tuple(
        float(rng.uniform(0, 0.15)) * s for s in (width, width, height, height)
    )
    line_width = float(rng.uniform(0.6, 1.0) if rng.random() < 0.3 else rng.uniform(1.0, 4.0))
    line_width = min(line_width * max(1.0, height / 160), height / 25)
    colour = rng.random()
    if colour < 0.5:
        g = int(rng.integers(0, 150))
        ink = (g, g, g)
    else:
        ink = tuple(int(v) for v in rng.integers(0, 200, 3))
    if rng.random() < 0.1:  # light trace on a dark screen
        paper = tuple(int(v) for v in rng.integers(0, 50, 3))
        ink = tuple(255 - v // 3 for v in ink)
    else:
        paper = tuple(int(v) for v in rng.integers(225, 256, 3))
    mode = str(rng.choice(["L", "RGB", "RGBA"], p=[0.3, 0.5, 0.2]))
    if mode == "RGBA" and sum(paper) < 3 * 128:
        mode = "RGB"  # a transparent picture is shown on white: its trace must be dark
    jpeg = int(rng.integers(25, 96)) if rng.random() < 0.4 and mode != "RGBA" else None
    return Style(
        width=width,
        height=height,
        margins=margins,
        line_width=line_width,
        antialias=bool(rng.random() < 0.75),
        ink_rgb=ink,
        paper_rgb=paper,
        mode=mode,
        jpeg_quality=jpeg,
    )


def random_window(wide, rng):
    """A random sub-window of one wide beat window: varied extent, position and time scale."""
    before = int(round(rng.uniform(*render.STYLED_BEFORE_S) * render.FS))
    after = int(round(rng.uniform(*render.STYLED_AFTER_S) * render.FS))
    shift = int(rng.integers(-4, 5))
    start = max(0, WIDE_BEFORE - before + shift)
    stop = min(len(wide), WIDE_BEFORE + after + shift)
    return wide[start:stop]


def draw(window, style):
    """Draw one window in ``style``: a PIL image as another program might have saved it."""
    left, right, top, bottom = style.margins
    # Draw into the box inside the margins, then place that box on the canvas.
    inner = render.render_ink(
        window[None, :],
        height=max(8, int(style.height - top - bottom)),
        width=max(8, int(style.width - left - right)),
        line_width=style.line_width,
        antialias=style.antialias,
        margin_x=0,
        margin_y=0,
    )[0]
    ink = np.zeros((style.height, style.width), np.float32)
    t, lft = int(top), int(left)
    ink[t : t + inner.shape[0], lft : lft + inner.shape[1]] = inner[
        : style.height - t, : style.width - lft
    ]
    paper = np.array(style.paper_rgb, np.float32)
    pen = np.array(style.ink_rgb, np.float32)
    if style.mode == "RGBA":
        rgba = np.zeros((style.height, style.width, 4), np.float32)
        rgba[..., :3] = pen
        rgba[..., 3] = ink * 255.0
        return Image.fromarray(np.round(rgba).astype(np.uint8), mode="RGBA")
    rgb = paper + ink[..., None] * (pen - paper)
    img = Image.fromarray(np.round(rgb).astype(np.uint8), mode="RGB")
    if style.mode == "L":
        img = img.convert("L")
    if style.jpeg_quality:
        buf = io.BytesIO()
        img.save(buf, format="JPEG", quality=style.jpeg_quality)
        buf.seek(0)
        img = Image.open(buf)
        img.load()
    return img


def canonicalise(image):
    """Canonical ink of a drawing, as for uploads but without the validity checks."""
    ink = ink_map(to_gray(image))
    bbox = ink_bbox(ink)
    if bbox is None:
        return np.zeros((render.HEIGHT, render.WIDTH), np.float32)
    return fit_to_canvas(ink, bbox)


def styled_batch(wide_windows, rng):
    """Canonical ink images (n, H, W) of wide windows drawn in random styles."""
    out = np.empty((len(wide_windows), render.HEIGHT, render.WIDTH), np.float32)
    for i, wide in enumerate(wide_windows):
        out[i] = canonicalise(draw(random_window(wide, rng), random_style(rng)))
    return out


def canonical_batch(wide_windows, rng, jitter=4):
    """Canonical renders as the signal path makes them, with the R position jittered slightly
    (the detector does not land exactly where the cardiologist's annotation does)."""
    shifts = rng.integers(-jitter, jitter + 1, len(wide_windows))
    start = WIDE_BEFORE - render.R_INDEX + shifts
    idx = start[:, None] + np.arange(render.WINDOW)[None, :]
    windows = np.take_along_axis(wide_windows, idx, axis=1)
    return render.render_ink(windows)


def perturb(wide, template, rng, stretch=0.08, noise=0.03, tilt=0.15, flip=0.2):
    """Signal-level variations between patients that keep the class: a little faster or slower
    waves (time stretch about the R peak, small enough to keep a wide QRS wide), noise,
    residual baseline tilt, and lead polarity (a lead placed differently inverts the
    complexes). Beat and template change together where the change concerns the patient."""
    n, length = wide.shape
    span = np.ptp(wide, axis=1, keepdims=True) + 1e-6
    t = np.arange(length) - WIDE_BEFORE
    factor = rng.uniform(1 - stretch, 1 + stretch, (n, 1))
    src = np.clip(WIDE_BEFORE + t[None, :] / factor, 0, length - 1)
    i0 = np.floor(src).astype(int)
    i1 = np.minimum(i0 + 1, length - 1)
    frac = (src - i0).astype(np.float32)

    def warp(x):
        return np.take_along_axis(x, i0, 1) * (1 - frac) + np.take_along_axis(x, i1, 1) * frac

    beat, tmpl = warp(wide), warp(template)
    level = rng.uniform(0, noise, (n, 1)) * span
    beat = beat + rng.normal(0, 1, beat.shape).astype(np.float32) * level
    ramp = np.linspace(-0.5, 0.5, length)[None, :] * rng.uniform(-tilt, tilt, (n, 1)) * span
    beat = beat + ramp
    sign = np.where(rng.random((n, 1)) < flip, -1.0, 1.0).astype(np.float32)
    return (beat * sign).astype(np.float32), (tmpl * sign).astype(np.float32)
