"""Beats drawn by other software, to measure how the classifier copes with foreign drawings.

These drawings are made with matplotlib and Pillow's own line drawing, not with our renderer or
its augmentation code, so a model that merely memorised our drawing style would do badly here.
Used by evaluation only, never by training.
"""
import io

import numpy as np
from PIL import Image, ImageDraw

from .. import render

FS = render.FS


def _mpl_figure(width_px, height_px, dpi=100):
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    return Figure(figsize=(width_px / dpi, height_px / dpi), dpi=dpi)


def _to_image(fig, fmt="png", **save):
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, **save)
    buf.seek(0)
    img = Image.open(buf)
    img.load()
    return img


def _cut(wide, before_s, after_s, wide_before):
    start = wide_before - round(before_s * FS)
    return wide[max(0, start) : wide_before + round(after_s * FS)]


def mpl_gray_192x128(wide, wide_before):
    """The style users upload most: 192x128, gray 1-2 px line, no axes, matplotlib margins."""
    w = _cut(wide, 0.25, 0.45, wide_before)
    fig = _mpl_figure(192, 128)
    ax = fig.add_subplot()
    ax.plot(w, color="0.45", linewidth=1.5 * 72 / 100)
    ax.axis("off")
    return _to_image(fig).convert("RGB")


def mpl_axes_288x192(wide, wide_before):
    """A default matplotlib plot with its frame, ticks and tick labels."""
    w = _cut(wide, 0.3, 0.4, wide_before)
    fig = _mpl_figure(288, 192)
    ax = fig.add_subplot()
    ax.plot(np.arange(len(w)) / FS, w, color="black", linewidth=1.0)
    ax.tick_params(labelsize=6)
    return _to_image(fig)


def mpl_blue_jpeg_256(wide, wide_before):
    """A blue trace on a square canvas saved as a JPEG."""
    w = _cut(wide, 0.35, 0.5, wide_before)
    fig = _mpl_figure(256, 256)
    ax = fig.add_axes((0.02, 0.02, 0.96, 0.96))
    ax.plot(w, color="#1f4fbf", linewidth=2.0)
    ax.axis("off")
    return _to_image(fig, fmt="jpeg", pil_kwargs={"quality": 70})


def mpl_transparent_thick(wide, wide_before):
    """A thick dark line on a transparent PNG, wide aspect."""
    w = _cut(wide, 0.28, 0.5, wide_before)
    fig = _mpl_figure(400, 150)
    ax = fig.add_axes((0.05, 0.1, 0.9, 0.8))
    ax.plot(w, color="#202020", linewidth=3.0 * 72 / 100)
    ax.axis("off")
    return _to_image(fig, transparent=True)


def pil_polyline(wide, wide_before):
    """Pillow's aliased polyline, black, 2 px, 300x200 with 10 px margins."""
    w = _cut(wide, 0.3, 0.42, wide_before)
    width, height, m = 300, 200, 10
    y = (w - w.min()) / (np.ptp(w) or 1.0)
    xs = m + np.arange(len(w)) * (width - 2 * m - 1) / (len(w) - 1)
    ys = m + (1 - y) * (height - 2 * m - 1)
    img = Image.new("L", (width, height), 255)
    ImageDraw.Draw(img).line(list(zip(xs.tolist(), ys.tolist(), strict=True)), fill=0, width=2)
    return img


STYLES = {
    "matplotlib_gray_192x128": mpl_gray_192x128,
    "matplotlib_axes_288x192": mpl_axes_288x192,
    "matplotlib_blue_jpeg_256": mpl_blue_jpeg_256,
    "matplotlib_transparent_thick": mpl_transparent_thick,
    "pillow_polyline_300x200": pil_polyline,
}


def own_style(wide, wide_before):
    """Our own renderer's PNG of the model's window (the reference for comparison)."""
    start = wide_before - render.R_INDEX
    img = render.beat_image(wide[start : start + render.WINDOW])
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    buf.seek(0)
    out = Image.open(buf)
    out.load()
    return out
