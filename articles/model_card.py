"""The shipped model card's figures, shaped for the About page.

Figures are read from the card written by ``ml``'s evaluation code (``ml.reports.card``), never
typed by hand. A missing or unreadable card is a normal state (the model may not be trained
yet) and is reported as such rather than raised.
"""

import datetime
import logging
from dataclasses import dataclass, field

from ml.card import load_card
from ml.registry import BY_CODE, CLASSES

logger = logging.getLogger(__name__)

MISSING, UNREADABLE, OK = "missing", "unreadable", "ok"
# The honest protocol first: unseen patients, then the optimistic beat-level split.
SPLIT_ORDER = ("inter", "beat")


@dataclass
class SplitFigures:
    key: str
    description: str
    accuracy: float | None
    macro_f1: float | None
    n: int | None
    baseline_accuracy: float | None
    baseline_macro_f1: float | None
    has_baseline: bool
    image_accuracy: float | None
    image_macro_f1: float | None
    has_image_only: bool
    model_version: str  # the model measured; differs from the card's for a split's own model
    per_class: list  # [{"code", "name", "f1", "baseline_f1", "image_f1", "precision", ...}]


@dataclass
class CardFigures:
    status: str
    model_version: str = ""
    created: datetime.datetime | str | None = None
    splits: list = field(default_factory=list)

    @property
    def has_baseline(self):
        return any(split.has_baseline for split in self.splits)

    @property
    def has_image_only(self):
        return any(split.has_image_only for split in self.splits)


def _number(value):
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def _split(key, evaluation, classes):
    model = evaluation.get("model") or {}
    baseline = evaluation.get("baseline") or {}
    # The model judging single pictures, without the timing of neighbouring beats.
    image_only = evaluation.get("model_image_only") or {}
    model_classes = model.get("per_class") or {}
    baseline_classes = baseline.get("per_class") or {}
    image_classes = image_only.get("per_class") or {}
    rows = []
    for code, name in classes:
        ours = model_classes.get(code) or {}
        theirs = baseline_classes.get(code) or {}
        pictures = image_classes.get(code) or {}
        rows.append(
            {
                "code": code,
                "name": name,
                "f1": _number(ours.get("f1")),
                "precision": _number(ours.get("precision")),
                "recall": _number(ours.get("recall")),
                "support": _number(ours.get("support")),
                "baseline_f1": _number(theirs.get("f1")),
                "image_f1": _number(pictures.get("f1")),
            }
        )
    return SplitFigures(
        key=key,
        description=str(evaluation.get("split_description") or key),
        accuracy=_number(model.get("accuracy")),
        macro_f1=_number(model.get("macro_f1")),
        n=_number(model.get("n")),
        baseline_accuracy=_number(baseline.get("accuracy")),
        baseline_macro_f1=_number(baseline.get("macro_f1")),
        has_baseline=bool(baseline),
        image_accuracy=_number(image_only.get("accuracy")),
        image_macro_f1=_number(image_only.get("macro_f1")),
        has_image_only=bool(image_only),
        model_version=str(evaluation.get("model_version") or ""),
        per_class=rows,
    )


def _created(value):
    try:
        return datetime.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return value or None


def card_figures(model_dir):
    """``CardFigures`` for the model in ``model_dir``; status says whether a card was found."""
    try:
        card = load_card(model_dir)
    except (OSError, ValueError) as exc:  # ValueError covers malformed JSON and bad UTF-8
        logger.warning("Model card in %s could not be read: %s", model_dir, exc)
        return CardFigures(status=UNREADABLE)
    if card is None:
        return CardFigures(status=MISSING)
    if not isinstance(card, dict):
        return CardFigures(status=UNREADABLE)
    # The card's classes in its order; names from the registry (the card's own name is kept
    # only for a class this code does not know).
    classes = [
        (c["code"], BY_CODE[c["code"]].name if c["code"] in BY_CODE
         else c.get("name") or c["code"])
        for c in card.get("classes") or []
        if isinstance(c, dict) and c.get("code")
    ] or [(c.code, c.name) for c in CLASSES]
    evaluations = card.get("evaluations") or {}
    if not isinstance(evaluations, dict):
        return CardFigures(status=UNREADABLE)
    keys = [k for k in SPLIT_ORDER if k in evaluations]
    keys += [k for k in evaluations if k not in SPLIT_ORDER]
    return CardFigures(
        status=OK,
        model_version=str(card.get("model_version") or ""),
        created=_created(card.get("created")),
        splits=[
            # Blocks without a "model" entry (the picture mode's figures under "cv") are not
            # per-split evaluations.
            _split(k, evaluations[k], classes) for k in keys
            if isinstance(evaluations[k], dict) and "model" in evaluations[k]
        ],
    )
