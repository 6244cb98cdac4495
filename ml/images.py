"""Beat images from anywhere: bringing a drawing to the model's geometry.

Users upload beats drawn by other software (a gray matplotlib line on 192x128, a black line on a
JPEG screenshot, a coloured trace on a transparent PNG...). ``to_ink`` turns any such drawing
into the canonical form the renderer produces (see ml/render.py): ink in [0, 1], trace cropped
to its bounding box and scaled into the fixed canvas. What it cannot normalise (line width,
antialiasing, JPEG artefacts, window length) is covered by training augmentation
(ml/training/augment.py).
"""
import numpy as np
from PIL import Image

from . import render


def to_gray(image):
    """Luminance in [0, 1] as float32 (H, W); transparency is composited onto white."""
    if isinstance(image, np.ndarray):
        arr = image.astype(np.float32)
        if arr.max() > 1.0:
            arr = arr / 255.0
        if arr.ndim == 3:
            if arr.shape[2] == 4:
                alpha = arr[..., 3:4]
                arr = arr[..., :3] * alpha + (1.0 - alpha)
            arr = arr[..., :3] @ np.array([0.299, 0.587, 0.114], np.float32)
        return arr.astype(np.float32)
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, rgba)
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        arr = np.asarray(image, dtype=np.float32)
        span = arr.max() - arr.min()
        return (arr - arr.min()) / span if span > 0 else np.ones_like(arr)
    return np.asarray(image.convert("L"), dtype=np.float32) / 255.0


def ink_map(gray):
    """Ink in [0, 1] of a grayscale drawing: 0 on the background, 1 on the darkest strokes.

    Works for dark-on-light and light-on-dark drawings and for gray or coloured lines: the
    background level is the median pixel, the stroke level a high percentile of darkness.
    """
    bg = float(np.median(gray))
    dark = bg - gray if bg >= 0.5 else gray - bg
    dark = np.clip(dark, 0.0, None)
    level = float(np.percentile(dark, 99.7)) if dark.size else 0.0
    level = max(level, float(dark.max()) * 0.5)
    if level < 0.08:  # nothing stands out from the background
        return np.zeros_like(gray)
    ink = np.clip(dark / level, 0.0, 1.0)
    # Faint speckle (JPEG ringing, paper texture) is not ink.
    return np.clip((ink - 0.15) / 0.85, 0.0, 1.0)


def ink_bbox(ink, threshold=0.35):
    """(top, bottom, left, right) of the ink, inclusive, or None when there is none."""
    mask = ink >= threshold
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    if rows.size == 0:
        return None
    return rows[0], rows[-1], cols[0], cols[-1]


def fit_to_canvas(ink, bbox, height=render.HEIGHT, width=render.WIDTH, margin=render.MARGIN):
    """Crop ``ink`` to ``bbox`` and scale it into the model's canvas, as render_ink draws."""
    top, bottom, left, right = bbox
    crop = ink[top : bottom + 1, left : right + 1]
    inner_h, inner_w = height - 2 * margin, width - 2 * margin
    scaled = np.asarray(
        Image.fromarray(crop.astype(np.float32), mode="F").resize(
            (inner_w, inner_h), Image.Resampling.BOX if crop.shape[0] > inner_h else Image.BILINEAR
        ),
        dtype=np.float32,
    )
    # Downscaling thins and lightens strokes: restore full-strength ink so a 1 px gray line on
    # a large canvas looks like the renderer's own line.
    peak = float(np.percentile(scaled, 99.5)) if scaled.size else 0.0
    if peak > 0.05:
        scaled = np.clip(scaled / peak, 0.0, 1.0)
    out = np.zeros((height, width), np.float32)
    out[margin : margin + inner_h, margin : margin + inner_w] = scaled
    return out


def to_ink(image):
    """Any beat drawing (PIL image or array) -> canonical ink (H, W) float32, or None if blank."""
    ink = ink_map(to_gray(image))
    bbox = ink_bbox(ink)
    if bbox is None:
        return None
    return fit_to_canvas(ink, bbox)
