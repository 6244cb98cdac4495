"""The Predictor with the committed default model: images, signals and what it refuses."""
import io

import numpy as np
import pytest

from ml import CLASS_CODES, InputRejected, render
from ml.formats import read_signal
from ml.reports import nonbeats, synthetic


@pytest.fixture(scope="module")
def predictor():
    from ml import Predictor

    return Predictor()


def test_it_loads_the_committed_model_with_its_version_and_card(predictor):
    assert len(predictor.version) == 12
    assert predictor.card["model_version"] == predictor.version


def test_an_image_gets_a_label_probabilities_and_a_confidence(predictor):
    pred = predictor.predict_image(render.beat_image(synthetic.beat("N")))
    assert pred.label in CLASS_CODES
    assert set(pred.probabilities) == set(CLASS_CODES)
    assert sum(pred.probabilities.values()) == pytest.approx(1.0, abs=1e-4)
    assert pred.confidence == max(pred.probabilities.values())
    assert pred.to_dict()["name"]


def test_images_are_classified_in_one_batch_in_order(predictor):
    images = [render.beat_image(synthetic.beat(c)) for c in ("N", "V", "N")]
    preds = predictor.predict_images(images)
    single = [predictor.predict_image(img) for img in images]
    assert [p.label for p in preds] == [p.label for p in single]
    assert preds[0].probabilities == pytest.approx(preds[2].probabilities, abs=1e-5)


@pytest.mark.parametrize("kind", ["blank", "photo", "text", "noise"])
def test_pictures_that_are_not_beats_raise_input_rejected(predictor, kind):
    img = getattr(nonbeats, kind)(np.random.default_rng(5))
    with pytest.raises(InputRejected):
        predictor.predict_image(img)


def test_a_whole_strip_is_rejected(predictor):
    strip = synthetic.strip(["N"] * 6)
    with pytest.raises(InputRejected, match="several heartbeats"):
        predictor.predict_image(render.beat_image(strip, width=700, height=120))


def test_a_bad_image_in_a_batch_is_named(predictor):
    blank = nonbeats.blank(np.random.default_rng(1))
    with pytest.raises(InputRejected, match="Image 2"):
        predictor.predict_images([render.beat_image(synthetic.beat("N")), blank])


def test_a_real_record_is_analysed_beat_by_beat(mitdb, predictor):
    sig = read_signal(mitdb / "119.hea")
    a = predictor.analyze_signal(sig.samples[: int(120 * sig.fs)], sig.fs)
    assert 120 < len(a.beats) < 220  # two minutes of a 70-90 bpm rhythm with ectopy
    assert sum(a.counts.values()) == len(a.beats)
    assert all(0 <= b.sample < 120 * sig.fs for b in a.beats)
    assert [b.sample for b in a.beats] == sorted(b.sample for b in a.beats)
    assert 40 < a.heart_rate_bpm < 120
    # Record 119 has frequent premature ventricular beats (bigeminy): they must show up.
    assert a.counts["V"] >= 10
    assert a.to_dict()["finding_name"]


def test_ventricular_fibrillation_is_reported_as_an_episode_where_it_starts(data_dir, predictor):
    # vfdb 424: a minute of its other rhythm, then 30 s of VF. (The recordings model is
    # trained on every patient, this one too: this checks the episode logic, not
    # generalisation; ml/models/leads/card.md has the held-out figures.)
    from ml.training import records

    rec = records.load_record("vfdb", "424", data_dir)
    start, _ = records.vf_spans(rec)[0]
    sig = read_signal(data_dir / "vfdb" / "424.hea")
    first = start - int(60 * sig.fs)
    a = predictor.analyze_signal(sig.samples[first : start + int(30 * sig.fs)], sig.fs)
    assert a.finding == "VF"
    onset = 60.0
    covered_after = sum(
        max(0.0, min(e.end_s, onset + 30) - max(e.start_s, onset)) for e in a.vf_episodes
    )
    flagged_before = sum(max(0.0, min(e.end_s, onset - 3) - e.start_s) for e in a.vf_episodes)
    assert covered_after > 20.0
    assert flagged_before < 12.0  # at most a fifth of the minute before is called VF


@pytest.mark.parametrize(
    "samples, fs, message",
    [
        (np.zeros(3600), 360.0, "flat"),
        (np.full(3600, np.nan), 360.0, "missing or invalid values"),
        (np.random.default_rng(0).normal(size=360), 360.0, "short"),
        (np.random.default_rng(0).normal(size=36000), 5.0, "not plausible"),
        (np.random.default_rng(0).normal(size=36000), 1e6, "not plausible"),
    ],
)
def test_unusable_signals_raise_input_rejected(predictor, samples, fs, message):
    with pytest.raises(InputRejected, match=message):
        predictor.analyze_signal(samples, fs)


def test_every_batch_size_reuses_the_one_traced_graph(predictor):
    # The speed of a warm prediction comes from calling one traced graph (ml.reports.bench
    # prints the latency); a retrace per batch size would cost hundreds of milliseconds per upload.
    from ml.formats import load_image

    buf = io.BytesIO()
    render.beat_image(synthetic.beat("V")).save(buf, format="PNG")
    image = load_image(buf.getvalue())
    for n in (1, 3, 7, 1):
        assert len(predictor.predict_images([image] * n)) == n
    assert predictor._call.experimental_get_tracing_count() == 1


def _varied_beats(n):
    codes = [CLASS_CODES[i % 5] for i in range(n)]  # VF has no synthetic shape
    windows = np.stack([synthetic.beat(c, seed=i) for i, c in enumerate(codes)])
    return render.render_ink(windows)


def test_a_beat_gets_the_same_probabilities_in_any_batch(predictor):
    # Batches are padded with blank rows up to a compiled size (ml.predictor.BUCKETS) and cut
    # into chunks of BATCH: neither may change any beat's answer.
    from ml import segment

    ink = _varied_beats(140)
    alone = np.concatenate([predictor.classify_ink(ink[i : i + 1], segment.no_rhythm(1))
                            for i in range(len(ink))])
    for n in (5, 8, 9, 64, 65, 140):
        together = predictor.classify_ink(ink[:n], segment.no_rhythm(n))
        assert together.shape == (n, len(CLASS_CODES))
        np.testing.assert_allclose(together, alone[:n], atol=1e-5)


def test_the_model_is_only_called_with_the_compiled_batch_sizes(predictor, monkeypatch):
    from ml import predictor as module
    from ml import segment

    sizes, call = [], predictor._call

    def recording(x):
        sizes.append(len(x["image"]))
        return call(x)

    monkeypatch.setattr(predictor, "_call", recording)
    for n in (1, 2, 8, 9, 63, 64, 65, 200):
        predictor.classify_ink(_varied_beats(n), segment.no_rhythm(n))

    assert set(sizes) <= set(module.BUCKETS)
    assert sum(sizes) >= 1 + 2 + 8 + 9 + 63 + 64 + 65 + 200
