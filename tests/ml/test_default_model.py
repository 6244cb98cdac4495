"""The committed default model still measures what its card says."""
import pytest

from ml import datasets
from ml.card import load_card
from ml.predictor import DEFAULT_MODEL_DIR, Predictor, model_version
from ml.train import canonical_views


@pytest.fixture(scope="module")
def card():
    return load_card(DEFAULT_MODEL_DIR)


def test_the_card_belongs_to_the_committed_weights(card):
    assert card["model_version"] == model_version(DEFAULT_MODEL_DIR)
    assert card["evaluations"]["inter"]["model_version"] == card["model_version"]


def test_the_model_reaches_its_card_figure_on_the_fixed_held_out_subset(card):
    expected = card["evaluations"]["inter"]["ci_subset"]
    _, _, test = datasets.split("inter")
    subset = datasets.fixed_subset(test)
    assert len(subset) == expected["n"]
    predictor = Predictor()
    ink, tmpl, context = canonical_views(subset)
    pred = predictor.classify_ink(ink, context, tmpl).argmax(1)
    accuracy = float((pred == subset.labels).mean())
    assert abs(accuracy - expected["accuracy"]) <= 0.01


def test_the_model_file_is_small_enough_to_commit():
    assert (DEFAULT_MODEL_DIR / "model.keras").stat().st_size < 10 * 1024 * 1024


def test_the_card_files_are_shipped_next_to_the_model():
    for name in ("card.json", "card.md", "confusion.png", "meta.json"):
        assert (DEFAULT_MODEL_DIR / name).exists(), name
