"""Model cards are generated from evaluation output, and the README shows the shipped card."""
import json
import shutil
from pathlib import Path

from ml import card, metrics
from ml.predictor import DEFAULT_MODEL_DIR

ROOT = Path(__file__).resolve().parents[2]


def _evaluation(split, y_true, y_pred, version):
    report = metrics.report(y_true, y_pred)
    return {
        "split": split,
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
    baselines = {"inter": _evaluation("inter", truth, [0] * 18, "base")}
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
    assert (model_dir / "confusion.png").read_bytes()[:4] == b"\x89PNG"


def test_the_readme_shows_the_block_generated_from_the_shipped_card():
    readme = (ROOT / "README.md").read_text()
    block = card.readme_block(card.load_card(DEFAULT_MODEL_DIR))
    assert block in readme
