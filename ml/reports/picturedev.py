"""A development set of single-beat pictures drawn by real plotting code, from held-out patients.

The default image model was trained on MIT-BIH DS1 (and four vfdb records), so the beats come
from patients it never saw: MIT-BIH DS2 records, the vfdb test records, and LUDB and PTB-XL
patients (their beat labels come from ``ml.training.beatlabels``' rules; beats a rule cannot
decide are left out). Each beat is drawn in one of several styles that plotting programs
produce, with random settings, by matplotlib or by Pillow's own line drawing -- never by our
renderer or its augmentation code:

- ``clipped``: matplotlib, 192x128, no axes, a fixed vertical range that cuts the QRS off at
  the top and/or bottom of the plot box (as a set plotted with one ``ylim`` for all beats does);
- ``clamped``: the same, but the values are clamped to the range first, so the line runs
  along the box edge instead of leaving it;
- ``thin_grey``: a 0.4-0.8 pt light grey line, sizes 150-640 px wide;
- ``centred``: the beat centred on a long flat baseline (padding to 1.5-3 s), as beat sets
  padded to a fixed length are plotted;
- ``spans``: windows of 0.6-1.05 s with the R peak anywhere from 20% to 60% of the width
  (never past a neighbouring beat's QRS), aspect ratios 1:1 to 4:1;
- ``axes_grid``: matplotlib's default frame, ticks, labels (seconds, mV) and a grid, sometimes
  only the left and bottom axes, sometimes a fixed range that clips;
- ``jpeg``: coloured lines saved as JPEG, quality 30-85;
- ``transparent``: a PNG with a transparent background;
- ``pillow``: Pillow's ``ImageDraw.line``, widths 1-3, values clamped to the canvas.

Beside each picture, our own drawing of the same beat (``ml.render``, the model's window) is
kept, so ``ml.reports.picture_eval`` can measure the gap on exactly the same beats, and the time
span each picture's trace shows (``seconds``: what a person who knows it may type into the
optional "seconds shown" field), so it can measure what knowing the span changes.

    python -m ml.reports.picturedev [--per-class 300] [--out runs/picturedev]

writes ``<out>/pictures.npz`` (PNG/JPEG bytes, labels, styles, patients, seconds) -- never
committed.
"""
import argparse
import io
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from .. import render
from ..registry import CLASS_CODES
from ..training import beattable, records, sources

FS = render.FS
W_BEFORE = beattable.WIDE_BEFORE
STYLES = ("clipped", "clamped", "thin_grey", "centred", "spans", "axes_grid", "jpeg",
          "transparent", "pillow")
DEFAULT_OUT = sources.REPO_ROOT / "runs" / "picturedev"
# Beats per record and class: many patients rather than many beats of one long record (vfdb's
# four test records are the only source of fibrillation here).
PER_RECORD = {"mitdb": 20, "vfdb": 80, "ludb": 3, "ptbxl": 3}
COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "black", "0.35", "#9467bd", "#ff7f0e")


class Drawing(bytes):
    """A picture's PNG or JPEG bytes, with the time its trace spans from end to end (seconds):
    what the plotting code knew and the picture alone does not say."""

    seconds: float

    def __new__(cls, blob, samples):
        out = super().__new__(cls, blob)
        out.seconds = (samples - 1) / FS  # the line runs from the first sample to the last
        return out


def _figure(width_px, height_px, dpi=100):
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    return Figure(figsize=(width_px / dpi, height_px / dpi), dpi=dpi)


def _save(fig, fmt="png", **kwargs):
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, **kwargs)
    return buf.getvalue()


def _cut(beat, before_s, after_s):
    """beat["wide"] from before_s before to after_s after the R peak, within the neighbours."""
    before = min(round(before_s * FS), beat["room_before"])
    after = min(round(after_s * FS), beat["room_after"])
    return beat["wide"][W_BEFORE - before : W_BEFORE + after]


def _clip_range(x, rng):
    """A fixed y-range that cuts off the tip of the QRS (its top, bottom or both).

    Only the large deflections are cut, as a range fixed for a whole set of beats cuts the tall
    ones: the baseline, P and T waves stay inside.
    """
    lo, hi = float(x.min()), float(x.max())
    span = hi - lo
    base = float(np.median(x))
    cut = rng.uniform(0.15, 0.6)
    up, down = hi - base, base - lo
    side = str(rng.choice(["top", "bottom", "both"], p=[0.5, 0.2, 0.3]))
    if down < 0.3 * span:
        side = "top"
    elif up < 0.3 * span:
        side = "bottom"
    top = base + (1 - cut) * up if side in ("top", "both") else hi + 0.05 * span
    bottom = base - (1 - cut) * down if side in ("bottom", "both") else lo - 0.05 * span
    return bottom, top


def _plain_axes(fig, rng):
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0)) if rng.random() < 0.5 else fig.add_subplot()
    ax.axis("off")
    return ax


def clipped(beat, rng, clamp=False):
    x = _cut(beat, rng.uniform(0.25, 0.35), rng.uniform(0.4, 0.5))
    fig = _figure(192, 128)
    ax = _plain_axes(fig, rng)
    bottom, top = _clip_range(x, rng)
    if clamp:
        x = np.clip(x, bottom, top)
    ax.plot(x, color=str(rng.choice(["0.3", "0.5", "black", "#1f77b4"])),
            linewidth=rng.uniform(0.8, 1.5))
    ax.set_ylim(bottom, top)
    ax.set_xlim(0, len(x) - 1)
    return Drawing(_save(fig), len(x))


def clamped(beat, rng):
    return clipped(beat, rng, clamp=True)


def thin_grey(beat, rng):
    x = _cut(beat, rng.uniform(0.25, 0.35), rng.uniform(0.38, 0.5))
    w = int(rng.integers(150, 640))
    fig = _figure(w, int(w / rng.uniform(1.2, 2.5)))
    ax = _plain_axes(fig, rng)
    ax.plot(x, color=str(rng.uniform(0.45, 0.7)), linewidth=rng.uniform(0.4, 0.8))
    return Drawing(_save(fig), len(x))


def centred(beat, rng):
    x = _cut(beat, 0.28, 0.42)
    span = rng.uniform(1.5, 3.0)
    pad = round(span * FS) - len(x)
    left = pad // 2 + int(rng.integers(-pad // 6, pad // 6 + 1))
    fill = x[0] if rng.random() < 0.5 else 0.0
    y = np.concatenate([np.full(left, x[0] if fill else 0.0), x,
                        np.full(pad - left, x[-1] if fill else 0.0)])
    fig = _figure(int(rng.choice([192, 256, 400])), int(rng.choice([96, 128, 160])))
    ax = _plain_axes(fig, rng)
    ax.plot(y, color=str(rng.choice(COLOURS)), linewidth=rng.uniform(0.7, 1.6))
    return Drawing(_save(fig), len(y))


def spans(beat, rng):
    span = rng.uniform(0.6, 1.05)
    r_at = rng.uniform(0.2, 0.6)
    x = _cut(beat, span * r_at, span * (1 - r_at))
    h = int(rng.integers(90, 220))
    fig = _figure(int(h * rng.uniform(1.0, 4.0)), h)
    ax = _plain_axes(fig, rng)
    ax.plot(x, color=str(rng.choice(COLOURS)), linewidth=rng.uniform(0.8, 2.0))
    return Drawing(_save(fig), len(x))


def axes_grid(beat, rng):
    before = rng.uniform(0.25, 0.4)
    x = _cut(beat, before, rng.uniform(0.35, 0.55))
    t = (np.arange(len(x)) - min(round(before * FS), beat["room_before"])) / FS
    w = int(rng.integers(288, 640))
    fig = _figure(w, int(w / rng.uniform(1.3, 2.0)))
    ax = fig.add_subplot()
    ax.plot(t, x, color=str(rng.choice(COLOURS)), linewidth=rng.uniform(0.8, 1.8))
    ax.grid(True, alpha=float(rng.uniform(0.3, 1.0)))
    ax.set_xlabel("time (s)")
    ax.set_ylabel("mV")
    ax.tick_params(labelsize=7)
    if rng.random() < 0.3:
        ax.spines[["top", "right"]].set_visible(False)
    if rng.random() < 0.4:
        ax.set_ylim(*_clip_range(x, rng))
    if rng.random() < 0.3:
        ax.set_title("beat", fontsize=8)
    return Drawing(_save(fig), len(x))


def jpeg(beat, rng):
    x = _cut(beat, rng.uniform(0.25, 0.35), rng.uniform(0.38, 0.5))
    fig = _figure(int(rng.integers(160, 500)), int(rng.integers(110, 300)))
    ax = _plain_axes(fig, rng)
    ax.plot(x, color=str(rng.choice(COLOURS)), linewidth=rng.uniform(0.8, 2.0))
    return Drawing(_save(fig, "jpeg", pil_kwargs={"quality": int(rng.integers(30, 86))}), len(x))


def transparent(beat, rng):
    x = _cut(beat, rng.uniform(0.25, 0.35), rng.uniform(0.38, 0.5))
    fig = _figure(int(rng.integers(160, 500)), int(rng.integers(100, 250)))
    ax = _plain_axes(fig, rng)
    ax.plot(x, color=str(rng.choice(COLOURS)), linewidth=rng.uniform(0.8, 2.0))
    return Drawing(_save(fig, transparent=True), len(x))


def pillow(beat, rng):
    x = _cut(beat, rng.uniform(0.25, 0.35), rng.uniform(0.38, 0.5))
    w, h = int(rng.integers(150, 500)), int(rng.integers(90, 260))
    m = int(rng.integers(0, 12))
    lo, hi = _clip_range(x, rng) if rng.random() < 0.5 else (x.min(), x.max())
    y = np.clip((x - lo) / ((hi - lo) or 1.0), 0, 1)
    xs = m + np.arange(len(x)) * (w - 2 * m - 1) / (len(x) - 1)
    ys = m + (1 - y) * (h - 2 * m - 1)
    img = Image.new("RGB", (w, h), "white")
    ImageDraw.Draw(img).line(list(zip(xs.tolist(), ys.tolist(), strict=True)),
                             fill=tuple(int(v) for v in rng.integers(0, 120, 3)),
                             width=int(rng.integers(1, 4)))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return Drawing(buf.getvalue(), len(x))


DRAW = {name: globals()[name] for name in STYLES}


def _model_window(beat):
    return beat["wide"][W_BEFORE - render.R_INDEX :][: render.WINDOW]


def own(beat):
    """Our renderer's PNG of the model's window of the same beat."""
    img = render.beat_image(_model_window(beat))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def held_out_records():
    """Records of patients the default model never saw, with lead II (or MLII) present."""
    infos = [i for i in sources.catalog() if not i.excluded]
    keep = []
    for info in infos:
        if info.database == "mitdb" and info.record in records.DS2:
            keep.append(info)
        elif info.database == "vfdb" and info.record in records.VFDB_TEST:
            keep.append(info)
        elif info.database in ("ludb", "ptbxl"):
            keep.append(info)
    return keep


def collect(per_class, seed, progress=None):
    """Up to ``per_class`` labelled beats per class, spread over patients: list of dicts."""
    rng = np.random.default_rng(seed)
    pools = {c: [] for c in range(len(CLASS_CODES))}
    for k, info in enumerate(held_out_records()):
        table = beattable.record_table(info)
        slot = np.flatnonzero(table["slots"] == sources.II)
        if not slot.size:
            continue
        labels, peaks = table["labels"], table["peaks"]
        for c in range(len(CLASS_CODES)):
            idx = np.flatnonzero(labels == c)
            # At most a few beats per record and class: many patients, not one long record.
            take = rng.choice(idx, min(len(idx), PER_RECORD[info.database]),
                              replace=False) if len(idx) else idx
            for i in take:
                prev_gap = peaks[i] - peaks[i - 1] if i > 0 else 10**6
                next_gap = peaks[i + 1] - peaks[i] if i + 1 < len(peaks) else 10**6
                if CLASS_CODES[c] == "VF":
                    # Fibrillation has no separate beats: any span shows more waves.
                    prev_gap = next_gap = 10**6
                pools[c].append({
                    "wide": table["windows"][i, slot[0]].astype(np.float64),
                    "label": c,
                    "patient": info.patient,
                    "record": f"{info.database}/{info.record}",
                    # Never show a neighbour's QRS: stop 0.12 s before it.
                    "room_before": int(min(W_BEFORE, prev_gap - round(0.12 * FS))),
                    "room_after": int(min(beattable.WIDE_AFTER, next_gap - round(0.12 * FS))),
                })
        if progress and k % 50 == 0:
            progress(f"{k} records read")
    beats = []
    for pool in pools.values():
        if len(pool) > per_class:
            pool = [pool[i] for i in rng.choice(len(pool), per_class, replace=False)]
        beats.extend(b for b in pool if b["room_before"] > 0.2 * FS and b["room_after"] > 0.3 * FS)
    return beats


def build(per_class=300, seed=15, progress=None):
    """The development set as arrays (what ``pictures.npz`` holds)."""
    beats = collect(per_class, seed, progress)
    rng = np.random.default_rng(seed + 1)
    pictures, own_pictures, styles, labels, patients, windows = [], [], [], [], [], []
    seconds = []
    for i, beat in enumerate(beats):
        style = STYLES[i % len(STYLES)]
        drawing = DRAW[style](beat, rng)
        pictures.append(bytes(drawing))
        seconds.append(drawing.seconds)
        own_pictures.append(own(beat))
        windows.append(_model_window(beat))
        styles.append(style)
        labels.append(beat["label"])
        patients.append(beat["patient"])
    return {
        "pictures": np.array(pictures, dtype=object),
        "own": np.array(own_pictures, dtype=object),
        "styles": np.array(styles),
        "labels": np.array(labels, np.int64),
        "patients": np.array(patients),
        "windows": np.array(windows, np.float32),
        "seconds": np.array(seconds, np.float64),
    }


def save(data, out):
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    np.savez(out / "pictures.npz", **data)
    return out / "pictures.npz"


def load(path):
    with np.load(path, allow_pickle=True) as f:
        return {k: f[k] for k in f.files}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-class", type=int, default=300)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--out", default=str(DEFAULT_OUT))
    args = parser.parse_args(argv)
    t0 = time.time()
    data = build(args.per_class, args.seed,
                 progress=lambda m: print(m, file=sys.stderr, flush=True))
    path = save(data, args.out)
    counts = {s: int((data["styles"] == s).sum()) for s in STYLES}
    print(f"{len(data['labels'])} pictures from {len(set(data['patients']))} patients "
          f"in {time.time() - t0:.0f} s -> {path}")
    print("per style:", counts)
    print("per class:", {CLASS_CODES[c]: int((data["labels"] == c).sum())
                         for c in range(len(CLASS_CODES))})


if __name__ == "__main__":
    main()
