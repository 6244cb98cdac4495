"""The single-beat image check: real beat drawings pass, everything else gets a clear reason."""
import io

import numpy as np
import pytest
from PIL import Image

from ml import picture, render
from ml.errors import InputRejected
from ml.formats import load_image
from ml.reports import nonbeats, otherstyles, synthetic
from ml.training import augment


def _wide(code):
    # A synthetic beat cut wide, as datasets stores real ones.
    return synthetic.beat(code, before=0.45, after=0.60)


@pytest.mark.parametrize("code", ["N", "L", "R", "A", "V", "VF"])
@pytest.mark.parametrize("style", sorted(otherstyles.STYLES))
def test_beats_drawn_by_other_software_are_accepted(code, style):
    img = otherstyles.STYLES[style](_wide(code), augment.WIDE_BEFORE)
    ink = picture.canonical_beat(img)
    assert ink.shape == (render.HEIGHT, render.WIDTH)


def test_beats_drawn_in_random_styles_are_accepted_at_least_99_percent_of_the_time():
    rng = np.random.default_rng(3)
    codes = ["N", "L", "R", "A", "V", "VF"]
    rejected = 0
    for i in range(300):
        wide = synthetic.beat(codes[i % 6], before=0.45, after=0.60, seed=i)
        img = augment.draw(augment.random_window(wide, rng), augment.random_style(rng))
        try:
            picture.canonical_beat(img)
        except InputRejected:
            rejected += 1
    assert rejected <= 3


@pytest.mark.parametrize(
    "kind, message",
    [
        ("blank", "blank"),
        ("noise", "does not look like"),
        ("text", ""),
        ("photo", ""),
        ("scribble", ""),
    ],
)
def test_pictures_that_are_not_a_beat_are_rejected_with_a_reason(kind, message):
    rng = np.random.default_rng(11)
    maker = getattr(nonbeats, kind)
    rejected = 0
    for _ in range(20):
        try:
            picture.canonical_beat(maker(rng))
        except InputRejected as exc:
            rejected += 1
            assert message in str(exc)
            assert len(str(exc)) > 40  # a sentence a patient can act on, not a code
    assert rejected >= 19


def test_a_strip_of_several_beats_is_rejected_and_the_patient_is_told_to_crop_it():
    strip = synthetic.strip(["N", "N", "V", "N", "N"])
    img = render.beat_image(strip, width=600, height=120)
    with pytest.raises(InputRejected, match="several heartbeats"):
        picture.canonical_beat(img)


def test_a_flat_line_is_rejected():
    img = Image.new("L", (200, 100), 255)
    img.paste(0, (10, 50, 190, 52))
    with pytest.raises(InputRejected, match="flat"):
        picture.canonical_beat(img)


def test_a_beat_inside_a_plot_frame_with_ticks_is_accepted():
    img = otherstyles.mpl_axes_288x192(_wide("V"), augment.WIDE_BEFORE)
    picture.canonical_beat(img)


def test_load_image_refuses_files_that_are_not_images():
    with pytest.raises(InputRejected, match="not an image"):
        load_image(b"this is plain text, not a picture at all")


def test_load_image_refuses_truncated_files():
    buf = io.BytesIO()
    render.beat_image(synthetic.beat("N")).save(buf, format="PNG")
    with pytest.raises(InputRejected):
        load_image(buf.getvalue()[: len(buf.getvalue()) // 2])


def test_load_image_refuses_decompression_bombs():
    buf = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(buf, format="PNG")  # 100 Mpx, a few kB on disk
    with pytest.raises(InputRejected, match="too large"):
        load_image(buf.getvalue())


def test_load_image_reads_every_accepted_format_and_mode():
    base = render.beat_image(synthetic.beat("N"))
    for fmt, mode in [("PNG", "RGBA"), ("JPEG", "RGB"), ("BMP", "L"), ("GIF", "P"),
                      ("TIFF", "RGB")]:
        buf = io.BytesIO()
        base.convert(mode).save(buf, format=fmt)
        img = load_image(buf.getvalue())
        picture.canonical_beat(img)
