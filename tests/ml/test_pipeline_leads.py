"""``python -m ml.reports.pipeline --leads``: the order of the commands it runs (each is tested
on its own; running them here would train 24 full models)."""


def test_each_split_is_trained_once_per_seed_then_merged_and_the_merge_of_all_is_shipped(
        tmp_path, monkeypatch):
    from ml.reports import pipeline

    calls, shipped = [], []
    monkeypatch.setattr(pipeline, "_run", lambda *args: calls.append(args))
    monkeypatch.setattr(pipeline, "_ship", lambda run, target: shipped.append((run, target)))
    pipeline.leads(tmp_path, steps=2, seeds=(7, 8))
    runs = tmp_path / "leadnet"
    expected = []
    for split in pipeline.LEADNET_SPLITS:
        members = [str(runs / f"s{seed}" / split) for seed in (7, 8)]
        expected += [("ml.training.leadnet", "--split", split, "--steps", "2", "--seed", str(seed),
                      "--out", member) for seed, member in zip((7, 8), members, strict=True)]
        expected.append(("ml.training.ensemble", *members, "--out", str(runs / split)))
    assert calls[:len(expected)] == expected
    assert shipped == [(runs / "all", pipeline.DEFAULT_LEADS_DIR)]
    # The card is scored on the merged models, not on one seed's.
    assert calls[len(expected)] == ("ml.reports.cv", "--runs", str(runs), "--json",
                                    str(runs / "cv.json"))
    assert calls[len(expected) + 1][0] == "ml.reports.leadcard"
