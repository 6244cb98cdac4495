"""The seed-ensemble scoring of ml.reports.cv (``--ensemble``): probabilities of one fold's
models averaged per mode before scoring; an ensemble of one run is that run."""
import json

import numpy as np
import pytest

RECORDS = ("ludb/1", "ludb/10", "ludb/105", "ptbxl/1", "vfdb/418")  # cv0 tests the ludb ones


@pytest.fixture(scope="module")
def runs(data_dir, tmp_path_factory):
    from ml.training import leadnet

    beats = leadnet.load_beats(records=RECORDS)
    folder = tmp_path_factory.mktemp("ens")
    for seed in (1, 2):
        leadnet.train(beats, "cv0", steps=2, out=folder / f"s{seed}" / "cv0", every=2,
                      log=lambda m: None, seed=seed)
    return beats, folder


def test_an_ensemble_of_one_run_scores_as_that_run(runs):
    from ml.reports import cv

    beats, folder = runs
    single = cv.cross_validation(beats, folder / "s1", (0,))
    same = cv.cross_validation(beats, [folder / "s1"], (0,))
    assert json.dumps(same, sort_keys=True) == json.dumps(single, sort_keys=True)  # NaN-safe
    assert single["modes"][cv.SEVERAL]["beats"] > 10


def test_an_ensemble_averages_the_probabilities_of_its_runs(runs):
    from ml.reports import cv
    from ml.training import leadnet

    beats, folder = runs
    _train, test = leadnet.split_keys("cv0", beats)
    a, b = (cv.predictions(folder / s / "cv0", beats, test) for s in ("s1", "s2"))
    assert not np.allclose(a[cv.ONE], b[cv.ONE])  # two seeds, two models
    both = cv.ensemble_predictions([folder / "s1" / "cv0", folder / "s2" / "cv0"], beats, test)
    np.testing.assert_array_equal(both["index"], a["index"])
    for mode in cv.MODES:
        np.testing.assert_allclose(both[mode], (a[mode] + b[mode]) / 2, rtol=1e-6)
        np.testing.assert_allclose(both[mode].sum(1), 1.0, rtol=1e-4)


def test_the_cli_scores_the_ensemble_and_names_its_folders(runs, tmp_path, monkeypatch):
    from ml.reports import cv

    beats, folder = runs
    monkeypatch.setattr(cv.leadnet, "load_beats", lambda cache=None: beats)
    out = tmp_path / "ens.json"
    cv.main(["--ensemble", str(folder / "s1"), str(folder / "s2"), "--folds", "0",
             "--what", "cv", "--json", str(out), "--per-record", "R"])
    doc = json.loads(out.read_text())
    assert doc["cv"]["ensemble"] == [str(folder / "s1"), str(folder / "s2")]
    assert doc["cv"]["modes"][cv.ONE]["beats"] > 10
    # ludb/10 (complete RBBB) is the one R record of these in fold 0: its beats are all counted.
    r = doc["cv"]["modes"][cv.ONE]["per_class"]["R"]
    assert [row["record"] for row in doc["cv"]["by_record"][cv.ONE]] == ["ludb/10"]
    assert doc["cv"]["by_record"][cv.ONE][0]["beats"] == r["beats"]
    assert sum(doc["cv"]["by_record"][cv.ONE][0]["called"].values()) == r["beats"]
