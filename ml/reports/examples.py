"""Example beat images for the site's Info page, drawn by ml's own renderer.

From a real record when the PhysioNet data folder is available (a typical beat of the class:
the one closest to the class's median shape in a record rich in that class), otherwise from a
synthetic beat (ml.synthetic).
"""
import numpy as np

from .. import render
from ..registry import CLASS_INDEX
from ..training import augment
from . import synthetic

# Records with many beats of each class (for VF: a vfdb record in the training split).
SOURCES = {
    "N": ("mitdb", "100"),
    "L": ("mitdb", "109"),
    "R": ("mitdb", "118"),
    "A": ("mitdb", "209"),
    "V": ("mitdb", "119"),
    "VF": ("vfdb", "422"),
}
SCALE = 3  # drawn at 3x the model's canvas so it is readable on a web page


def typical_window(code, data_dir=None):
    """The model window of a typical beat of ``code`` from its source record."""
    from ..training import datasets

    db, name = SOURCES[code]
    load = datasets.mitdb_beats if db == "mitdb" else datasets.vfdb_beats
    beats = load(name, data_dir)
    windows = augment.canonical_from_wide(beats.wide[beats.labels == CLASS_INDEX[code]])
    if len(windows) == 0:
        raise LookupError(f"no {code} beats in {db}/{name}")
    shapes = render.normalise_amplitude(windows)
    median = np.median(shapes, axis=0)
    return windows[int(np.argmin(np.abs(shapes - median).mean(axis=1)))]


def example_beat_image(code, data_dir=None):
    """A PIL image of a typical ``code`` beat: real when the data is available, else synthetic."""
    if code not in CLASS_INDEX:
        raise KeyError(code)
    try:
        window = typical_window(code, data_dir)
    except (FileNotFoundError, LookupError, OSError):
        window = synthetic.beat(code)
    return render.beat_image(
        window,
        height=render.HEIGHT * SCALE,
        width=render.WIDTH * SCALE,
        margin_x=render.MARGIN * SCALE,
        margin_y=render.MARGIN * SCALE,
        line_width=render.LINE_WIDTH * SCALE / 1.5,
    )
