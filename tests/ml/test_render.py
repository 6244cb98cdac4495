import hashlib

import numpy as np

from ml import render
from ml.images import to_ink
from ml.reports import synthetic


def test_rendering_is_deterministic():
    windows = np.stack([synthetic.beat(code) for code in ("N", "L", "V")])
    first = render.render_beats(windows)
    second = render.render_beats(windows.copy())
    assert hashlib.sha256(first.tobytes()).digest() == hashlib.sha256(second.tobytes()).digest()


def test_a_beat_is_a_dark_trace_on_white_in_the_fixed_geometry():
    img = render.render_beats(synthetic.beat("N")[None, :])[0]
    assert img.shape == (render.HEIGHT, render.WIDTH)
    assert img.dtype == np.uint8
    assert np.median(img) == 255  # white paper
    assert img.min() == 0  # a fully dark stroke
    # The trace spans the canvas inside the margin, left to right and top to bottom.
    ink = img < 128
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    assert rows[0] <= render.MARGIN + 1 and rows[-1] >= render.HEIGHT - render.MARGIN - 2
    assert cols[0] <= render.MARGIN + 1 and cols[-1] >= render.WIDTH - render.MARGIN - 2


def test_every_column_of_the_trace_is_connected():
    # Steep QRS strokes must not leave gaps between columns.
    ink = render.render_ink(synthetic.beat("N")[None, :])[0] >= 0.5
    cols = np.arange(render.MARGIN, render.WIDTH - render.MARGIN)
    tops = np.array([np.flatnonzero(ink[:, c]).min() for c in cols])
    bottoms = np.array([np.flatnonzero(ink[:, c]).max() for c in cols])
    # Neighbouring columns' inked runs overlap or touch.
    assert np.all(tops[1:] <= bottoms[:-1] + 1) and np.all(tops[:-1] <= bottoms[1:] + 1)


def test_amplitude_scale_and_offset_do_not_change_the_drawing():
    beat = synthetic.beat("V")
    a = render.render_beats(beat[None, :])
    b = render.render_beats((3.0 * beat + 1.5)[None, :])
    assert np.abs(a.astype(int) - b.astype(int)).max() <= 1


def test_a_flat_window_draws_a_horizontal_line():
    ink = render.render_ink(np.zeros((1, render.WINDOW)))[0]
    assert (ink.sum(axis=1) > 0).sum() <= 3


def test_a_rendered_beat_passes_through_the_upload_canonicalisation_unchanged():
    ink = render.render_ink(synthetic.beat("L")[None, :])[0]
    again = to_ink(render.beat_image(synthetic.beat("L")))
    # Mean absolute difference of a few percent of full ink (resampling, ink normalisation).
    assert np.abs(ink - again).mean() < 0.03


def test_a_batch_renders_each_beat_as_it_would_alone():
    # Rendering is one vectorised pass over the batch (its speed is part of the 30-minute
    # record figure of ml.reports.bench); no beat may depend on its neighbours in the batch.
    kinds = ("N", "L", "R", "A", "V", "VF")
    windows = np.stack([synthetic.beat(k) for k in kinds] * 50)
    batch = render.render_beats(windows)
    assert batch.shape == (300, render.HEIGHT, render.WIDTH)
    for i in (0, 7, 155, 299):
        assert np.array_equal(batch[i], render.render_beats(windows[i : i + 1])[0])
