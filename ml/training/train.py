"""Train a beat classifier:
``python -m ml.training.train --split inter --out runs/inter-beatnet``.

Each epoch draws a class-balanced sample of training beats (rare classes are drawn with
replacement; every draw is drawn in a fresh style, so repeats are never identical) and renders
them: half as the signal path renders them (fixed geometry, R position jittered by up to 11
ms), half in random styles of other software brought back through the upload path (see
ml/training/augment.py). The rhythm features are hidden for most styled drawings and some
canonical ones, so the model also learns to judge a lone beat image, which has no rhythm context.

Checkpoints: ``best.keras`` (best validation score so far) and ``last.keras`` after every epoch;
training stops early when the validation score has not improved for ``--patience`` epochs.
The validation score is the mean of the macro-F1 with rhythm context and the macro-F1 of
image-only styled drawings, on 10% of the training beats held out (never the test set). The
same score then chooses the decision weights that undo the balanced draws (ml/training/decision.py),
stored in meta.json.
Everything is seeded; the same command gives the same model on the same machine: bit-identical
weights, hence the same version (tests/ml/test_train.py runs the command twice). On a CPU with
another instruction set TensorFlow rounds differently and the weights diverge; the figures then
agree within about a point (ml/EXPERIMENTS.md, "Reproducing the default model").
"""
import argparse
import json
import os
import shutil
import time
from multiprocessing import get_context
from pathlib import Path

import numpy as np
from tqdm import tqdm

from .. import segment
from ..registry import CLASS_CODES, CLASS_INDEX, EPISODE_CLASS, NOT_VF
from . import augment, datasets, decision, metrics
from .validation import VALIDATION_SEED_OFFSET, predict, validation_views

STYLED_SHARE = 0.5
HIDE_CONTEXT_CANONICAL = 0.25


def balanced_indices(labels, per_class, rng):
    """``per_class`` draws of every class present (with replacement when it has fewer
    beats), and as many "not VF" beats (NOT_VF) when there are any."""
    idx = []
    for c in (*range(len(CLASS_CODES)), NOT_VF):
        members = np.flatnonzero(labels == c)
        if len(members) == 0:
            continue
        replace = len(members) < per_class
        idx.append(rng.choice(members, per_class, replace=replace))
    idx = np.concatenate(idx)
    rng.shuffle(idx)
    return idx


def targets(labels):
    """Label sets as 0/1 rows: one class for a labelled beat, every class but the episode class
    (ventricular fibrillation) for NOT_VF."""
    out = np.zeros((len(labels), len(CLASS_CODES)), np.float32)
    known = labels >= 0
    out[np.flatnonzero(known), labels[known]] = 1.0
    out[~known] = 1.0
    out[~known, CLASS_INDEX[EPISODE_CLASS]] = 0.0
    return out


def set_loss(y_true, y_pred):
    """-log of the probability given to the beat's label set: cross-entropy for a labelled
    beat, -log(1 - p(VF)) for a beat known only not to be VF."""
    import keras

    p = keras.ops.sum(y_true * y_pred, axis=-1)
    return -keras.ops.log(keras.ops.clip(p, 1e-7, 1.0))


def _styled_chunk(args):
    wide, seed = args
    return augment.styled_batch(wide, np.random.default_rng(seed))


def render_epoch(beats, idx, rng, pool=None, styled_share=STYLED_SHARE, perturb=True,
                 beat_dropout=0.0):
    """(ink, template ink, rhythm, labels) for the beats at ``idx``.

    Part are drawn in other programs' styles (never with context: an uploaded image has none),
    the rest as the signal path draws them, with their context (rhythm features and the local
    template beat) hidden now and then so the model also learns to judge a beat without it.
    """
    n = len(idx)
    wide, template = beats.wide[idx], beats.template[idx]
    if perturb:
        wide, template = augment.perturb(wide, template, rng)
    styled = rng.random(n) < styled_share
    ink = np.empty((n, augment.render.HEIGHT, augment.render.WIDTH), np.float32)
    canon = np.flatnonzero(~styled)
    ink[canon] = augment.canonical_batch(wide[canon], rng)
    sty = np.flatnonzero(styled)
    if len(sty):
        chunks = np.array_split(sty, max(1, len(sty) // 500))
        seeds = rng.integers(0, 2**63, len(chunks))
        jobs = [(wide[c], int(s)) for c, s in zip(chunks, seeds, strict=True)]
        mapper = pool.imap if pool else map
        drawn = tqdm(mapper(_styled_chunk, jobs), total=len(jobs), desc="draw", leave=False)
        for c, out in zip(chunks, drawn, strict=True):
            ink[c] = out
    tmpl_windows = augment.canonical_from_wide(template)
    tmpl = augment.render.render_ink(tmpl_windows)
    rhythm = segment.context_features(
        beats.rhythm[idx], augment.canonical_from_wide(wide), tmpl_windows,
        augment.render.R_INDEX, augment.render.FS,
    )
    hide = np.where(styled, True, rng.random(n) < HIDE_CONTEXT_CANONICAL)
    rhythm[hide] = segment.no_rhythm(int(hide.sum()))
    tmpl[hide] = 0.0
    # Now and then the beat's own drawing is withheld while its context stays: the model must
    # then judge from how the beat relates to the patient's usual beat and rhythm, which
    # carries over to new patients better than the shapes of the training patients' beats.
    drop = ~hide & (rng.random(n) < beat_dropout)
    ink[drop] = 0.0
    return ink, tmpl, rhythm, beats.labels[idx]


def train(args):
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    # Worker processes for drawing are forked before TensorFlow starts its threads.
    pool = get_context("fork").Pool(args.workers) if args.workers > 1 else None
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras

    from ..inputs import compiled_call, model_inputs
    from ..model import build

    keras.utils.set_random_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    started = time.time()
    bar = tqdm(desc="records", unit="rec", leave=False)
    train_set, val_set, _ = datasets.split(
        args.split, args.data_dir, progress=lambda name: bar.update()
    )
    bar.close()
    if args.limit:
        train_set = train_set.take(balanced_indices(train_set.labels, args.limit, rng))
        val_set = val_set.take(balanced_indices(val_set.labels, max(20, args.limit // 5), rng))
    print(f"train beats {train_set.counts()}\nvalidation beats {val_set.counts()}", flush=True)
    canon_view, styled_view = validation_views(val_set, args.seed + VALIDATION_SEED_OFFSET)
    n_context = segment.N_CONTEXT if args.similarity else segment.N_RHYTHM
    options = (
        {"channels": args.channels, "dropout": args.dropout, "n_rhythm": n_context}
        if args.arch == "beatnet" else {}
    )
    model = build(args.arch, **options)
    groups = len(np.unique(train_set.labels))  # the classes, and "not VF" when present
    steps = args.epochs * int(np.ceil(args.per_class * groups / args.batch))
    schedule = keras.optimizers.schedules.CosineDecay(args.lr, decay_steps=max(1, steps))
    optimizer = keras.optimizers.Adam(schedule if args.arch == "beatnet" else args.lr)
    # The training step is not XLA-compiled: on two CPU cores that made it no faster
    # (ml/EXPERIMENTS.md, "Training time"). The validation scoring is: 7 s instead of 10 s.
    model.compile(optimizer=optimizer, loss=set_loss)
    call = compiled_call(model)

    history, best, best_epoch = [], -1.0, -1
    for epoch in range(args.epochs):
        t0 = time.time()
        idx = balanced_indices(train_set.labels, args.per_class, rng)
        ink, tmpl, rhythm, labels = render_epoch(
            train_set, idx, rng, pool, args.styled_share, args.perturb, args.beat_dropout
        )
        fit = model.fit(
            model_inputs(args.arch, ink, rhythm, tmpl, args.channels, n_context),
            targets(labels),
            batch_size=args.batch,
            epochs=epoch + 1,
            initial_epoch=epoch,
            verbose=1 if args.verbose else 2,
        )
        canon = metrics.report(
            val_set.labels,
            predict(model, args.arch, *canon_view, args.channels, n_context, call=call).argmax(1),
        )
        styled = metrics.report(
            val_set.labels,
            predict(model, args.arch, *styled_view, args.channels, n_context, call=call).argmax(1),
        )
        score = (canon["macro_f1"] + styled["macro_f1"]) / 2
        row = {
            "epoch": epoch + 1,
            "loss": float(fit.history["loss"][-1]),
            "val_macro_f1": canon["macro_f1"],
            "val_macro_f1_styled_image_only": styled["macro_f1"],
            "score": score,
            "seconds": round(time.time() - t0, 1),
        }
        history.append(row)
        print(json.dumps(row), flush=True)
        model.save(out / "last.keras")
        if score > best:
            best, best_epoch = score, epoch + 1
            shutil.copyfile(out / "last.keras", out / "best.keras")
        elif epoch + 1 - best_epoch >= args.patience:
            print(f"early stop: no improvement for {args.patience} epochs", flush=True)
            break
    if pool:
        pool.close()
    shutil.copyfile(out / "best.keras", out / "model.keras")
    decision_record = decision.choose_for(
        keras.saving.load_model(out / "model.keras", compile=False), args.arch, val_set.labels,
        (canon_view, styled_view), train_set.counts(), args.channels, n_context,
    )
    meta = {
        "arch": args.arch,
        "channels": args.channels if args.arch == "beatnet" else 3,
        "n_context": n_context,
        "split": args.split,
        "styled_share": args.styled_share,
        "perturb": args.perturb,
        "beat_dropout": args.beat_dropout,
        "dropout": args.dropout,
        "classes": list(CLASS_CODES),
        "seed": args.seed,
        "epochs_run": len(history),
        "best_epoch": best_epoch,
        "best_score": best,
        "per_class_per_epoch": args.per_class,
        "batch": args.batch,
        "learning_rate": args.lr,
        "train_counts": train_set.counts(),
        "validation_counts": val_set.counts(),
        "seconds": round(time.time() - started, 1),
        "limit": args.limit,
        "history": history,
        "decision": decision_record,
    }
    (out / "meta.json").write_text(json.dumps(meta, indent=2))
    print(f"saved {out / 'model.keras'} (best epoch {best_epoch}, score {best:.4f}) "
          f"in {meta['seconds']:.0f} s", flush=True)
    return meta


def parser():
    p = argparse.ArgumentParser(prog="python -m ml.training.train",
                                description=__doc__.split("\n")[0])
    p.add_argument("--split", choices=datasets.SPLITS + datasets.DEV_SPLITS, default="inter")
    p.add_argument("--arch", choices=("beatnet", "prototype"), default="beatnet")
    p.add_argument("--out", required=True, help="output folder (model.keras, meta.json)")
    p.add_argument("--data-dir", default=None, help="folder with mitdb/ and vfdb/ (ECG_DATA_DIR)")
    p.add_argument("--epochs", type=int, default=None,
                   help="default: beatnet 14, prototype 10 (its own schedule)")
    p.add_argument("--per-class", type=int, default=5000, help="beats per class per epoch")
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--patience", type=int, default=6)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--channels", type=int, choices=(1, 2), default=2,
                   help="beatnet: 2 = beat + local template beat, 1 = beat only")
    p.add_argument("--styled-share", type=float, default=STYLED_SHARE)
    p.add_argument("--no-similarity", dest="similarity", action="store_false",
                   help="context without the beat-vs-template similarity features")
    p.add_argument("--no-perturb", dest="perturb", action="store_false",
                   help="no signal-level augmentation")
    p.add_argument("--dropout", type=float, default=0.3)
    p.add_argument("--beat-dropout", type=float, default=0.0,
                   help="share of beats with context whose own drawing is withheld")
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    p.add_argument("--limit", type=int, default=0,
                   help="tiny runs: this many beats per class")
    p.add_argument("--verbose", action="store_true", help="per-batch progress bar")
    return p


def main(argv=None):
    args = parser().parse_args(argv)
    if args.epochs is None:
        # beatnet's cosine learning-rate schedule spans the whole run, so its epoch count is the
        # time budget: 14 epochs of 5000 beats per group take about 50 minutes on 2 CPU cores.
        # The prototype keeps its own schedule: Adam, 10 epochs.
        args.epochs = 10 if args.arch == "prototype" else 14
    train(args)


if __name__ == "__main__":
    main()
