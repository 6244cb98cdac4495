"""``python -m ml.reports.cv --decision``: the CV figures with the decision step, each fold's
tau chosen on the other folds (``ml.training.decision.cross_fitted``), beside the argmax
figures of the same models."""
import json

import numpy as np
import pytest

# ludb/1 and ludb/10 are in fold 0, ludb/5 in fold 1, ludb/3 and ludb/4 in fold 3.
RECORDS = ("ludb/1", "ludb/10", "ludb/5", "ludb/3", "ludb/4")
FOLDS = (0, 1, 3)


@pytest.fixture(scope="module")
def runs(data_dir, tmp_path_factory):
    from ml.training import leadnet

    beats = leadnet.load_beats(records=RECORDS)
    folder = tmp_path_factory.mktemp("decision")
    for k in FOLDS:
        leadnet.train(beats, f"cv{k}", steps=2, out=folder / f"cv{k}", every=2,
                      log=lambda m: None, seed=k)
    return beats, folder


def test_the_tau_of_each_fold_is_the_cross_fitted_one_on_its_labelled_beats(runs):
    from ml.reports import cv
    from ml.training import decision

    beats, folder = runs
    parts = cv.cv_parts(beats, folder, FOLDS)
    doc = cv.cross_validation(beats, folder, FOLDS, decide=True, parts=parts)
    triples = []
    for p in parts:
        labels = beats.labels[p["index"]]
        keep = labels >= 0
        triples.append((labels[keep], [p[m][keep] for m in cv.MODES], p["train_counts"]))
    chosen, (every, _table) = decision.cross_fitted(triples)
    assert doc["decision"]["tau_by_fold"] == {k: tau for k, (tau, _t)
                                              in zip(FOLDS, chosen, strict=True)}
    assert doc["decision"]["tau_every_fold"] == every
    assert parts[0]["train_counts"] == json.loads(
        (folder / "cv0" / "meta.json").read_text())["train_beats"]


def test_each_folds_beats_are_scored_with_their_own_tau_and_models_shares(runs, monkeypatch):
    from ml.reports import cv
    from ml.training import decision

    beats, folder = runs
    parts = cv.cv_parts(beats, folder, FOLDS)
    plain = cv.cross_validation(beats, folder, FOLDS, parts=parts)
    assert "decision" not in plain
    # Say the other folds chose tau 0 for folds 0 and 1, and the full correction for fold 3.
    monkeypatch.setattr(cv, "choose_tau", lambda beats, parts, records=None: (
        [(0.0, {}), (0.0, {}), (1.0, {})], (0.5, {})))
    doc = cv.cross_validation(beats, folder, FOLDS, decide=True, parts=parts)
    assert doc["decision"]["tau_by_fold"] == {0: 0.0, 1: 0.0, 3: 1.0}
    assert doc["by_fold"][0] == plain["by_fold"][0]
    p = parts[2]
    weighted = {m: cv.apply(p[m], decision.prior_weights(p["train_counts"], 1.0))
                for m in cv.MODES}
    assert doc["by_fold"][3] == cv.score(beats, p["index"], weighted, cv.SPLIT_WORDS["cv"])
    assert not np.allclose(weighted[cv.ONE], p[cv.ONE])


def test_the_cli_writes_the_decided_and_the_argmax_figures(runs, tmp_path, monkeypatch):
    from ml.reports import cv

    beats, folder = runs
    monkeypatch.setattr(cv.leadnet, "load_beats", lambda cache=None: beats)
    out = tmp_path / "cv.json"
    cv.main(["--runs", str(folder), "--folds", *map(str, FOLDS), "--what", "cv",
             "--decision", "--by-rhythm", "A", "--json", str(out)])
    doc = json.loads(out.read_text())
    assert set(doc["cv"]["decision"]["tau_by_fold"]) == {str(k) for k in FOLDS}
    assert "other four folds" in doc["cv"]["decision"]["method"]
    assert doc["cv_argmax"]["modes"][cv.ONE]["beats"] == doc["cv"]["modes"][cv.ONE]["beats"]
    assert "decision" not in doc["cv_argmax"]
    # No mitdb record here: every beat called A is counted under "other databases".
    (row,) = doc["cv"]["by_rhythm"][cv.ONE]
    assert row["class"] == "A" and set(row["called_by_rhythm"]) <= {"other databases"}
    # Nothing is in atrial fibrillation, so the bound is the figure as scored.
    assert row["af_calls_as_n"] == row["as_scored"]
    # The tau the shipped model would store is one of the grid's.
    assert doc["cv"]["decision"]["tau_every_fold"] in [float(t) for t in
                                                       doc["cv"]["decision"][
                                                           "macro_f1_by_tau_every_fold"]]


def test_a_held_out_split_is_scored_with_the_tau_it_is_given(runs, monkeypatch):
    from ml.reports import cv
    from ml.training import decision, leadnet

    beats, folder = runs
    monkeypatch.setitem(cv.SPLIT_WORDS, "cv3", "fold 3 as a held-out split")
    plain = cv.held_out(beats, folder / "cv3", "cv3")
    decided = cv.held_out(beats, folder / "cv3", "cv3", tau=1.0)
    _train, test = leadnet.split_keys("cv3", beats)
    p = cv.predictions(folder / "cv3", beats, test)
    counts = json.loads((folder / "cv3" / "meta.json").read_text())["train_beats"]
    weighted = {m: cv.apply(p[m], decision.prior_weights(counts, 1.0)) for m in cv.MODES}
    assert decided["modes"] == cv.score(beats, p["index"], weighted, "fold 3 as a held-out split")
    assert decided["decision"]["tau"] == 1.0 and "decision" not in plain
    # The tau of a held-out split is chosen on the CV beats of its training records only.
    parts = cv.cv_parts(beats, folder, FOLDS)
    only = cv.choose_tau(beats, parts, records=["ludb/1", "ludb/5"])
    kept = [beats.labels[p["index"]] for p in parts]
    keys = [beats.keys[beats.record[p["index"]]] for p in parts]
    triples = [(lab[(lab >= 0) & np.isin(k, ["ludb/1", "ludb/5"])],
                [p[m][(lab >= 0) & np.isin(k, ["ludb/1", "ludb/5"])] for m in cv.MODES],
                p["train_counts"]) for lab, k, p in zip(kept, keys, parts, strict=True)]
    assert only[1][0] == decision.cross_fitted(triples)[1][0]
