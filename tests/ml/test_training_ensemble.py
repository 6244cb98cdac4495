"""ml.training.ensemble: leadnet runs of one split merged into one model whose probabilities
are the mean of its members'; read by the Predictor and the CV report like any leadnet."""
import json

import numpy as np
import pytest

RECORDS = ("ludb/1", "ludb/10", "ludb/105", "ptbxl/1", "vfdb/418")  # cv0 tests the ludb ones


@pytest.fixture(scope="module")
def runs(data_dir, tmp_path_factory):
    from ml.training import leadnet

    beats = leadnet.load_beats(records=RECORDS)
    folder = tmp_path_factory.mktemp("merge")
    for seed in (1, 2):
        for split in ("cv0", "cv1"):
            leadnet.train(beats, split, steps=2, out=folder / f"s{seed}" / split, every=2,
                          log=lambda m: None, seed=seed)
    return beats, folder


@pytest.fixture(scope="module")
def merged(runs, tmp_path_factory):
    from ml.training import ensemble

    beats, folder = runs
    out = tmp_path_factory.mktemp("merged") / "cv0"
    ensemble.main([str(folder / "s1" / "cv0"), str(folder / "s2" / "cv0"), "--out", str(out)])
    return out


def test_the_merged_model_gives_the_mean_of_its_members(runs, merged):
    from ml.reports import cv
    from ml.training import leadnet

    beats, folder = runs
    _train, test = leadnet.split_keys("cv0", beats)
    a, b = (cv.predictions(folder / s / "cv0", beats, test) for s in ("s1", "s2"))
    assert not np.allclose(a[cv.ONE], b[cv.ONE])  # two seeds, two models
    m = cv.predictions(merged, beats, test)
    for mode in cv.MODES:
        np.testing.assert_allclose(m[mode], (a[mode] + b[mode]) / 2, rtol=1e-5, atol=1e-6)


def test_the_merged_meta_names_its_members_and_keeps_the_training_patients(runs, merged):
    from ml.predictor import model_version

    _beats, folder = runs
    meta = json.loads((merged / "meta.json").read_text())
    one = json.loads((folder / "s1" / "cv0" / "meta.json").read_text())
    assert meta["arch"] == "leadnet" and meta["split"] == "cv0"
    assert meta["seed"] == [1, 2]
    assert meta["members"] == [{"seed": 1, "version": model_version(folder / "s1" / "cv0")},
                               {"seed": 2, "version": model_version(folder / "s2" / "cv0")}]
    assert meta["train_patients"] == one["train_patients"]
    assert meta["train_records"] == one["train_records"]


def test_the_merged_model_is_refused_on_patients_its_members_saw(runs, merged):
    from ml.reports import cv
    from ml.training import leadnet

    beats, _folder = runs
    train, _test = leadnet.split_keys("cv0", beats)
    with pytest.raises(cv.SeenPatients):
        cv.predictions(merged, beats, train)


def test_runs_of_different_splits_or_the_same_seed_are_not_merged(runs, tmp_path):
    from ml.training import ensemble

    _beats, folder = runs
    with pytest.raises(ensemble.MembersDiffer, match="split"):
        ensemble.merge([folder / "s1" / "cv0", folder / "s2" / "cv1"], tmp_path / "x")
    with pytest.raises(ensemble.MembersDiffer, match="share a seed"):
        ensemble.merge([folder / "s1" / "cv0", folder / "s1" / "cv0"], tmp_path / "y")
    with pytest.raises(ensemble.MembersDiffer, match="at least two"):
        ensemble.merge([folder / "s1" / "cv0"], tmp_path / "z")
    assert not (tmp_path / "x").exists() and not (tmp_path / "y").exists()


def test_the_predictor_reads_a_merged_model(runs, merged, data_dir):
    from ml.formats import read_recording
    from ml.predictor import Predictor, check_model_files, model_version

    assert check_model_files(merged) == model_version(merged)
    predictor = Predictor(leads_dir=merged)
    rec = read_recording(data_dir / "ludb" / "data" / "1.hea")
    analysis = predictor.analyze_recording(rec)
    assert analysis.model_version == model_version(merged)
    assert len(analysis.beats) > 5
    assert analysis.analysis_mode == "several leads"
