"""The shipped model card's figures, shaped for the About page.

Figures are read from the card written by ``ml``'s evaluation code (``ml.reports.card``), never
typed by hand. A missing or unreadable card is a normal state (the model may not be trained
yet) and is reported as such rather than raised.
"""

import datetime
import logging
from dataclasses import dataclass, field

from ml.card import load_card, mode_figures
from ml.registry import BY_CODE, CLASSES, MODES, ONE_LEAD, PICTURE, SEVERAL_LEADS

logger = logging.getLogger(__name__)

MISSING, UNREADABLE, OK = "missing", "unreadable", "ok"
# Column titles of the per-mode table, in plain words.
MODE_TITLES = {SEVERAL_LEADS: "Recordings, several leads", ONE_LEAD: "Recordings, one lead",
               PICTURE: "Single-beat pictures"}
# Headings of the evaluations, in plain words (the card's own description follows once).
SPLIT_TITLES = {"inter": "Patients the model never saw (inter-patient split)",
                "beat": "Beats of the same patients, split at random (optimistic)"}
# The honest protocol first: unseen patients, then the optimistic beat-level split.
SPLIT_ORDER = ("inter", "beat")


@dataclass
class ModeColumn:
    mode: str
    title: str
    macro_f1: float | None
    split: str


@dataclass
class ModeTable:
    """Per class, the figures of each mode the card measured, on patients never seen."""

    columns: list  # ModeColumn
    rows: list  # {"code", "name", "cells": [{"f1", "precision", "recall"} per column],
    #              "beats", "patients"}
    split: str  # how the patients were kept apart, said once ("" when the modes differ)
    from_inter: bool = False  # read from the inter-patient evaluation (described below it)


@dataclass
class SplitFigures:
    key: str
    title: str
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
    modes: ModeTable | None = None

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
        title=SPLIT_TITLES.get(key, key),
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


def _mode_table(card, classes, leads_card=None):
    """The per-mode table, or None when the card has no figures per mode. Recordings are read
    by the recordings model: its card (``leads_card``), when there is one, gives the one- and
    several-lead columns, the image model's card the picture column. A card that has only its
    inter-patient evaluation gives the same figures for one and several leads (the model read
    one lead): that column is shown once, as one lead."""
    found = [(mode, mode_figures(leads_card if leads_card and mode != PICTURE else card, mode))
             for mode in MODES]
    found = [(mode, f) for mode, f in found if f is not None
             and not (mode == SEVERAL_LEADS and f.source == "inter")]
    if not found:
        return None
    columns = [ModeColumn(mode, MODE_TITLES[mode], f.macro_f1, f.split) for mode, f in found]
    rows = []
    for code, name in classes:
        per_mode = [f.per_class.get(code) for _, f in found]
        first = next((c for c in per_mode if c is not None), None)
        rows.append({
            "code": code, "name": name,
            "cells": [None if c is None else {"f1": c.f1, "precision": c.precision,
                                              "recall": c.recall} for c in per_mode],
            "beats": None if first is None else first.beats,
            "patients": None if first is None else first.patients,
        })
    splits = {column.split for column in columns}
    from_inter = all(f.source == "inter" for _, f in found)
    return ModeTable(columns=columns, rows=rows, from_inter=from_inter,
                     split="" if from_inter or len(splits) != 1 else splits.pop())


def _created(value):
    try:
        return datetime.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return value or None


def _leads_card(leads_dir):
    """The recordings model's card, or None (missing or unreadable: the About page then shows
    the image model's figures only)."""
    if leads_dir is None:
        return None
    try:
        card = load_card(leads_dir)
    except (OSError, ValueError) as exc:
        logger.warning("Model card in %s could not be read: %s", leads_dir, exc)
        return None
    return card if isinstance(card, dict) else None


def card_figures(model_dir, leads_dir=None):
    """``CardFigures`` for the model in ``model_dir`` (per-mode figures for recordings from the
    recordings model in ``leads_dir``); status says whether a card was found."""
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
        modes=_mode_table(card, classes, _leads_card(leads_dir)),
    )
