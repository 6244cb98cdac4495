"""A tiny training run on real beats, end to end through the command-line entry point."""
import json

import pytest

from ml.training import decision, train, validation


def test_a_tiny_training_run_lowers_the_loss_and_saves_a_usable_model(data_dir, tmp_path):
    out = tmp_path / "run"
    train.main([
        "--split", "dev-a", "--data-dir", str(data_dir), "--out", str(out),
        "--epochs", "4", "--per-class", "160", "--limit", "80", "--styled-share", "0.3",
        "--workers", "1", "--patience", "10",
    ])  # fmt: skip
    meta = json.loads((out / "meta.json").read_text())
    losses = [row["loss"] for row in meta["history"]]
    assert len(losses) == 4
    assert losses[-1] < 0.9 * losses[0]
    assert (out / "model.keras").exists() and (out / "best.keras").exists()
    # The decision weights were chosen on the validation sample and are stored with the model.
    assert meta["decision"]["tau"] in decision.TAUS
    assert set(meta["decision"]["weights"]) == {"N", "L", "R", "A", "V", "VF"}

    from ml import Predictor, render
    from ml.reports import synthetic

    pred = Predictor(out).predict_image(render.beat_image(synthetic.beat("V")))
    assert pred.label in {"N", "L", "R", "A", "V", "VF"}


def test_training_is_reproducible_for_the_same_seed(data_dir, tmp_path):
    # Same seed, same data: the sampled epoch is identical.
    import numpy as np

    from ml.training import datasets

    beats, _, _ = datasets.split("dev-b", data_dir)
    a = train.balanced_indices(beats.labels, 50, np.random.default_rng(1))
    b = train.balanced_indices(beats.labels, 50, np.random.default_rng(1))
    assert (a == b).all()
    ink_a, *_ = train.render_epoch(beats, a[:40], np.random.default_rng(2))
    ink_b, *_ = train.render_epoch(beats, b[:40], np.random.default_rng(2))
    assert (ink_a == ink_b).all()


def test_a_not_vf_beat_is_penalised_only_for_the_probability_it_gives_to_vf():
    import numpy as np

    from ml.registry import CLASS_INDEX, NOT_VF

    y = train.targets(np.array([CLASS_INDEX["V"], NOT_VF]))
    assert y[0].tolist() == [0, 0, 0, 0, 1, 0]
    assert y[1].tolist() == [1, 1, 1, 1, 1, 0]
    p = np.array([[0.1, 0.0, 0.0, 0.0, 0.8, 0.1], [0.0, 0.0, 0.0, 0.0, 0.3, 0.7]], np.float32)
    loss = np.asarray(train.set_loss(y, p))
    assert loss[0] == pytest.approx(-np.log(0.8), rel=1e-5)
    assert loss[1] == pytest.approx(-np.log(0.3), rel=1e-5)


def test_each_epoch_draws_every_class_and_the_not_vf_beats_equally():
    import numpy as np

    from ml.registry import NOT_VF

    labels = np.array([0] * 50 + [1] * 3 + [5] * 10 + [NOT_VF] * 40)
    idx = train.balanced_indices(labels, 20, np.random.default_rng(0))
    drawn = labels[idx]
    for c in (0, 1, 5, NOT_VF):
        assert (drawn == c).sum() == 20
    assert len(idx) == 80


def test_the_same_command_trains_the_same_model_version(data_dir, tmp_path):
    # Two separate runs of the command line (as a person reproducing the shipped model would
    # run it) must give bit-identical weights, hence the same content-hash version.
    import subprocess
    import sys

    from ml.predictor import model_version

    versions = []
    for name in ("first", "second"):
        subprocess.run(
            [sys.executable, "-m", "ml.training.train", "--split", "dev-a",
             "--data-dir", str(data_dir),
             "--out", str(tmp_path / name),
             "--epochs", "2", "--per-class", "160", "--limit", "80", "--workers", "2"],
            check=True, capture_output=True,
        )  # fmt: skip
        versions.append(model_version(tmp_path / name))
    assert versions[0] == versions[1]


def test_the_version_ignores_when_the_file_was_saved(tmp_path):
    import keras

    from ml.predictor import DEFAULT_MODEL_DIR, model_version

    model = keras.saving.load_model(DEFAULT_MODEL_DIR / "model.keras", compile=False)
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        model.save(tmp_path / name / "model.keras")
    assert model_version(tmp_path / "a") == model_version(tmp_path / "b")


def test_validation_predictions_are_the_models_own_in_any_batching():
    # training scores every epoch through the XLA-compiled call; it must agree with the plain
    # Keras call, whatever the batch size and however the last batch is cut.
    import numpy as np

    from ml import render, segment
    from ml.inputs import model_inputs
    from ml.model import build

    rng = np.random.default_rng(3)
    n = 37
    ink, template = rng.random((2, n, render.HEIGHT, render.WIDTH), dtype=np.float32)
    context = rng.random((n, segment.N_CONTEXT), dtype=np.float32)
    model = build("beatnet", n_rhythm=segment.N_CONTEXT)
    plain = np.asarray(model(model_inputs("beatnet", ink, context, template, 2), training=False))
    for batch in (16, 64):
        p = validation.predict(model, "beatnet", ink, template, context, 2, batch=batch)
        assert p.shape == (n, 6)
        assert np.abs(p - plain).max() < 1e-5
    assert validation.predict(model, "beatnet", ink[:0], template[:0], context[:0]).shape == (0, 6)
