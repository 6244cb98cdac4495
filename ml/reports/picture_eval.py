"""Other programs' beat pictures vs our own drawings of the same beats: refusals, accuracy, speed.

Reads the development set of ``ml.reports.picturedev`` (built when missing), puts every picture
through the upload path (``ml.picture`` reads it, the model classifies the canonical ink) and
does the same for our own drawing (``ml.render``) of the same beat. Prints, per style and
overall: share refused, accuracy (refused pictures count as wrong) and the gap in points to our
own drawings; per class: F1, precision and recall with the patients and beats behind them; and
the reader's time per picture (p50/p95 of each picture's best of three reads, one core, reading
only: the model's time is the same for every picture and measured by ``ml.reports.bench``).

    python -m ml.reports.picture_eval [--data runs/picturedev/pictures.npz] [--model DIR]
                                      [--json runs/picture_eval.json] [--seconds] [--card]

``--seconds`` reads every picture a second time with the true time span its trace shows (the
optional "seconds shown" a person may give; the development set records it) and reports what
knowing it changes, per style and overall.

``--card`` writes the figures into the model's card.json (``evaluations.cv.modes.picture`` and
``pictures``) and card.md (the "Pictures from other programs" section), leaving the rest as is.
"""
import argparse
import io
import json
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

from .. import picture, render
from ..errors import InputRejected
from ..predictor import DEFAULT_MODEL_DIR, Predictor, model_version
from ..registry import CLASS_CODES
from ..segment import no_rhythm
from . import picturedev

DEFAULT_DATA = picturedev.DEFAULT_OUT / "pictures.npz"
CARD_SECTION = "## Pictures from other programs"
TIMING_REPEATS = 3


def _read_one(img, span=None):
    try:
        return picture.canonical_beat(img, span), None
    except InputRejected as exc:
        return None, str(exc)


def _read_all(blobs, repeats=TIMING_REPEATS, spans=None):
    """(inks or None per picture, refusal messages, read seconds per picture).

    Each picture is read ``repeats`` times and its best time kept: the machine is shared, and
    the best of a few reads leaves out the pauses other processes cause. ``spans``: the time
    span given with each picture (None: none given).
    """
    inks, reasons, seconds = [], [], []
    for k, blob in enumerate(blobs):
        img = Image.open(io.BytesIO(bytes(blob)))
        img.load()
        span = None if spans is None else float(spans[k])
        best = np.inf
        for _ in range(repeats):
            t0 = time.perf_counter()
            ink, reason = _read_one(img, span)
            best = min(best, time.perf_counter() - t0)
        inks.append(ink)
        reasons.append(reason)
        seconds.append(best)
    return inks, reasons, np.array(seconds)


def _classify(predictor, inks):
    pred = np.full(len(inks), -1, np.int64)
    ok = [i for i, ink in enumerate(inks) if ink is not None]
    if ok:
        probs = predictor.classify_ink(np.stack([inks[i] for i in ok]), no_rhythm(len(ok)))
        pred[ok] = np.argmax(probs, axis=1)
    return pred


def per_class(labels, pred, patients):
    """F1, precision, recall per class, with the patients and beats behind each figure."""
    out = {}
    for c, code in enumerate(CLASS_CODES):
        truth, said = labels == c, pred == c
        tp = int(np.sum(truth & said))
        precision = tp / max(int(said.sum()), 1)
        recall = tp / max(int(truth.sum()), 1)
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        out[code] = {
            "f1": f1,
            "precision": precision,
            "recall": recall,
            "patients": len(set(patients[truth].tolist())),
            "beats": int(truth.sum()),
        }
    return out


def _refusal_counts(reasons):
    counts = {}
    for r in reasons:
        if r is not None:
            key = r.split(":")[0][:70]
            counts[key] = counts.get(key, 0) + 1
    return counts


def with_seconds(data, predictor, without, pred_without):
    """The same pictures read with the true time span each trace shows: figures as in
    ``without`` (the result read without it), and the change in points per style."""
    if "seconds" not in data:
        raise SystemExit("this development set does not record the spans shown: build it "
                         "again (python -m ml.reports.picturedev)")
    labels, styles, patients = data["labels"], data["styles"], data["patients"]
    inks, reasons, _ = _read_all(data["pictures"], repeats=1, spans=data["seconds"])
    pred = _classify(predictor, inks)
    refused = np.array([r is not None for r in reasons])
    out = {
        "refused_share": float(refused.mean()),
        "accuracy": float(np.mean(pred == labels)),
        "accuracy_accepted": float(np.mean(pred[~refused] == labels[~refused]))
        if (~refused).any() else 0.0,
        "per_class": per_class(labels, pred, patients),
        "per_style": {},
        "refusals": _refusal_counts(reasons),
        "seconds_range": [float(data["seconds"].min()), float(data["seconds"].max())],
    }
    out["macro_f1"] = float(np.mean([v["f1"] for v in out["per_class"].values()]))
    # Paired: pictures the span turned right (gained) or wrong (lost), to tell a change from
    # noise on a few hundred pictures.
    gained = (pred == labels) & (pred_without != labels)
    lost = (pred != labels) & (pred_without == labels)
    out["gained"], out["lost"] = int(gained.sum()), int(lost.sum())
    out["gap_points"] = 100 * (without["own_accuracy"] - out["accuracy"])
    out["change_points"] = 100 * (out["accuracy"] - without["accuracy"])
    for style, before in without["per_style"].items():
        m = styles == style
        acc = float(np.mean(pred[m] == labels[m]))
        out["per_style"][style] = {
            "pictures": int(m.sum()),
            "refused_share": float(refused[m].mean()),
            "accuracy": acc,
            "own_accuracy": before["own_accuracy"],
            "gap_points": 100 * (before["own_accuracy"] - acc),
            "change_points": 100 * (acc - before["accuracy"]),
            "gained": int(gained[m].sum()),
            "lost": int(lost[m].sum()),
        }
    return out


def evaluate(data, predictor, spans=False):
    """Figures of the pictures read as uploaded (no span given); with ``spans``, also under
    ``with_seconds`` those of the same pictures read with their true span."""
    labels, styles, patients = data["labels"], data["styles"], data["patients"]
    inks, reasons, seconds = _read_all(data["pictures"])
    own_inks, own_reasons, _ = _read_all(data["own"], repeats=1)
    pred, own_pred = _classify(predictor, inks), _classify(predictor, own_inks)
    # The model on our renderer's ink of the beat's window, with no picture read at all.
    direct = _classify(predictor, list(render.render_ink(data["windows"])))
    refused = np.array([r is not None for r in reasons])
    result = {
        "pictures": int(len(labels)),
        "patients": len(set(patients.tolist())),
        "refused_share": float(refused.mean()),
        "own_refused_share": float(np.mean([r is not None for r in own_reasons])),
        "accuracy": float(np.mean(pred == labels)),
        "accuracy_accepted": float(np.mean(pred[~refused] == labels[~refused]))
        if (~refused).any() else 0.0,
        "own_accuracy": float(np.mean(own_pred == labels)),
        "direct_accuracy": float(np.mean(direct == labels)),
        "read_ms_p50": float(np.percentile(seconds, 50) * 1000),
        "read_ms_p95": float(np.percentile(seconds, 95) * 1000),
        "per_class": per_class(labels, pred, patients),
        "own_per_class": per_class(labels, own_pred, patients),
        "per_style": {},
        "refusals": {},
    }
    result["gap_points"] = 100 * (result["own_accuracy"] - result["accuracy"])
    result["macro_f1"] = float(np.mean([v["f1"] for v in result["per_class"].values()]))
    result["own_macro_f1"] = float(np.mean([v["f1"] for v in result["own_per_class"].values()]))
    for style in picturedev.STYLES:
        m = styles == style
        if not m.any():
            continue
        acc = float(np.mean(pred[m] == labels[m]))
        own_acc = float(np.mean(own_pred[m] == labels[m]))
        result["per_style"][style] = {
            "pictures": int(m.sum()),
            "refused_share": float(refused[m].mean()),
            "accuracy": acc,
            "own_accuracy": own_acc,
            "gap_points": 100 * (own_acc - acc),
        }
    result["refusals"] = _refusal_counts(reasons)
    if spans:
        result["with_seconds"] = with_seconds(data, predictor, result, pred)
    return result


def format_result(r):
    lines = [
        f"{r['pictures']} pictures of {r['patients']} held-out patients",
        f"refused: {100 * r['refused_share']:.1f}% (own drawings: "
        f"{100 * r['own_refused_share']:.1f}%)",
        f"accuracy: {100 * r['accuracy']:.1f}% (accepted only {100 * r['accuracy_accepted']:.1f}%)"
        f" vs own drawings {100 * r['own_accuracy']:.1f}%: gap {r['gap_points']:.1f} points",
        f"model on the beats' windows drawn directly (no picture read): "
        f"{100 * r['direct_accuracy']:.1f}%",
        f"macro-F1: {r['macro_f1']:.3f} vs own drawings {r['own_macro_f1']:.3f}",
        f"read time per picture: p50 {r['read_ms_p50']:.1f} ms, p95 {r['read_ms_p95']:.1f} ms",
        "",
        f"{'style':<12} {'n':>4} {'refused':>8} {'acc':>6} {'own':>6} {'gap':>6}",
    ]
    for style, s in r["per_style"].items():
        lines.append(f"{style:<12} {s['pictures']:>4} {100 * s['refused_share']:>7.1f}% "
                     f"{100 * s['accuracy']:>5.1f}% {100 * s['own_accuracy']:>5.1f}% "
                     f"{s['gap_points']:>6.1f}")
    lines += ["", f"{'class':<5} {'F1':>6} {'prec':>6} {'recall':>6} {'own F1':>7} "
              f"{'patients':>8} {'beats':>6}"]
    for code, c in r["per_class"].items():
        own = r["own_per_class"][code]
        lines.append(f"{code:<5} {c['f1']:>6.3f} {c['precision']:>6.3f} {c['recall']:>6.3f} "
                     f"{own['f1']:>7.3f} {c['patients']:>8} {c['beats']:>6}")
    if r["refusals"]:
        lines += ["", "refusals:"] + [f"  {n:>4}  {k}" for k, n in
                                      sorted(r["refusals"].items(), key=lambda kv: -kv[1])]
    if "with_seconds" in r:
        lines += ["", format_with_seconds(r["with_seconds"])]
    return "\n".join(lines)


def format_with_seconds(w):
    lines = [
        f"with the true span shown given ({w['seconds_range'][0]:.2f}-"
        f"{w['seconds_range'][1]:.2f} s):",
        f"refused: {100 * w['refused_share']:.1f}%",
        f"accuracy: {100 * w['accuracy']:.1f}% (accepted only {100 * w['accuracy_accepted']:.1f}%)"
        f": {w['change_points']:+.1f} points on the same pictures without it ({w['gained']} "
        f"turned right, {w['lost']} turned wrong), gap to own drawings {w['gap_points']:.1f} "
        "points",
        f"macro-F1: {w['macro_f1']:.3f}",
        "",
        f"{'style':<12} {'n':>4} {'refused':>8} {'acc':>6} {'own':>6} {'gap':>6} {'change':>7} "
        f"{'+/-':>7}",
    ]
    for style, s in w["per_style"].items():
        lines.append(f"{style:<12} {s['pictures']:>4} {100 * s['refused_share']:>7.1f}% "
                     f"{100 * s['accuracy']:>5.1f}% {100 * s['own_accuracy']:>5.1f}% "
                     f"{s['gap_points']:>6.1f} {s['change_points']:>+7.1f} "
                     f"{'+' + str(s['gained']) + '/-' + str(s['lost']):>7}")
    if w["refusals"]:
        lines += ["", "refusals:"] + [f"  {n:>4}  {k}" for k, n in
                                      sorted(w["refusals"].items(), key=lambda kv: -kv[1])]
    return "\n".join(lines)


SPLIT = (
    "pictures of single beats from patients the model never saw (MIT-BIH DS2 records, vfdb "
    "test records 418/424/429/609, LUDB and PTB-XL patients with rule-decided beat labels), "
    "drawn by matplotlib and Pillow in nine styles: fixed vertical ranges that clip the QRS, "
    "values clamped to the box edge, thin grey lines, beats centred on long flat baselines, "
    "spans of 0.6-1.05 s with the R peak at 20-60%, axes with ticks, labels and grids, JPEG, "
    "transparent PNG; the beat alone, no rhythm context"
)


def write_card(model_dir, r, command):
    """Picture-mode figures into card.json and card.md, leaving their other parts as they are."""
    model_dir = Path(model_dir)
    card_path = model_dir / "card.json"
    card = json.loads(card_path.read_text())
    modes = card.setdefault("evaluations", {}).setdefault("cv", {}).setdefault("modes", {})
    modes["picture"] = {"macro_f1": r["macro_f1"], "split": SPLIT, "per_class": r["per_class"]}
    card["pictures"] = {
        "model_version": model_version(model_dir),
        "split": SPLIT,
        "command": command,
        "pictures": r["pictures"],
        "patients": r["patients"],
        "refused_share": r["refused_share"],
        "accuracy": r["accuracy"],
        "accuracy_accepted": r["accuracy_accepted"],
        "own_accuracy": r["own_accuracy"],
        "gap_points": r["gap_points"],
        "per_style": r["per_style"],
        "read_ms_p50": r["read_ms_p50"],
        "read_ms_p95": r["read_ms_p95"],
        "direct_accuracy": r["direct_accuracy"],
        "own_refused_share": r["own_refused_share"],
        "own_macro_f1": r["own_macro_f1"],
        "own_per_class": r["own_per_class"],
    }
    if "with_seconds" in r:
        card["pictures"]["with_seconds"] = r["with_seconds"]
    card_path.write_text(json.dumps(card, indent=2) + "\n")
    md_path = model_dir / "card.md"
    text = md_path.read_text() if md_path.exists() else ""
    if CARD_SECTION in text:
        head, _, tail = text.partition(CARD_SECTION)
        rest = tail.split("\n## ", 1)
        text = head.rstrip() + "\n\n" + _card_md(r, command) + (
            "\n## " + rest[1] if len(rest) > 1 else "")
    else:
        text = text.rstrip() + "\n\n" + _card_md(r, command)
    md_path.write_text(text)


def _card_md(r, command):
    rows = "\n".join(
        f"| {s} | {v['pictures']} | {100 * v['refused_share']:.1f}% | {100 * v['accuracy']:.1f}% "
        f"| {100 * v['own_accuracy']:.1f}% | {v['gap_points']:.1f} |"
        for s, v in r["per_style"].items()
    )
    classes = "\n".join(
        f"| {k} | {v['f1']:.3f} | {v['precision']:.3f} | {v['recall']:.3f} | {v['patients']} "
        f"| {v['beats']} |" for k, v in r["per_class"].items()
    )
    return f"""{CARD_SECTION}

Measured by `{command}` (after `python -m ml.reports.card`, which rewrites the card) on
{r['pictures']} {SPLIT}. The reader's thresholds were set on this development set, so these
figures are a development estimate, not a held-out test.

- Refused: {100 * r['refused_share']:.1f}% (our own drawings of the same beats:
  {100 * r['own_refused_share']:.1f}%).
- Accuracy: {100 * r['accuracy']:.1f}% (refused pictures count as wrong), against
  {100 * r['own_accuracy']:.1f}% on our own drawings of the same beats: a gap of
  {r['gap_points']:.1f} points (the model on its own ink of the beats' windows, no picture read:
  {100 * r['direct_accuracy']:.1f}%). Macro-F1 {r['macro_f1']:.3f} (own drawings
  {r['own_macro_f1']:.3f}).
- Reading a picture takes {r['read_ms_p50']:.1f} ms at the median, {r['read_ms_p95']:.1f} ms at
  the 95th percentile (each picture's best of three reads on a shared 2-core machine, before
  the model).

| style | pictures | refused | accuracy | own drawings | gap (points) |
|---|---|---|---|---|---|
{rows}

| class | F1 | precision | recall | patients | beats |
|---|---|---|---|---|---|
{classes}
""" + (_seconds_md(r["with_seconds"]) if "with_seconds" in r else "")


def _seconds_md(w):
    rows = "\n".join(
        f"| {s} | {v['pictures']} | {100 * v['refused_share']:.1f}% | {100 * v['accuracy']:.1f}% "
        f"| {v['change_points']:+.1f} (+{v['gained']}/-{v['lost']}) | {v['gap_points']:.1f} |"
        for s, v in w["per_style"].items()
    )
    return f"""
### With the time span shown given

The upload form's optional "seconds shown" (the time from the trace's left end to its right
end): the same pictures read with their true span ({w['seconds_range'][0]:.2f} to
{w['seconds_range'][1]:.2f} s), so the reader resamples the trace to the model's time scale and
cuts it around the R peak to the time ranges the model was trained on instead of guessing.

- Refused: {100 * w['refused_share']:.1f}%. Accuracy: {100 * w['accuracy']:.1f}%
  ({w['change_points']:+.1f} points against the same pictures without it: {w['gained']} pictures
  turned right, {w['lost']} turned wrong; gap to our own drawings {w['gap_points']:.1f} points).
  Macro-F1 {w['macro_f1']:.3f}.

| style | pictures | refused | accuracy | change (points; pictures +right/-wrong) | gap (points) |
|---|---|---|---|---|---|
{rows}
"""


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(DEFAULT_DATA))
    parser.add_argument("--model", default=str(DEFAULT_MODEL_DIR))
    parser.add_argument("--json", default=None)
    parser.add_argument("--card", action="store_true")
    parser.add_argument("--seconds", action="store_true",
                        help="also read each picture with the true time span it shows")
    args = parser.parse_args(argv)
    data_path = Path(args.data)
    if not data_path.exists():
        print(f"building the development set into {data_path.parent}", file=sys.stderr)
        picturedev.save(picturedev.build(), data_path.parent)
    data = picturedev.load(data_path)
    result = evaluate(data, Predictor(args.model), spans=args.seconds)
    print(format_result(result))
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(result, indent=2))
    if args.card:
        write_card(args.model, result, "python -m ml.reports.picturedev && "
                   "python -m ml.reports.picture_eval" + (" --seconds" if args.seconds else "")
                   + " --card")


if __name__ == "__main__":
    main()
