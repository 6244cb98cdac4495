"""Model cards written for tests, in the format ml.card reads: per-mode figures from the
patient-grouped cross-validation (``evaluations.cv.modes``), or only the older inter-patient
block (``evaluations.inter``)."""
import json

from ml.card import CARD_JSON
from ml.registry import CLASS_CODES, MODES

VERSION = "card-test-v1"
SPLIT = "patient-grouped 5-fold cross-validation over mitdb, vfdb, ludb and ptbxl"


def row(f1, precision=None, recall=None, patients=30, beats=1000):
    return {"f1": f1, "precision": f1 if precision is None else precision,
            "recall": f1 if recall is None else recall, "patients": patients, "beats": beats}


def good_rows():
    """Every class at or above its target in every mode."""
    return {code: row(0.95) for code in CLASS_CODES}


def cv_card(modes=None, version=VERSION, **mode_blocks):
    """A card with cv figures; ``modes``: {mode: per_class rows} (default: good_rows for
    every mode)."""
    modes = modes or {mode: good_rows() for mode in MODES}
    return {"model_version": version, "evaluations": {"cv": {"modes": {
        mode: {"macro_f1": sum(r["f1"] for r in rows.values()) / len(rows), "split": SPLIT,
               "per_class": rows, **mode_blocks.get(mode, {})}
        for mode, rows in modes.items()}}}}


def inter_card(per_class, confusion_matrix=None, version=VERSION):
    """A card with only the inter-patient block (the fallback), the same figures for a
    recording and a picture."""
    figures = {"n": sum(r["beats"] for r in per_class.values()), "macro_f1": 0.5,
               "per_class": {c: {"f1": r["f1"], "precision": r["precision"],
                                 "recall": r["recall"], "support": r["beats"]}
                             for c, r in per_class.items()}}
    if confusion_matrix is not None:
        figures["confusion_matrix"] = confusion_matrix
    return {"model_version": version, "evaluations": {"inter": {
        "model_version": version, "split_description": "DS1 -> DS2 inter-patient split",
        "model": figures, "model_image_only": figures}}}


def use_card(settings, directory, card):
    """Write ``card`` as the card of the model in ``directory`` and point the site at it."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / CARD_JSON).write_text(json.dumps(card), encoding="utf-8")
    settings.ECG_MODEL_DIR = str(directory)
    settings.ECG_LEADS_MODEL_DIR = settings.ECG_MODEL_DIR  # recordings read the same card here
    return card
