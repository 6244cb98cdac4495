"""The spectral-input comparison (ml.reports.spectral): both inputs scored on the same unseen
patients from the input each meta.json names, the decision rule, and the card's section."""
import json
import shutil

import pytest

from ml.predictor import DEFAULT_LEADS_DIR
from ml.registry import CLASS_CODES

RECORDS = ("ludb/1", "ludb/10", "ludb/105", "ptbxl/1", "vfdb/418")  # cv0 tests the ludb ones


@pytest.fixture(scope="module")
def runs(data_dir, tmp_path_factory):
    from ml.training import leadnet

    beats = leadnet.load_beats(records=RECORDS)
    runs = tmp_path_factory.mktemp("runs")
    for kind in ("time", "spectral"):
        leadnet.train(beats, "cv0", steps=2, out=runs / f"{kind}-cv0", every=2,
                      log=lambda m: None, input_kind=kind)
    return beats, runs


def pooled(time_f1, spectral_f1):
    return {kind: {mode: {"macro_f1": f} for mode, f in zip(("several leads", "one lead"), f1,
                                                               strict=True)}
            for kind, f1 in (("time", time_f1), ("spectral", spectral_f1))}


def test_both_inputs_are_scored_on_the_same_held_out_beats(runs):
    from ml.reports import spectral as report

    beats, folder = runs
    doc = report.document(report.compare(beats, folder, (0,)), (0,))
    for kind in ("time", "spectral"):
        assert doc["runs"][kind]["input_kind"] == kind
        for mode in ("several leads", "one lead"):
            r = doc["pooled"][kind][mode]
            assert r == doc["by_fold"]["0"][kind][mode]  # one fold: pooled is that fold
            assert r["patients"] == 3 and set(r["per_class"]) <= set(CLASS_CODES)
    assert doc["pooled"]["time"]["several leads"]["beats"] == \
        doc["pooled"]["spectral"]["several leads"]["beats"] > 10
    assert doc["decision"]["macro_f1"]["one lead"]["spectral"] == \
        doc["pooled"]["spectral"]["one lead"]["macro_f1"]


def test_a_run_of_the_other_input_is_refused(runs, tmp_path):
    from ml.reports import spectral as report

    beats, folder = runs
    shutil.copytree(folder / "time-cv0", tmp_path / "spectral-cv0")
    shutil.copytree(folder / "time-cv0", tmp_path / "time-cv0")
    with pytest.raises(ValueError, match="holds a time model of cv0, not spectral cv0"):
        report.compare(beats, tmp_path, (0,))


def test_spectral_is_kept_only_when_it_wins_in_both_modes():
    from ml.reports.spectral import decide

    assert decide(pooled((0.60, 0.60), (0.61, 0.62)))["kept"]
    assert decide(pooled((0.60, 0.60), (0.61, 0.62)))["input"] == "spectral"
    assert not decide(pooled((0.60, 0.60), (0.70, 0.59)))["kept"]
    assert not decide(pooled((0.60, 0.60), (0.60, 0.60)))["kept"]  # a tie keeps time
    assert decide(pooled((0.60, 0.60), (0.50, 0.50)))["input"] == "time"


def test_the_card_section_gives_the_comparison_and_from_card_rewrites_it(runs, tmp_path):
    from ml.reports import leadcard
    from ml.reports import spectral as report

    beats, folder = runs
    doc = report.document(report.compare(beats, folder, (0,)), (0,))
    model = tmp_path / "leads"
    shutil.copytree(DEFAULT_LEADS_DIR, model)
    (model / leadcard.SPECTRAL_JSON).write_text(json.dumps(doc))
    (model / "card.md").write_text("stale")
    assert leadcard.main(["--model", str(model), "--from-card"]) == 0
    md = (model / "card.md").read_text()
    assert "## Spectral input (STFT) compared" in md and doc["rule"] in md
    r = doc["pooled"]["spectral"]["one lead"]
    assert f"| one lead | spectral | {r['macro_f1']:.3f} |" in md
    ludb = doc["by_database"]["ludb"]
    assert list(doc["by_database"]) == ["ludb"]  # the only database of the test beats
    assert (f"| ludb | several leads | {ludb['time']['several leads']['macro_f1']:.3f} | "
            f"{ludb['spectral']['several leads']['macro_f1']:.3f} |") in md
    assert "this model reads the time input" in md or "still reads the time input" in md
    card = json.loads((model / "card.json").read_text())
    assert md.startswith(leadcard.markdown(card).split("## Limits")[0])
