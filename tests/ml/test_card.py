"""Model cards are generated from evaluation output, and the README shows the shipped card."""
import json
import shutil
from pathlib import Path

import pytest

from ml.predictor import DEFAULT_MODEL_DIR
from ml.reports import card
from ml.training import metrics

ROOT = Path(__file__).resolve().parents[2]


def _evaluation(split, y_true, y_pred, version, tau=0.5):
    report = metrics.report(y_true, y_pred)
    return {
        "split": split,
        "decision_tau": tau,
        "split_description": f"{split} description",
        "model_version": version,
        "test_counts": {},
        "signal": report,
        "image_only": report,
        "ci_subset": {k: report[k] for k in ("n", "accuracy", "macro_f1")},
    }


def test_the_card_lists_both_splits_and_the_baseline_side_by_side(tmp_path):
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    shutil.copyfile(DEFAULT_MODEL_DIR / "model.keras", model_dir / "model.keras")
    (model_dir / "meta.json").write_text(json.dumps({"arch": "beatnet", "history": [1, 2]}))
    from ml.predictor import model_version

    version = model_version(model_dir)
    truth = [0, 1, 2, 3, 4, 5] * 3
    evals = {
        "inter": _evaluation("inter", truth, [0, 1, 2, 3, 4, 4] * 3, version),
        "beat": _evaluation("beat", truth, truth, "other"),
    }
    evals["inter"]["styles"] = {
        "own": {"n": 4, "accuracy": 0.5, "rejected": 0.0, "per_class": {"N": 1.0, "V": 0.0}},
        "gap_points": 0.0,
    }
    baselines = {"inter": _evaluation("inter", truth, [0] * 18, "base", tau=None)}
    built = card.build(model_dir, evals, baselines, {"cpus": 2})
    card.write(model_dir, built)

    saved = card.load_card(model_dir)
    assert saved["model_version"] == version
    assert saved["evaluations"]["beat"]["model"]["accuracy"] == 1.0
    assert saved["evaluations"]["inter"]["baseline"]["accuracy"] == 1 / 6
    assert "history" not in saved["training"]
    md = (model_dir / "card.md").read_text()
    assert "### inter split" in md and "### beat split" in md
    assert "83.33%" in md and "baseline (prototype) | 16.67%" in md
    assert "the network's plain argmax): model tau 0.5, baseline argmax (no decision step)." in md
    assert "- own: accuracy 50.00%, rejected 0.00% (n=4); by class: N 100.00%, V 0.00%" in md
    assert (model_dir / "confusion.png").read_bytes()[:4] == b"\x89PNG"


def test_the_readme_shows_the_block_generated_from_the_shipped_card():
    readme = (ROOT / "README.md").read_text()
    block = card.readme_block(card.load_card(DEFAULT_MODEL_DIR))
    assert block in readme


def _model_with_card(tmp_path):
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    shutil.copyfile(DEFAULT_MODEL_DIR / "model.keras", model_dir / "model.keras")
    from ml.predictor import model_version

    truth = [0, 1, 2, 3, 4, 5] * 3
    evals = {"inter": _evaluation("inter", truth, [0, 1, 2, 3, 4, 4] * 3,
                                  model_version(model_dir))}
    evals["inter"]["styles"] = {"gap_points": 1.5}
    baselines = {"inter": _evaluation("inter", truth, [0] * 18, "base")}
    card.write(model_dir, card.build(model_dir, evals, baselines, {"cpus": 2}))
    return model_dir, truth


def test_keep_adds_one_evaluation_and_keeps_every_other_figure(tmp_path):
    model_dir, truth = _model_with_card(tmp_path)
    before = card.load_card(model_dir)
    beat = tmp_path / "beat-baseline.json"
    beat.write_text(json.dumps(_evaluation("beat", truth, [1] + truth[1:], "proto")))
    beat_model = tmp_path / "beat.json"
    beat_model.write_text(json.dumps(_evaluation("beat", truth, truth, "beatnet")))

    card.main(["--model", str(model_dir), "--keep", "--beat", str(beat_model),
               "--baseline-beat", str(beat), "--readme", str(tmp_path / "none.md")])

    after = card.load_card(model_dir)
    assert after["evaluations"]["inter"] == before["evaluations"]["inter"]
    assert after["extra"] == {"cpus": 2}
    assert after["evaluations"]["beat"]["baseline"]["accuracy"] == 17 / 18
    assert after["evaluations"]["beat"]["model"]["accuracy"] == 1.0
    assert "| baseline (prototype) | 94.44% |" in (model_dir / "card.md").read_text()


def test_keep_refuses_a_card_written_for_other_weights(tmp_path, capsys):
    model_dir, _ = _model_with_card(tmp_path)
    stale = card.load_card(model_dir)
    stale["model_version"] = "000000000000"
    (model_dir / "card.json").write_text(json.dumps(stale))

    with pytest.raises(SystemExit):
        card.main(["--model", str(model_dir), "--keep", "--readme", str(tmp_path / "none.md")])
    assert "evaluate it afresh and give --inter, --bench" in capsys.readouterr().err
    assert card.load_card(model_dir)["model_version"] == "000000000000"


def test_keep_takes_only_the_baselines_when_the_weights_changed(tmp_path):
    model_dir, truth = _model_with_card(tmp_path)
    stale = card.load_card(model_dir)
    stale["model_version"] = "000000000000"
    (model_dir / "card.json").write_text(json.dumps(stale))
    fresh = tmp_path / "inter.json"
    fresh.write_text(json.dumps(_evaluation("inter", truth, truth, "new")))
    bench = tmp_path / "bench.json"
    bench.write_text(json.dumps({"cpus": 4}))

    card.main(["--model", str(model_dir), "--keep", "--inter", str(fresh), "--bench", str(bench),
               "--readme", str(tmp_path / "none.md")])

    after = card.load_card(model_dir)
    assert after["evaluations"]["inter"]["model"]["accuracy"] == 1.0
    assert after["evaluations"]["inter"]["baseline"] == stale["evaluations"]["inter"]["baseline"]
    assert after["extra"] == {"cpus": 4}
