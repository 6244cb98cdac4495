"""The decision step that undoes class-balanced training: ml.training.decision chooses the
weights, ml.decision applies them."""
import json
import shutil

import numpy as np
import pytest

from ml import decision
from ml.registry import CLASS_CODES, CLASS_INDEX
from ml.training import decision as choice

COUNTS = {"N": 9000, "L": 300, "R": 300, "A": 100, "V": 250, "VF": 50, "not VF": 4000}


def test_tau_zero_keeps_the_network_and_tau_one_weights_by_the_training_shares():
    assert choice.prior_weights(COUNTS, 0.0).tolist() == [1.0] * 6
    w = choice.prior_weights(COUNTS, 1.0)
    assert w[CLASS_INDEX["N"]] == 1.0
    # "not VF" beats have no single class: only labelled beats set the shares.
    assert w[CLASS_INDEX["A"]] == pytest.approx(100 / 9000)
    assert w[CLASS_INDEX["VF"]] == pytest.approx(50 / 9000)


def test_reweighted_probabilities_are_probabilities_and_none_changes_nothing():
    p = np.array([[0.4, 0.0, 0.0, 0.6, 0.0, 0.0], [0.1, 0.1, 0.1, 0.1, 0.1, 0.5]], np.float32)
    assert (decision.apply(p, None) == p).all()
    q = decision.apply(p, choice.prior_weights(COUNTS, 1.0))
    assert q.sum(axis=1) == pytest.approx([1.0, 1.0])
    # The balanced network's 60% A becomes a normal beat once the prior is put back.
    assert q[0].argmax() == CLASS_INDEX["N"]


def _balanced_network_outputs(labels, rng):
    """Probabilities of a network trained on balanced draws: every A beat gets A at 0.7, and a
    tenth of the normal beats look like A to it (A 0.55, N 0.45)."""
    p = np.full((len(labels), 6), 0.0, np.float32)
    p[np.arange(len(labels)), labels] = 1.0
    a = labels == CLASS_INDEX["A"]
    p[a] = 0.0
    p[a, CLASS_INDEX["A"]], p[a, CLASS_INDEX["N"]] = 0.7, 0.3
    lookalike = (labels == CLASS_INDEX["N"]) & (rng.random(len(labels)) < 0.1)
    p[lookalike] = 0.0
    p[lookalike, CLASS_INDEX["A"]], p[lookalike, CLASS_INDEX["N"]] = 0.55, 0.45
    return p


def test_the_chosen_tau_removes_false_rare_calls_without_losing_the_real_ones():
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(6), [900, 30, 30, 20, 25, 10])
    p = _balanced_network_outputs(labels, rng)
    record = choice.choose(labels, [p], COUNTS)
    assert record["tau"] > 0
    before = (p.argmax(1) == labels).mean()
    after = (decision.apply(p, decision.weights_of({"decision": record})).argmax(1) == labels)
    assert after.mean() > before
    assert after[labels == CLASS_INDEX["A"]].all()  # every real A beat is still called A
    assert set(record["weights"]) == set(CLASS_CODES)
    assert len(record["validation_macro_f1_by_tau"]) == len(choice.TAUS)


def test_a_network_that_needs_no_correction_keeps_tau_zero():
    labels = np.repeat(np.arange(6), 20)
    p = np.eye(6, dtype=np.float32)[labels] * 0.5 + 0.5 / 6  # right, with a flat floor
    assert choice.choose(labels, [p], COUNTS)["tau"] == 0.0


@pytest.fixture(scope="module")
def reweighted_model(tmp_path_factory):
    from ml.predictor import DEFAULT_MODEL_DIR

    folder = tmp_path_factory.mktemp("model")
    shutil.copyfile(DEFAULT_MODEL_DIR / "model.keras", folder / "model.keras")
    meta = json.loads((DEFAULT_MODEL_DIR / "meta.json").read_text())
    meta["decision"] = {"tau": 1.0, "weights": dict(zip(
        CLASS_CODES, choice.prior_weights(COUNTS, 1.0).tolist(), strict=True))}
    (folder / "meta.json").write_text(json.dumps(meta))
    plain = tmp_path_factory.mktemp("plain")
    shutil.copyfile(DEFAULT_MODEL_DIR / "model.keras", plain / "model.keras")
    meta.pop("decision")
    (plain / "meta.json").write_text(json.dumps(meta))
    return folder, plain


def test_the_predictor_reports_the_reweighted_probabilities_under_its_own_version(
    reweighted_model,
):
    from ml import Predictor, render, segment
    from ml.reports import synthetic

    folder, plain = reweighted_model
    with_weights, without = Predictor(folder), Predictor(plain)
    assert with_weights.version != without.version
    ink = render.render_ink(np.stack([synthetic.beat(c) for c in ("N", "V", "A")]))
    raw = without.classify_ink(ink, segment.no_rhythm(3))
    got = with_weights.classify_ink(ink, segment.no_rhythm(3))
    expected = decision.apply(raw, choice.prior_weights(COUNTS, 1.0))
    assert got == pytest.approx(expected, abs=1e-5)
