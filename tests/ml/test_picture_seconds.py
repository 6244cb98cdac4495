"""The picture reader with the optional time span a person may give ("seconds shown").

Without it the reader guesses the time scale from the beat's shape; given, the trace is
resampled to the model's rate and cut to the model's own window around the R peak. The pictures
are drawn by matplotlib (``ml.reports.picturedev``'s styles, which know the span they drew),
never by our renderer.
"""
import io

import numpy as np
import pytest
from PIL import Image

from ml import picture, render, segment
from ml.errors import InputRejected
from ml.formats import PICTURE_MAX_SECONDS, PICTURE_MIN_SECONDS
from ml.registry import CLASS_CODES
from ml.reports import picturedev, synthetic
from ml.training import beattable


def _beat(code, seed):
    wide = synthetic.beat(code, before=0.45, after=0.60, seed=seed)
    return {"wide": np.asarray(wide, np.float64), "room_before": beattable.WIDE_BEFORE,
            "room_after": beattable.WIDE_AFTER}


def _open(blob):
    img = Image.open(io.BytesIO(bytes(blob)))
    img.load()
    return img


def _window(beat):
    """The model's window of the beat: what the reader should recover."""
    return beat["wide"][beattable.WIDE_BEFORE - render.R_INDEX :][: render.WINDOW]


def _stretched(signal, truth):
    """Correlation of a reading whose time scale was guessed with the true window: the model
    sees it stretched over its canvas, end to end."""
    x = np.interp(np.linspace(0, signal.size - 1, truth.size), np.arange(signal.size), signal)
    return float(np.corrcoef(x, truth)[0, 1])


def _timed(reading, truth):
    """Correlation of a reading at render.FS with the true window, both around their R peak."""
    r = picture.r_peak(reading.signal)
    left = min(r, render.R_INDEX)
    right = min(reading.signal.size - r, render.WINDOW - render.R_INDEX)
    x = reading.signal[r - left : r + right]
    return float(np.corrcoef(x, truth[render.R_INDEX - left : render.R_INDEX + right])[0, 1])


def _samples(seconds):
    return int(round(seconds * render.FS))


def test_picturedev_drawings_know_the_span_their_trace_shows():
    beat = _beat("N", 0)
    drawing = picturedev.centred(beat, np.random.default_rng(0))
    assert 1.5 <= drawing.seconds <= 3.0
    assert drawing.startswith(b"\x89PNG")  # still the picture's bytes


@pytest.mark.parametrize("seed", range(4))
def test_a_given_span_cuts_a_beat_on_a_long_baseline_to_the_time_the_model_learned(seed):
    beat = _beat("N", seed)
    drawing = picturedev.centred(beat, np.random.default_rng(seed))

    reading = picture.read(_open(drawing), seconds=drawing.seconds)

    # 1.5-3 s shown: at most the longest extent the model was trained on is kept (all of it
    # around an R peak, or the beat's active part where no sharp QRS was counted), at the
    # true time scale: the beat's 0.7 s window lies in it, its R peak where it belongs.
    longest = _samples(picture.BEFORE_RANGE[1]) + _samples(picture.AFTER_RANGE[1]) + 1
    assert reading.seconds == pytest.approx(drawing.seconds)
    assert 0.6 * render.FS <= reading.signal.size <= longest
    assert _timed(reading, _window(beat)) > 0.6


def test_a_given_span_recovers_the_beat_better_than_the_guess():
    gains = []
    for style in ("centred", "spans", "thin_grey"):
        for seed in range(3):
            beat = _beat("N", seed)
            drawing = picturedev.DRAW[style](beat, np.random.default_rng(seed))
            img = _open(drawing)
            guessed = picture.read(img)
            given = picture.read(img, seconds=drawing.seconds)
            gains.append(_timed(given, _window(beat)) - _stretched(guessed.signal,
                                                                    _window(beat)))
    assert np.mean(gains) > 0.1


def test_a_picture_showing_less_than_the_model_saw_is_continued_at_its_end_level():
    beat = _beat("N", 1)
    beat["room_before"] = _samples(0.15)  # a neighbour close before: 0.15 s shown
    drawing = picturedev.thin_grey(beat, np.random.default_rng(3))

    reading = picture.read(_open(drawing), seconds=drawing.seconds)

    missing = _samples(picture.BEFORE_RANGE[0] - 0.15)
    assert abs(reading.padded[0] - missing) <= 6
    assert np.ptp(reading.signal[: reading.padded[0]]) == 0


def test_fibrillation_keeps_its_waves_without_flat_padding():
    vf = _beat("VF", 4)
    drawing = picturedev.centred(vf, np.random.default_rng(4))

    reading = picture.read(_open(drawing), seconds=drawing.seconds)

    assert reading.padded == (0, 0)
    # The waves shown (0.7 s), not the 1.5-3 s picture with its flat ends.
    assert 0.5 * render.FS < reading.signal.size < 0.8 * render.FS


def test_without_a_span_the_reader_guesses_as_before():
    beat = _beat("V", 2)
    img = _open(picturedev.centred(beat, np.random.default_rng(2)))
    plain, none = picture.read(img), picture.read(img, seconds=None)
    assert none.seconds is None and none.padded == (0, 0)
    assert np.array_equal(plain.ink, none.ink)
    assert not np.array_equal(plain.ink, picture.read(img, seconds=2.0).ink)


@pytest.mark.parametrize("seconds", [0.1, 0.0, -1.0, 60.0, float("nan"), float("inf")])
def test_a_span_that_cannot_hold_one_beat_is_refused_with_the_range(seconds):
    img = _open(picturedev.spans(_beat("N", 0), np.random.default_rng(0)))
    with pytest.raises(InputRejected, match=rf"shows {PICTURE_MIN_SECONDS:g} to "
                                            rf"{PICTURE_MAX_SECONDS:g} seconds"):
        picture.read(img, seconds=seconds)


def test_a_span_that_is_not_a_number_is_refused():
    img = _open(picturedev.spans(_beat("N", 0), np.random.default_rng(0)))
    with pytest.raises(InputRejected, match="must be a number of seconds"):
        picture.read(img, seconds="about a second")


def test_a_strip_is_still_refused_when_a_span_is_given():
    strip = synthetic.strip(["N", "N", "V", "N"])
    img = render.beat_image(strip, width=600, height=120)
    with pytest.raises(InputRejected, match="several heartbeats"):
        picture.read(img, seconds=(strip.size - 1) / render.FS)


def test_the_predictor_reads_with_the_span_given(predictor):
    beat = _beat("N", 3)
    drawing = picturedev.centred(beat, np.random.default_rng(3))
    img = _open(drawing)

    given = predictor.predict_image(img, seconds=drawing.seconds)

    ink = picture.canonical_beat(img, drawing.seconds)[None]
    expected = predictor.classify_ink(ink, segment.no_rhythm(1))[0]
    without = predictor.predict_image(img)
    for k, code in enumerate(CLASS_CODES):
        assert given.probabilities[code] == pytest.approx(float(expected[k]), abs=1e-5)
    assert max(abs(given.probabilities[c] - without.probabilities[c]) for c in CLASS_CODES) > 1e-3


@pytest.fixture(scope="module")
def predictor():
    from ml import Predictor

    return Predictor()
