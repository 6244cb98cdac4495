"""How to cut a picture whose time span is known (the optional "seconds shown"), measured.

Two measurements behind ``ml.picture.timed_window``'s rule:

1. ``extents``: the image model on the real signal windows of the development set's beats (no
   picture read; ``ml.reports.picturedev.collect``, the same held-out beats), cut with other
   extents before and after the R peak (never past a neighbouring QRS) and drawn by our
   renderer on the same canvas: what showing the model more or less time around the beat costs;
2. ``rules``: the development pictures read with their true span under each candidate rule
   (``ml.picture.BEFORE_RANGE`` / ``AFTER_RANGE`` / ``EXACT_WHEN_PADDED``), accuracy overall and
   per style, against the same pictures read without a span.

    python -m ml.reports.span_rules [--data runs/picturedev/pictures.npz] [--model DIR]
                                    [--json runs/span_rules.json]
"""
import argparse
import json
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from .. import picture, render
from ..predictor import DEFAULT_MODEL_DIR, Predictor
from ..registry import CLASS_CODES
from ..segment import no_rhythm
from . import picture_eval, picturedev

EXACT = ((render.BEFORE_S, render.BEFORE_S), (render.AFTER_S, render.AFTER_S))
TRAINED = (render.STYLED_BEFORE_S, render.STYLED_AFTER_S)
RULES = {
    "trained ranges, exact window when padded (used)": (*TRAINED, True),
    "trained ranges": (*TRAINED, False),
    "exact window": (*EXACT, False),
    "at most the exact window, at least the trained minimum":
        ((render.STYLED_BEFORE_S[0], render.BEFORE_S), (render.STYLED_AFTER_S[0], render.AFTER_S),
         False),
}
EXTENTS = [(render.BEFORE_S, render.AFTER_S), (render.STYLED_BEFORE_S[0], render.STYLED_AFTER_S[0]),
           (0.35, 0.50), (render.STYLED_BEFORE_S[1], render.STYLED_AFTER_S[1])]


@contextmanager
def rule(before_range, after_range, exact_when_padded):
    saved = picture.BEFORE_RANGE, picture.AFTER_RANGE, picture.EXACT_WHEN_PADDED
    picture.BEFORE_RANGE, picture.AFTER_RANGE = before_range, after_range
    picture.EXACT_WHEN_PADDED = exact_when_padded
    try:
        yield
    finally:
        picture.BEFORE_RANGE, picture.AFTER_RANGE, picture.EXACT_WHEN_PADDED = saved


def _scores(pred, labels, styles=None):
    out = {"accuracy": float(np.mean(pred == labels)),
           "recall": {c: float(np.mean(pred[labels == k] == k)) if (labels == k).any() else None
                      for k, c in enumerate(CLASS_CODES)}}
    if styles is not None:
        out["per_style"] = {s: float(np.mean(pred[styles == s] == labels[styles == s]))
                            for s in picturedev.STYLES if (styles == s).any()}
    return out


def extents(predictor, per_class=300, seed=15):
    beats = picturedev.collect(per_class, seed)
    labels = np.array([b["label"] for b in beats])
    out = {}
    for before, after in EXTENTS:
        ink = np.stack([render.render_ink(picturedev._cut(b, before, after)[None])[0]
                        for b in beats])
        pred = np.argmax(predictor.classify_ink(ink, no_rhythm(len(ink))), axis=1)
        out[f"{before:g}/{after:g}"] = _scores(pred, labels)
    return out


def rules(data, predictor):
    labels, styles = data["labels"], data["styles"]
    inks, _, _ = picture_eval._read_all(data["pictures"], repeats=1)
    out = {"without a span": _scores(picture_eval._classify(predictor, inks), labels, styles)}
    for name, settings in RULES.items():
        with rule(*settings):
            inks, _, _ = picture_eval._read_all(data["pictures"], repeats=1,
                                                spans=data["seconds"])
        out[name] = _scores(picture_eval._classify(predictor, inks), labels, styles)
    return out


def _row(name, s, columns):
    return f"{name:<56} {100 * s['accuracy']:5.1f} " + " ".join(
        f"{100 * v:5.1f}" if v is not None else "    -" for v in columns(s))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(picture_eval.DEFAULT_DATA))
    parser.add_argument("--model", default=str(DEFAULT_MODEL_DIR))
    parser.add_argument("--json", default=None)
    args = parser.parse_args(argv)
    predictor = Predictor(args.model)
    result = {"rules": rules(picturedev.load(args.data), predictor)}
    print(f"{'pictures read with their true span: rule':<56}   all "
          + " ".join(f"{s[:5]:>5}" for s in picturedev.STYLES))
    for name, s in result["rules"].items():
        print(_row(name, s, lambda s: s["per_style"].values()))
    result["extents"] = extents(predictor)
    print(f"\n{'real signal windows, s before/after the R peak':<56}   all "
          + " ".join(f"{c:>5}" for c in CLASS_CODES))
    for name, s in result["extents"].items():
        print(_row(name, s, lambda s: s["recall"].values()))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
