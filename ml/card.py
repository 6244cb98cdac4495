"""Reading a model's card: the measured figures shipped next to the model (``card.json``).

The card is written by ``python -m ml.reports.card`` from the outputs of the evaluation code;
the site and the Predictor only read it, through ``load_card`` and ``mode_figures``.

Figures per mode (``registry.MODES``: several leads, one lead, picture) come from the card's
patient-grouped cross-validation, ``evaluations.cv.modes[mode]``: ``macro_f1``, ``split`` (the
split in words) and ``per_class[code]`` with ``f1``, ``precision``, ``recall``, ``patients``
and ``beats``, optionally a ``confusion_matrix`` (rows: true class, columns: call, in
CLASS_CODES order). A card without that block falls back to its inter-patient evaluation
(``evaluations.inter``): ``model_image_only`` for a picture, ``model`` for a recording (the
model read one lead of it).
"""
import json
from dataclasses import dataclass
from pathlib import Path

from .registry import CLASS_CODES, MODES, PICTURE

CARD_JSON = "card.json"
CARD_MD = "card.md"

_cache = {}


def load_card(model_dir):
    """The card of the model in ``model_dir`` as a dict, or None when there is none."""
    path = Path(model_dir) / CARD_JSON
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def cached_card(model_dir):
    """``load_card``, read again only when the file changed (pages read it per row)."""
    path = Path(model_dir) / CARD_JSON
    try:
        stamp = path.stat().st_mtime_ns
    except FileNotFoundError:
        return None
    key = str(path)
    if key not in _cache or _cache[key][0] != stamp:
        _cache[key] = (stamp, load_card(model_dir))
    return _cache[key][1]


@dataclass(frozen=True)
class ClassFigures:
    code: str
    f1: float
    precision: float  # of the beats called this class, the share that truly were
    recall: float  # of the beats truly of this class, the share found
    beats: int  # test beats truly of this class
    patients: int | None  # patients those beats came from (None: not reported)


@dataclass(frozen=True)
class ModeFigures:
    """What the card measured for one mode, on patients the model never saw."""

    mode: str
    macro_f1: float | None
    split: str  # the split, in words
    per_class: dict  # code -> ClassFigures
    confusion_matrix: list | None
    model_version: str  # the model the figures describe
    source: str  # "cv" (patient-grouped cross-validation) or "inter" (inter-patient split)

    @property
    def n(self):
        """Test beats in all."""
        return sum(c.beats for c in self.per_class.values())


def _number(value):
    return None if value is None else float(value)


def _class_figures(code, row):
    beats = row.get("beats", row.get("support"))
    patients = row.get("patients")
    return ClassFigures(code=code, f1=float(row["f1"]), precision=float(row["precision"]),
                        recall=float(row["recall"]), beats=int(beats),
                        patients=None if patients is None else int(patients))


def _matrix(value):
    n = len(CLASS_CODES)
    if isinstance(value, list) and len(value) == n and all(
            isinstance(row, list) and len(row) == n for row in value):
        return value
    return None


def mode_figures(card, mode):
    """The card's ``ModeFigures`` for ``mode``, or None when it has no usable figures."""
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; known: {', '.join(MODES)}")
    evaluations = (card or {}).get("evaluations") or {}
    try:
        block = ((evaluations.get("cv") or {}).get("modes") or {}).get(mode)
        if block:
            return ModeFigures(
                mode=mode, macro_f1=_number(block.get("macro_f1")),
                split=str(block.get("split") or ""),
                per_class={code: _class_figures(code, row)
                           for code, row in (block.get("per_class") or {}).items()},
                confusion_matrix=_matrix(block.get("confusion_matrix")),
                model_version=str(card.get("model_version") or ""), source="cv")
        inter = evaluations.get("inter") or {}
        figures = inter.get("model_image_only" if mode == PICTURE else "model")
        if not figures:
            return None
        return ModeFigures(
            mode=mode, macro_f1=_number(figures.get("macro_f1")),
            split=str(inter.get("split_description") or ""),
            per_class={code: _class_figures(code, row)
                       for code, row in (figures.get("per_class") or {}).items()},
            confusion_matrix=_matrix(figures.get("confusion_matrix")),
            model_version=str(inter.get("model_version") or ""), source="inter")
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
