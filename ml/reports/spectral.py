"""Spectral input (STFT, ``ml.spectral``) against the time-domain beat for the recordings model,
on patients the models never saw: ``ml/models/leads/spectral.json`` and the card's section
"Spectral input (STFT) compared".

Both inputs are trained by the same recipe (``ml.training.leadnet``, 1,500 steps, the same
seed and batches; ``--input time`` / ``--input spectral``) on CV folds, here 0 and 1, and
each model is scored on its own held-out fold (``ml.reports.cv``: the input its meta.json
names, unseen patients only), in both modes: "several leads" (as the Predictor reads a
record) and "one lead" (lead II alone). Per class F1 / precision / recall with beats and
patients, per fold and pooled over the folds, and pooled per database.

The decision rule was written before any spectral result was seen (``RULE``): the spectral
input is kept only if its pooled macro-F1 is higher than the time-domain input's in both
modes. A kept spectral input is a recommendation: the shipped model is retrained only by a
person who decides to.

    python -m ml.training.leadnet --split cv0 --steps 1500 --input time --out runs/spectral/time-cv0
    ... (time and spectral, cv0 and cv1)
    python -m ml.reports.spectral --runs runs/spectral --folds 0 1
"""
import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

from ml import spectral
from ml.predictor import DEFAULT_LEADS_DIR
from ml.training import leadnet, sources

from . import cv, leadcard

RULE = ("The spectral input is kept only if its macro-F1, pooled over the CV folds compared, "
        "is higher than the time-domain input's in both modes (several leads and one lead); "
        "otherwise the model keeps reading the time-domain beat. Rule written before the "
        "spectral models were scored.")


def run_dir(runs, kind, fold):
    return Path(runs) / f"{kind}-cv{fold}"


def _run_facts(run):
    meta = json.loads((Path(run) / "meta.json").read_text())
    facts = {k: meta.get(k) for k in ("arch", "split", "steps", "batch", "seed", "beat_table")}
    return {**facts, "input_kind": spectral.input_kind(meta)}


def compare(beats, runs, fold_numbers=(0, 1)):
    """Scores of the time and spectral models of ``runs/<kind>-cv<k>`` on their held-out
    folds: per fold and pooled, both modes."""
    scores = {"pooled": {}, "by_fold": {str(k): {} for k in fold_numbers}, "runs": {}}
    for kind in spectral.INPUT_KINDS:
        parts = []
        for k in fold_numbers:
            run = run_dir(runs, kind, k)
            facts = _run_facts(run)
            if facts["input_kind"] != kind or facts["split"] != f"cv{k}":
                raise ValueError(f"{run} holds a {facts['input_kind']} model of "
                                 f"{facts['split']}, not {kind} cv{k}")
            _train, test = leadnet.split_keys(f"cv{k}", beats)
            p = cv.predictions(run, beats, test, cv.MODES)
            parts.append(p)
            scores["by_fold"][str(k)][kind] = cv.score(
                beats, p["index"], {m: p[m] for m in cv.MODES}, cv.SPLIT_WORDS["cv"])
            scores["runs"].setdefault(kind, facts)
        idx = np.concatenate([p["index"] for p in parts])
        probs = {m: np.concatenate([p[m] for p in parts]) for m in cv.MODES}
        scores["pooled"][kind] = cv.score(beats, idx, probs, cv.SPLIT_WORDS["cv"])
        for db in sources.DATABASES:
            if not np.any(beats.labels[idx][beats.database[idx] == db] >= 0):
                continue  # no scored beat of that database in these folds
            scores.setdefault("by_database", {}).setdefault(db, {})[kind] = cv.score(
                beats, idx, probs, cv.SPLIT_WORDS["cv"], [db])
    return scores


def decide(pooled):
    """The rule (``RULE``) applied to pooled scores {kind: {mode: {"macro_f1"...}}}."""
    figures = {m: {kind: pooled[kind][m]["macro_f1"] for kind in spectral.INPUT_KINDS}
               for m in cv.MODES}
    kept = all(f[spectral.SPECTRAL] > f[spectral.TIME] for f in figures.values())
    return {"kept": kept, "macro_f1": figures,
            "input": spectral.SPECTRAL if kept else spectral.TIME}


def document(scores, fold_numbers):
    return {
        "rule": RULE,
        "folds": list(fold_numbers),
        "spectral_input": {"frame": spectral.FRAME, "hop": spectral.HOP, "nfft": spectral.NFFT,
                           "max_hz": spectral.MAX_HZ, "window": "hann",
                           "shape": [spectral.FRAMES, spectral.BINS, 24],
                           "values": "log(1 + |STFT|) of the normalised beat input"},
        **scores,
        "decision": decide(scores["pooled"]),
    }


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", default=str(sources.REPO_ROOT / "runs" / "spectral"),
                   help="holds time-cv<k> and spectral-cv<k> (ml.training.leadnet --out)")
    p.add_argument("--folds", type=int, nargs="+", default=[0, 1])
    p.add_argument("--model", default=str(DEFAULT_LEADS_DIR),
                   help="where spectral.json is written and card.md rewritten")
    p.add_argument("--cache", default=None)
    args = p.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    t0 = time.perf_counter()
    beats = leadnet.load_beats(args.cache)
    doc = document(compare(beats, args.runs, args.folds), args.folds)
    for kind in spectral.INPUT_KINDS:
        print(cv.format_modes({"modes": doc["pooled"][kind]},
                              f"{kind} input, folds {args.folds} pooled"))
    d = doc["decision"]
    print(f"decision: {'spectral input kept' if d['kept'] else 'time-domain input kept'} "
          f"({json.dumps(d['macro_f1'])})")
    Path(args.model, leadcard.SPECTRAL_JSON).write_text(json.dumps(doc, indent=1) + "\n")
    leadcard.write_markdown(args.model)
    print(f"wrote {Path(args.model, leadcard.SPECTRAL_JSON)} and card.md in "
          f"{time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
