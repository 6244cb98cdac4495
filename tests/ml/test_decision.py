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


def _fold(rng, n_normal, counts=COUNTS):
    labels = np.repeat(np.arange(6), [n_normal, 30, 30, 20, 25, 10])
    return labels, [_balanced_network_outputs(labels, rng)], counts


def test_cross_fitting_chooses_each_folds_tau_on_the_other_folds_only():
    """The recordings model has no validation fold: the tau that scores CV fold k is chosen on
    the other folds' held-out beats, so fold k's own labels cannot pick it."""
    rng = np.random.default_rng(1)
    folds = [_fold(rng, 900) for _ in range(3)]
    per_fold, (tau_all, table_all) = choice.cross_fitted(folds)
    assert len(per_fold) == 3 and tau_all > 0
    assert len(table_all) == len(choice.TAUS)
    # Fold 0's tau is the one `choose` gives on folds 1 and 2 pooled (same training shares).
    pooled = choice.choose(np.concatenate([folds[1][0], folds[2][0]]),
                           [np.concatenate([folds[1][1][0], folds[2][1][0]])], COUNTS)
    assert per_fold[0][0] == pooled["tau"]
    # A fold 0 that any correction harms (the network is right on it, by a thin margin)
    # changes the others' choices and the every-fold one, never its own.
    labels = np.repeat(np.arange(6), 20)
    right = (labels, [np.eye(6, dtype=np.float32)[labels] * 0.05 + 0.95 / 6], COUNTS)
    again, (every, _table) = choice.cross_fitted([right, *folds[1:]])
    assert again[0][0] == per_fold[0][0] > 0
    assert again[1][0] == again[2][0] == every == 0.0


def test_each_fold_is_weighted_with_its_own_models_training_shares():
    """A fold whose model trained on equal class shares gets weights of 1 whatever tau is."""
    rng = np.random.default_rng(2)
    uniform = {c: 100 for c in CLASS_CODES}
    labels, views, _counts = _fold(rng, 900)
    alone = choice.cross_fitted([(labels, views, uniform), (labels, views, uniform)])
    assert [tau for tau, _table in alone[0]] == [0.0, 0.0]  # nothing to gain: the smaller tau
    mixed, _every = choice.cross_fitted([(labels, views, uniform), (labels, views, COUNTS)])
    assert mixed[0][0] > 0  # fold 0 is scored with a tau chosen on fold 1's model's shares


def test_a_cross_fitted_tau_is_stored_with_the_models_own_shares(tmp_path):
    """``python -m ml.training.decision --model DIR --cv CV.json`` stores the tau that
    ``ml.reports.cv --decision`` chose on every fold, with DIR's own training shares."""
    (tmp_path / "meta.json").write_text(json.dumps({"arch": "leadnet", "train_beats": COUNTS}))
    cv_json = tmp_path / "cv.json"
    cv_json.write_text(json.dumps({"cv": {"decision": {
        "tau_every_fold": 0.6, "macro_f1_by_tau_every_fold": {"0.0": [0.5, 0.4],
                                                              "0.6": [0.6, 0.5]}}}}))
    choice.main(["--model", str(tmp_path), "--cv", str(cv_json)])
    meta = json.loads((tmp_path / "meta.json").read_text())
    assert meta["decision"]["tau"] == 0.6
    np.testing.assert_allclose(decision.weights_of(meta), choice.prior_weights(COUNTS, 0.6),
                               rtol=1e-5)
    assert "CV folds" in meta["decision"]["chosen_on"]
