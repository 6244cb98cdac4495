"""The recordings model's card (ml/models/leads/card.json): the contract other code reads, and
figures that agree with themselves, with the shipped model and with the README."""
import json

import pytest

from ml.card import load_card
from ml.predictor import DEFAULT_LEADS_DIR, model_version
from ml.registry import CLASS_CODES

MODES = ("several leads", "one lead")
FIGURES = {"f1", "precision", "recall", "patients", "beats"}


@pytest.fixture(scope="module")
def card():
    card = load_card(DEFAULT_LEADS_DIR)
    assert card is not None, "ml/models/leads/card.json is missing"
    return card


def test_the_card_describes_the_shipped_model(card):
    assert card["model_version"] == model_version(DEFAULT_LEADS_DIR)
    assert [c["code"] for c in card["classes"]] == list(CLASS_CODES)
    meta = json.loads((DEFAULT_LEADS_DIR / "meta.json").read_text())
    assert card["training"]["patients"] == len(meta["train_patients"])
    assert "every patient" in card["training"]["note"]


@pytest.mark.parametrize("mode", MODES)
def test_the_cv_figures_keep_the_contract(card, mode):
    r = card["evaluations"]["cv"]["modes"][mode]
    assert isinstance(r["macro_f1"], float) and 0 <= r["macro_f1"] <= 1
    assert isinstance(r["split"], str) and "patient" in r["split"]
    assert set(r["per_class"]) == set(CLASS_CODES)
    for code, v in r["per_class"].items():
        assert set(v) >= FIGURES, code
        assert 0 <= v["f1"] <= 1 and v["beats"] >= v["patients"] >= 1
        # F1 is the harmonic mean of the precision and recall shown beside it.
        p, rc = v["precision"], v["recall"]
        assert v["f1"] == pytest.approx(2 * p * rc / (p + rc) if p + rc else 0, abs=2e-4)
    mean = sum(v["f1"] for v in r["per_class"].values()) / len(r["per_class"])
    assert r["macro_f1"] == pytest.approx(mean, abs=1e-3)


def test_both_modes_score_the_same_beats(card):
    modes = card["evaluations"]["cv"]["modes"]
    for code in CLASS_CODES:
        assert len({(modes[m]["per_class"][code]["beats"],
                     modes[m]["per_class"][code]["patients"]) for m in MODES}) == 1


def test_the_readme_block_is_the_cards(card):
    from ml.reports import leadcard

    assert leadcard.readme_block(card) in leadcard.README.read_text()


def test_the_card_markdown_is_written_from_the_json(card):
    from ml.reports import leadcard

    assert (DEFAULT_LEADS_DIR / "card.md").read_text() == leadcard.markdown(
        card, leadcard.load_spectral(DEFAULT_LEADS_DIR))


def test_the_card_names_the_seeds_of_the_shipped_model(card):
    from ml.reports import leadcard

    meta = json.loads((DEFAULT_LEADS_DIR / "meta.json").read_text())
    assert card["training"]["seed"] == meta["seed"]
    md = leadcard.markdown(card)
    if meta.get("members"):  # a seed ensemble (ml.training.ensemble)
        assert "seed ensemble" in card["training"]["note"]
        assert f"seeds {', '.join(map(str, meta['seed']))} (one model each)" in md
    else:
        assert f"seed {meta['seed']}," in md


def test_seed_words_say_one_seed_or_the_ensembles_seeds():
    from ml.reports.leadcard import _seed_words

    assert _seed_words(7) == "seed 7"
    assert _seed_words([7, 8, 9]) == "seeds 7, 8, 9 (one model each)"


def test_the_card_and_the_shipped_model_agree_on_the_decision_step(card):
    meta = json.loads((DEFAULT_LEADS_DIR / "meta.json").read_text())
    cv = card["evaluations"]["cv"]
    assert ("decision" in meta) == ("decision" in cv)
    if "decision" in meta:  # the shipped tau is the one chosen on every CV fold
        assert meta["decision"]["tau"] == cv["decision"]["tau_every_fold"]


def test_a_card_is_refused_when_its_figures_were_scored_another_way_than_the_model(tmp_path):
    """Figures scored with the decision step describe a model with one, and the other way
    round: the card cannot mix them."""
    import shutil

    from ml.reports import leadcard

    shutil.copyfile(DEFAULT_LEADS_DIR / "model.keras", tmp_path / "model.keras")
    meta = json.loads((DEFAULT_LEADS_DIR / "meta.json").read_text())
    meta.pop("decision", None)
    cv = json.loads((DEFAULT_LEADS_DIR / "card.json").read_text())["evaluations"]
    plain = {"cv": {k: v for k, v in cv["cv"].items() if k != "decision"}}
    decided = {"cv": {**plain["cv"], "decision": {"tau_every_fold": 0.3}}}
    (tmp_path / "meta.json").write_text(json.dumps(meta))
    assert "decision step" not in leadcard.build(tmp_path, plain)["training"]["note"]
    with pytest.raises(ValueError, match="--decision"):
        leadcard.build(tmp_path, decided)
    meta["decision"] = {"tau": 0.3, "weights": dict.fromkeys(CLASS_CODES, 1.0)}
    (tmp_path / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(ValueError, match="--decision"):
        leadcard.build(tmp_path, plain)
    built = leadcard.build(tmp_path, decided)
    assert "tau = 0.3" in built["training"]["note"]
