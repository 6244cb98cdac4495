"""The About page: what the site does, the shipped model card's figures, attribution."""

import json

import pytest
from django.test import override_settings
from django.urls import reverse

from ml.registry import CLASSES

pytestmark = pytest.mark.django_db


def per_class(f1s):
    return {
        code: {"precision": f1 - 0.01, "recall": f1 + 0.01, "f1": f1, "support": 100 + i}
        for i, (code, f1) in enumerate(f1s.items())
    }


def make_card(accuracy=0.9123, macro_f1=0.7456, with_baseline=True):
    f1s = {"N": 0.9611, "L": 0.8822, "R": 0.8733, "A": 0.4144, "V": 0.9055, "VF": 0.6266}
    inter = {
        "split_description": "Inter-patient: DS1 records to train, DS2 records to test",
        "model_version": "abc123def456",
        "model_image_only": {
            "accuracy": 0.6789,
            "macro_f1": 0.3456,
            "n": 49712,
            "per_class": per_class({code: 0.2211 for code in f1s}),
        },
        "model": {
            "accuracy": accuracy,
            "macro_f1": macro_f1,
            "n": 49712,
            "per_class": per_class(f1s),
            "confusion_matrix": [[0] * 6 for _ in range(6)],
        },
    }
    if with_baseline:
        inter["baseline"] = {
            "accuracy": 0.8011,
            "macro_f1": 0.5522,
            "n": 49712,
            "per_class": per_class({code: 0.3377 for code in f1s}),
        }
    return {
        "model_version": "abc123def456",
        "created": "2026-11-20T10:00:00+00:00",
        "classes": [{"code": c.code, "name": c.name} for c in CLASSES],
        "evaluations": {
            "beat": {
                "split_description": "Beat-level random split (optimistic)",
                "model_version": "0f0f0f0f0f0f",
                "model": {
                    "accuracy": 0.9912,
                    "macro_f1": 0.9734,
                    "n": 20000,
                    "per_class": per_class(f1s),
                },
            },
            "inter": inter,
        },
    }


def write_card(model_dir, card):
    (model_dir / "card.json").write_text(json.dumps(card), encoding="utf-8")


def about(client):
    response = client.get(reverse("about"))
    assert response.status_code == 200
    return response.content.decode()


def test_about_says_what_the_site_does_and_does_not_do_and_gives_the_disclaimer(client, tmp_path):
    with override_settings(ECG_MODEL_DIR=str(tmp_path)):
        content = about(client)
    assert "What the site does" in content
    assert "What the site does not do" in content
    assert "Medical disclaimer" in content
    assert "not a medical device" in content
    for c in CLASSES:
        assert c.name in content


def test_about_credits_the_physionet_databases_and_their_licence(client, tmp_path):
    with override_settings(ECG_MODEL_DIR=str(tmp_path)):
        content = about(client)
    assert "MIT-BIH Arrhythmia Database" in content
    assert "MIT-BIH Malignant Ventricular Ectopy Database" in content
    assert "Moody GB, Mark RG" in content
    assert "Greenwald SD" in content
    assert "Goldberger A" in content
    assert "ODC-By 1.0" in content


def test_without_a_model_card_about_says_so(client, tmp_path):
    with override_settings(ECG_MODEL_DIR=str(tmp_path / "not-there")):
        content = about(client)
    assert "No model card found" in content
    assert "Accuracy" not in content


def test_about_shows_the_figures_of_the_model_card(client, tmp_path):
    write_card(tmp_path, make_card())
    with override_settings(ECG_MODEL_DIR=str(tmp_path)):
        content = about(client)
    assert "No model card found" not in content
    assert "abc123def456" in content
    assert "Inter-patient: DS1 records to train, DS2 records to test" in content
    assert "Beat-level random split (optimistic)" in content
    for figure in ("91.2%", "74.6%", "99.1%", "97.3%"):  # accuracy and macro-F1 per split
        assert figure in content
    for figure in ("96.1%", "88.2%", "87.3%", "41.4%", "90.5%", "62.7%"):  # per-class F1
        assert figure in content
    # The baseline sits beside the model where the card has one.
    assert "Baseline" in content
    for figure in ("80.1%", "55.2%", "33.8%"):
        assert figure in content
    # The same model judging single pictures, without the timing of neighbouring beats.
    assert "single pictures" in content
    for figure in ("67.9%", "34.6%", "22.1%"):
        assert figure in content
    # A split measured on another model says so.
    assert "separately trained model (version <code>0f0f0f0f0f0f</code>)" in content
    assert "separately trained model (version <code>abc123def456</code>)" not in content
    # The honest inter-patient split comes first.
    assert content.index("Inter-patient: DS1") < content.index("Beat-level random split")


def test_changing_the_card_changes_the_page(client, tmp_path):
    write_card(tmp_path, make_card(accuracy=0.9123, macro_f1=0.7456))
    with override_settings(ECG_MODEL_DIR=str(tmp_path)):
        before = about(client)
        write_card(tmp_path, make_card(accuracy=0.8345, macro_f1=0.6012, with_baseline=False))
        after = about(client)
    assert "91.2%" in before and "91.2%" not in after
    assert "83.5%" in after and "60.1%" in after
    assert "80.1%" in before and "80.1%" not in after
    assert "Baseline" not in after


def test_about_shows_the_figures_of_the_card_shipped_with_the_default_model(client, settings):
    from ml.card import load_card

    card = load_card(settings.ECG_MODEL_DIR)
    assert card is not None, "the default model ships with its card"
    content = about(client)
    assert card["model_version"] in content
    # Per-split evaluations (the picture mode's block under "cv" is not one).
    for evaluation in (e for e in card["evaluations"].values() if "model" in e):
        assert evaluation["split_description"] in content
        model = evaluation["model"]
        assert f"{model['accuracy'] * 100:.1f}%" in content
        assert f"{model['macro_f1'] * 100:.1f}%" in content
        for code, figures in model["per_class"].items():
            assert f"{figures['f1'] * 100:.1f}%" in content, code


def test_an_unreadable_card_is_reported_not_a_server_error(client, tmp_path):
    (tmp_path / "card.json").write_text("{not json", encoding="utf-8")
    with override_settings(ECG_MODEL_DIR=str(tmp_path)):
        content = about(client)
    assert "could not be read" in content


def test_a_card_with_missing_figures_shows_dashes(client, tmp_path):
    card = make_card()
    del card["evaluations"]["inter"]["model"]["per_class"]["VF"]
    del card["evaluations"]["inter"]["model"]["macro_f1"]
    write_card(tmp_path, card)
    with override_settings(ECG_MODEL_DIR=str(tmp_path)):
        content = about(client)
    assert "91.2%" in content
    assert "—" in content
