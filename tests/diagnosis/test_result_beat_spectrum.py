"""The result page of a recording shows the analysed beat's trace beside its 2-D spectral
image (diagnosis.beatview): the image is a real PNG computed from that beat."""
import base64
import io
import re

import numpy as np
import pytest
from PIL import Image

from diagnosis import beatview, storage
from diagnosis.models import DiagnosisFile
from diagnosis.trace import make_trace
from ml import spectral
from tests.factories import make_diagnosis

pytestmark = pytest.mark.django_db


def image_of(page):
    src = re.search(r'<img class="beat-spectrum" src="data:image/png;base64,([^"]+)"', page)
    assert src, "no spectral image on the page"
    return Image.open(io.BytesIO(base64.b64decode(src.group(1))))


def with_trace(d, width_s):
    """``d`` with its stored trace replaced: one Gaussian beat a second of ``width_s``."""
    fs = 360.0
    t = np.arange(int(fs * 60)) / fs
    trace = make_trace(np.exp(-((t % 1.0) - 0.5) ** 2 / (2 * width_s ** 2)), fs)
    d.files.filter(role=DiagnosisFile.Role.TRACE).delete()
    name = storage.save_exact(storage.path_for(d.owner_id, storage.new_stem(), "trace"),
                              trace.data)
    DiagnosisFile.objects.create(diagnosis=d, role="trace", file=name, size=len(trace.data),
                                 content_type="application/octet-stream")
    return d


def test_a_recording_result_shows_its_finding_beat_and_spectral_image(patient_client, patient):
    d = make_diagnosis(patient, kind="signal", label="V")  # beat 31 (index 30) is the V

    page = patient_client.get(d.get_absolute_url()).content.decode()

    assert 'id="analysed-beat"' in page
    assert "Beat 31 at 30.5 s" in page and "beat-class-V" in page
    assert re.search(r'<polyline points="0,[-\d.]+ 1,[-\d.]+ ', page)
    picture = image_of(page)
    assert picture.format == "PNG"
    assert picture.size == (spectral.FRAMES * beatview.CELL, spectral.BINS * beatview.CELL)
    assert "frequency up, 0 to 45 Hz" in page


def test_the_image_is_that_beats_spectrum(patient, tmp_path):
    narrow = with_trace(make_diagnosis(patient, kind="signal", label="V"), 0.003)  # a spike
    wide = with_trace(make_diagnosis(patient, kind="signal", label="V"), 0.04)  # a slow wave
    a, b = beatview.beat_view(narrow), beatview.beat_view(wide)
    assert a["image"] != b["image"] and a["points"] != b["points"]

    def energy_by_row(view):
        png = base64.b64decode(view["image"].split(",", 1)[1])
        return np.asarray(Image.open(io.BytesIO(png)).convert("L"), float).mean(axis=1)

    # Rows run from 45 Hz (top) to 0 Hz: the narrow beat is brighter in the top half.
    top = slice(0, spectral.BINS * beatview.CELL // 2)
    assert energy_by_row(a)[top].mean() > energy_by_row(b)[top].mean() + 10


def test_the_window_is_read_where_the_beat_is():
    class Result:
        samples, trace_fs, trace_length, trace_scale_mv = [720, 1080], 250.0, 750, 0.001

    values = np.arange(750, dtype="<i2")  # sample k holds k uV: the position is readable
    window = beatview.beat_window(io.BytesIO(values.tobytes()), Result, 1, 360.0)
    # R peak at 3 s = trace sample 750 - past the end: zeros after it, a ramp before.
    assert window[0] == pytest.approx((3 - 101 / 360) * 250 * 0.001, abs=1e-6)
    assert window[-1] == 0.0
    assert beatview.analysed_beat(type("R", (), {"samples": [1, 2, 3], "labels": ["N", "V", "V"],
                                                 "confidences": [0.99, 0.6, 0.8]}), "V") == 2


def test_a_picture_result_has_no_beat_spectrum(patient_client, patient):
    d = make_diagnosis(patient, kind="image", label="V")

    assert 'id="analysed-beat"' not in patient_client.get(d.get_absolute_url()).content.decode()


def test_the_caption_says_the_model_reads_the_trace_when_its_card_says_so(patient_client,
                                                                          patient, settings):
    from ml.card import load_card

    version = load_card(settings.ECG_LEADS_MODEL_DIR)["model_version"]
    d = make_diagnosis(patient, kind="signal", label="V", model_version=version)
    page = patient_client.get(d.get_absolute_url()).content.decode()
    assert "The recordings model reads the trace itself, not this image" in page
    other = make_diagnosis(patient, kind="signal", label="V")  # another model version
    page = patient_client.get(other.get_absolute_url()).content.decode()
    assert 'id="analysed-beat"' in page and "recordings model reads" not in page
