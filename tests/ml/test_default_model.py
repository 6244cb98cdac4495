"""The committed models still measure what the card says: the default (inter-patient split)
and the beat-split model that gives the card its beat-level figures."""
import pytest

from ml.card import load_card
from ml.predictor import BEAT_SPLIT_MODEL_DIR, DEFAULT_MODEL_DIR, Predictor, model_version
from ml.training import datasets
from ml.training.validation import canonical_views

MODELS = {"inter": DEFAULT_MODEL_DIR, "beat": BEAT_SPLIT_MODEL_DIR}


@pytest.fixture(scope="module")
def card():
    return load_card(DEFAULT_MODEL_DIR)


def test_the_card_belongs_to_the_committed_weights(card):
    assert card["model_version"] == model_version(DEFAULT_MODEL_DIR)
    assert card["evaluations"]["inter"]["model_version"] == card["model_version"]
    assert card["evaluations"]["beat"]["model_version"] == model_version(BEAT_SPLIT_MODEL_DIR)


@pytest.mark.parametrize("split", sorted(MODELS))
def test_the_model_reaches_its_card_figure_on_the_fixed_held_out_subset(card, split, data_dir):
    expected = card["evaluations"][split]["ci_subset"]
    _, _, test = datasets.split(split, data_dir)
    subset = datasets.fixed_subset(test)
    assert len(subset) == expected["n"]
    predictor = Predictor(MODELS[split])
    ink, tmpl, context = canonical_views(subset)
    pred = predictor.classify_ink(ink, context, tmpl).argmax(1)
    accuracy = float((pred == subset.labels).mean())
    assert abs(accuracy - expected["accuracy"]) <= 0.01


@pytest.mark.parametrize("split", sorted(MODELS))
def test_the_model_file_is_small_enough_to_commit(split):
    assert (MODELS[split] / "model.keras").stat().st_size < 10 * 1024 * 1024


def test_the_card_files_are_shipped_next_to_the_model():
    for name in ("card.json", "card.md", "confusion.png", "meta.json"):
        assert (DEFAULT_MODEL_DIR / name).exists(), name
    assert (BEAT_SPLIT_MODEL_DIR / "meta.json").exists()
