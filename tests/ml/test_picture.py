"""The picture reader on what plotting programs really produce, and what it says when it refuses.

Each picture is drawn here by matplotlib or Pillow (``ml.reports.picturedev``'s styles), never by
our renderer, from a synthetic beat or a real MIT-BIH beat; the reading must be accepted, recover
the beat's shape, and be classified as our own drawing of the same beat is.
"""
import io

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter

from ml import picture, render
from ml.errors import InputRejected
from ml.reports import picturedev, synthetic
from ml.training import beattable

CODES = ["N", "L", "R", "A", "V"]


def _beat(wide, room_before=beattable.WIDE_BEFORE, room_after=beattable.WIDE_AFTER):
    return {"wide": np.asarray(wide, np.float64), "room_before": room_before,
            "room_after": room_after}


def _synthetic(code, seed=0):
    return _beat(synthetic.beat(code, before=0.45, after=0.60, seed=seed))


def _open(blob):
    img = Image.open(io.BytesIO(blob))
    img.load()
    return img


def _shape_match(reading, beat):
    """Correlation of the recovered beat with the true one, both on the model's time axis
    around their R peaks (the reader does not know the span, so both are resampled)."""
    truth = beat["wide"][beattable.WIDE_BEFORE - render.R_INDEX :][: render.WINDOW]
    sig = reading.signal
    r = picture.r_peak(sig)
    # The recovered beat's R peak and ends mapped onto the true window's.
    x = np.concatenate([np.linspace(0, render.R_INDEX, r + 1)[:-1],
                        np.linspace(render.R_INDEX, render.WINDOW - 1, sig.size - r)])
    resampled = np.interp(np.arange(render.WINDOW), x, sig)
    return float(np.corrcoef(resampled, truth)[0, 1])


@pytest.fixture(scope="module")
def predictor():
    from ml import Predictor

    return Predictor()


@pytest.mark.parametrize("style", picturedev.STYLES)
@pytest.mark.parametrize("code", CODES)
def test_pictures_drawn_by_plotting_programs_are_read(style, code):
    beat = _synthetic(code, seed=3)
    blob = picturedev.DRAW[style](beat, np.random.default_rng(7))
    reading = picture.read(_open(blob))
    assert reading.ink.shape == (render.HEIGHT, render.WIDTH)
    assert reading.ink.max() > 0.9


def test_a_clipped_matplotlib_plot_is_bridged_not_refused_as_separate_marks():
    # The defect: a fixed y-range cut the QRS off at the top, the line broke into pieces and
    # the picture was refused as "several separate marks".
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    beat = _synthetic("N")
    x = beat["wide"][beattable.WIDE_BEFORE - 90 : beattable.WIDE_BEFORE + 162]
    fig = Figure(figsize=(1.92, 1.28), dpi=100)
    ax = fig.add_subplot()
    ax.plot(x, color="0.4", linewidth=1.0)
    ax.axis("off")
    ax.set_ylim(x.min() - 0.05, np.median(x) + 0.5 * (x.max() - np.median(x)))
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    reading = picture.read(_open(buf.getvalue()))
    assert reading.clipped.get("top", 0) > 0
    # The bridged peak rises above the cut: the R wave is taller than the clipped plot shows.
    assert reading.signal.max() - np.median(reading.signal) > 0.55 * np.ptp(reading.signal)


@pytest.mark.parametrize("style", ["clipped", "clamped", "thin_grey", "centred", "spans",
                                   "axes_grid", "jpeg", "pillow"])
def test_a_real_beat_is_recovered_in_its_shape(style, record_cache):
    rec = record_cache("mitdb", "100")
    from ml.preprocess import TARGET_FS, clean

    x, _ = clean(rec.main_signal[: 360 * 20], rec.fs)
    samples, symbols = rec.beat_annotations()
    peaks = [int(p * TARGET_FS / rec.fs) for p, s in zip(samples, symbols, strict=True)
             if s == "N" and 360 < p < 360 * 19]
    p = peaks[3]
    wide = x[p - beattable.WIDE_BEFORE : p + beattable.WIDE_AFTER]
    beat = _beat(wide, room_before=int(0.45 * 360), room_after=int(0.45 * 360))
    rng = np.random.default_rng(5)
    # A clipped R peak whose up and down strokes lie in adjacent columns leaves no gap to
    # bridge: its tip stays cut off, and the rest of the beat looks taller beside it.
    # The pictures show other spans than the model's window, so the match is approximate.
    bar = 0.6 if style in ("clipped", "clamped", "axes_grid") else 0.75
    for _ in range(3):
        reading = picture.read(_open(picturedev.DRAW[style](beat, rng)))
        assert _shape_match(reading, beat) > bar, style


@pytest.mark.parametrize("style", picturedev.STYLES)
def test_pictures_are_classified_as_our_own_drawing_of_the_same_beat(style, predictor):
    rng = np.random.default_rng(11)
    agree = 0
    cases = [(code, seed) for code in ("N", "V", "L", "R") for seed in (1, 2)]
    for code, seed in cases:
        beat = _synthetic(code, seed)
        theirs = predictor.predict_image(_open(picturedev.DRAW[style](beat, rng))).label
        ours = predictor.predict_image(_open(picturedev.own(beat))).label
        agree += theirs == ours
    assert agree >= len(cases) - 1


# --- what the reader says when it refuses (issue 16: say what was seen) -------------------


def _png(img):
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return _open(buf.getvalue())


def test_a_blurred_photo_of_a_beat_is_called_blurred_not_blank():
    img = render.beat_image(synthetic.beat("N"), width=300, height=200).convert("RGB")
    with pytest.raises(InputRejected, match="blurred") as exc:
        picture.read(img.filter(ImageFilter.GaussianBlur(9)))
    assert "blank" not in str(exc.value)


def test_a_blank_picture_is_called_blank():
    with pytest.raises(InputRejected, match="blank: it is all one colour"):
        picture.read(_png(Image.new("RGB", (200, 120), (240, 240, 240))))


def test_a_faint_thin_grey_line_is_read_not_called_blurred():
    beat = _synthetic("N")
    reading = picture.read(_open(picturedev.thin_grey(beat, np.random.default_rng(2))))
    assert reading.ink.max() > 0.9


def test_a_plot_clipped_over_most_of_the_beat_says_where_it_is_clipped():
    # A tall wave plotted in a range a twelfth of its height: the line runs along both edges.
    x = np.sin(np.linspace(0, 2 * np.pi, 300)) * 600
    img = Image.new("L", (300, 100), 255)
    ys = np.clip(50 - x, 2, 97)
    ImageDraw.Draw(img).line(list(zip(range(300), ys.tolist(), strict=True)), fill=0, width=2)
    with pytest.raises(InputRejected, match=r"clipped at the (top|bottom).* of the plot over \d+%"):
        picture.read(img)


def test_a_strip_says_how_many_beats_were_found():
    strip = synthetic.strip(["N", "N", "V", "N", "N"])
    img = render.beat_image(strip, width=600, height=120)
    with pytest.raises(InputRejected, match=r"several heartbeats \(we found [3-9] QRS"):
        picture.read(img)


def test_text_is_refused_with_the_share_of_ink_on_one_line():
    img = Image.new("L", (300, 120), 255)
    draw = ImageDraw.Draw(img)
    draw.line([(10, 60), (290, 60)], fill=0, width=2)
    for i, word in enumerate(["heart", "rhythm", "report", "normal"]):
        draw.text((20 + 65 * i, 15), word, fill=0)
        draw.text((20 + 65 * i, 85), word, fill=0)
    with pytest.raises(InputRejected, match=r"only \d+% of what is drawn lies on one line"):
        picture.read(img)


def test_a_line_broken_in_the_middle_says_it_breaks_off():
    beat = synthetic.beat("N")
    img = render.beat_image(beat, width=300, height=150)
    ImageDraw.Draw(img).rectangle([60, 0, 100, 149], fill=255)  # 40 px cut out of the P wave
    with pytest.raises(InputRejected, match="breaks off once in the middle"):
        picture.read(img)
