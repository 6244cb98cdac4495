"""Example beat pictures for the site: ``python -m ml.reports.examples [--data-dir D]``.

For every class of the registry, a typical beat of the record its ``example`` names (the beat
closest to the class's median shape in that record), drawn by ml's own renderer at three times
the model's canvas, is written to ``static/img/beats/<code>.png``. The pictures are committed
and the site serves them as files, so the web process never reads PhysioNet records. Run the
command again after adding a class or changing the renderer (a test compares the committed
pictures with what it draws).
"""
import argparse
from pathlib import Path

import numpy as np

from .. import render
from ..registry import CLASS_INDEX, CLASSES, get
from ..training import augment, datasets

OUT = Path(__file__).resolve().parents[2] / "static" / "img" / "beats"
SCALE = 3  # drawn at 3x the model's canvas so it is readable on a web page
LOADERS = {"mitdb": datasets.mitdb_beats, "vfdb": datasets.vfdb_beats}


def typical_window(code, data_dir=None):
    """The model window of a typical beat of ``code`` from the class's example record."""
    db, name = get(code).example
    beats = LOADERS[db](name, data_dir)
    windows = augment.canonical_from_wide(beats.wide[beats.labels == CLASS_INDEX[code]])
    if len(windows) == 0:
        raise LookupError(f"no {code} beats in {db}/{name}")
    shapes = render.normalise_amplitude(windows)
    median = np.median(shapes, axis=0)
    return windows[int(np.argmin(np.abs(shapes - median).mean(axis=1)))]


def example_beat_image(code, data_dir=None):
    """A PIL image of a typical beat of class ``code``."""
    return render.beat_image(
        typical_window(code, data_dir),
        height=render.HEIGHT * SCALE,
        width=render.WIDTH * SCALE,
        margin_x=render.MARGIN * SCALE,
        margin_y=render.MARGIN * SCALE,
        line_width=render.LINE_WIDTH * SCALE / 1.5,
    )


def write_all(out=OUT, data_dir=None):
    """Draw every class's example into ``out``; returns the paths written."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for beat_class in CLASSES:
        path = out / f"{beat_class.code}.png"
        example_beat_image(beat_class.code, data_dir).save(path, format="PNG", optimize=True)
        paths.append(path)
    return paths


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m ml.reports.examples",
                                description=__doc__.split("\n")[0])
    p.add_argument("--data-dir", default=None, help="folder with mitdb/ and vfdb/ (ECG_DATA_DIR)")
    p.add_argument("--out", default=str(OUT), help="folder the pictures are written to")
    args = p.parse_args(argv)
    for path in write_all(args.out, args.data_dir):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
