"""Experimental probe (not the product's training): does a small 1-D CNN over the 12 lead slots
hold on patients it never saw, with lead II alone and with every lead?

Data: the beat table (``beattable``), patient-grouped folds (``folds.json``); train on four
folds, test on the fifth. Unscored beats are never used. Input per beat: the model window
(0.28 s before to 0.42 s after the R peak, 252 samples at 360 Hz) of the 12 lead slots, the
patient's local dominant beat in the same slots (the median of the 64 surrounding beats, or of
the whole 10-s record; ``ml.segment.local_templates``), the presence mask, and the six rhythm
features. Missing leads are zeros with mask 0. Beat and template are scaled by the template's
largest absolute value, so a beat larger than its template stays larger.

Training streams class-balanced batches (a ``keras.utils.PyDataset``; never a whole epoch in
memory): every batch draws the same number of beats of each class and of "not VF" vfdb beats
(their loss is -log(1 - p(VF))); inside a class, a beat's chance is proportional to one over
the square root of its patient's beats of that class, so mitdb's few patients with thousands
of beats do not drown the 12-lead patients with ten. Lead dropout: 40% of training beats keep
lead II only, the rest keep each present lead with probability 0.7 (at least one), so lead II
alone works. Augmentation: R position jitter up to 14 ms, amplitude x0.8-1.25, noise. Training
stops after ``--minutes``; the learning rate drops to a third for the last 30%.

Evaluation on the test fold, in two modes (lead II alone; every present lead): per class
precision, recall, F1, beats and patients, by argmax of the raw (balanced-prior) probabilities
and after Bayes' correction to the training prior (p x prior); VF alarms on "not VF" beats;
then the same over the test folds pooled (each beat scored by its own fold's model).

    python -m ml.training.probe --folds 0 1 --minutes 10 --out runs/probe
    python -m ml.training.probe --folds 0 1 --out runs/probe --evaluate-only   # re-score
"""
import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

from ml.model import leadnet as leadnet_model
from ml.registry import CLASS_CODES, CLASS_INDEX, NOT_VF
from ml.segment import N_RHYTHM, local_templates

from . import beattable, sources
from .beatlabels import UNSCORED
from .leadnet import set_loss  # noqa: F401 (the probe trains with the recordings model's loss)

N_LEADS = sources.N_LEADS
II = sources.II
VF = CLASS_INDEX["VF"]
SHIFT = 5  # samples of R jitter (14 ms)
SEED = 20260115


class Beats:
    """Model windows and local templates of every labelled beat, per record, float16."""

    def __init__(self, table):
        keep = table.labels != UNSCORED
        self.labels = table.labels[keep].astype(np.int64)
        self.patient = table.patient[keep]
        self.database = table.database[keep]
        self.fold = table.fold[keep]
        self.rhythm = table.rhythm[keep]
        self.present = table.present[keep]
        self.record = table.record[keep]
        self.beat = table.beat[keep]
        self.slots, self.windows, self.templates = [], [], []
        for t in table.tables:
            wide = t["windows"].astype(np.float32)
            n, leads, width = wide.shape if len(wide) else (0, len(t["slots"]), beattable.WIDE)
            tmpl = local_templates(wide.reshape(n, leads * width)).reshape(n, leads, width) \
                if n else wide
            lo = beattable.WIDE_BEFORE - beattable.MODEL_BEFORE - SHIFT
            hi = lo + beattable.MODEL_WINDOW + 2 * SHIFT
            self.windows.append(wide[:, :, lo:hi].astype(np.float16))
            self.templates.append(beattable.model_window(tmpl).astype(np.float16))
            self.slots.append(t["slots"])

    def __len__(self):
        return len(self.labels)

    def inputs(self, idx, masks, shifts=None):
        """Model inputs of beats ``idx`` with lead masks (len(idx), 12)."""
        n = len(idx)
        x = np.zeros((n, beattable.MODEL_WINDOW, 2 * N_LEADS), np.float32)
        shifts = np.zeros(n, np.int64) if shifts is None else shifts
        for j, i in enumerate(idx):
            r, b = self.record[i], self.beat[i]
            slots = self.slots[r]
            s = SHIFT + shifts[j]
            x[j, :, slots] = self.windows[r][b, :, s:s + beattable.MODEL_WINDOW]
            x[j, :, N_LEADS + slots] = self.templates[r][b]
        x[:, :, :N_LEADS] *= masks[:, None, :]
        x[:, :, N_LEADS:] *= masks[:, None, :]
        # Scale by the template (the patient's usual beat), so relative size is kept.
        x -= np.median(x, axis=1, keepdims=True)
        scale = np.abs(x[:, :, N_LEADS:]).max(axis=(1, 2))
        beat_scale = np.abs(x[:, :, :N_LEADS]).max(axis=(1, 2))
        scale = np.where(scale > 1e-3, scale, np.maximum(beat_scale, 1e-3))
        x = np.clip(x / scale[:, None, None], -5, 5)
        return {"beat": x, "mask": masks.astype(np.float32),
                "rhythm": self.rhythm[idx].astype(np.float32)}


def build_model(dropout=0.3):
    """The probe's network is the recordings model's (ml.model.leadnet) on the probe's beat
    table geometry."""
    return leadnet_model(window=beattable.MODEL_WINDOW, n_slots=N_LEADS, n_rhythm=N_RHYTHM,
                         dropout=dropout)


def draw_weights(beats, idx):
    """Within each class, a beat's draw weight: 1 / sqrt(its patient's beats of the class)."""
    groups = {}
    for i in idx:
        groups.setdefault((beats.labels[i], beats.patient[i]), []).append(i)
    w = {}
    for members in groups.values():
        for i in members:
            w[i] = 1.0 / np.sqrt(len(members))
    return w


def random_masks(present, rng):
    masks = present.astype(np.float32).copy()
    only_ii = rng.random(len(masks)) < 0.4
    keep = rng.random(masks.shape) < 0.7
    masks = np.where(only_ii[:, None], 0.0, masks * keep)
    masks[only_ii, II] = present[only_ii, II]
    empty = masks.sum(axis=1) == 0
    masks[empty] = present[empty]  # nothing kept: keep every present lead
    return masks


def make_dataset(beats, train_idx, batch, steps, seed):
    import keras

    codes = (*range(len(CLASS_CODES)), NOT_VF)
    weights = draw_weights(beats, train_idx)
    pools = {}
    for c in codes:
        members = train_idx[beats.labels[train_idx] == c]
        if len(members):
            p = np.array([weights[i] for i in members])
            pools[c] = (members, p / p.sum())
    per = batch // len(pools)

    class Balanced(keras.utils.PyDataset):
        def __init__(self):
            super().__init__(workers=1, use_multiprocessing=False)
            self.epoch = 0

        def __len__(self):
            return steps

        def on_epoch_end(self):
            self.epoch += 1

        def __getitem__(self, i):
            rng = np.random.default_rng([seed, self.epoch, i])
            idx = np.concatenate([rng.choice(m, per, p=p) for m, p in pools.values()])
            rng.shuffle(idx)
            masks = random_masks(beats.present[idx], rng)
            shifts = rng.integers(-SHIFT, SHIFT + 1, len(idx))
            inputs = beats.inputs(idx, masks, shifts)
            x = inputs["beat"]
            x *= rng.uniform(0.8, 1.25, (len(idx), 1, 1)).astype(np.float32)
            x += rng.normal(0, 0.02, x.shape).astype(np.float32) * (x != 0)
            return inputs, beats.labels[idx]

    return Balanced(), {c: len(m) for c, (m, _) in pools.items()}


def predict(model, beats, idx, masks, chunk=2048):
    out = []
    for s in range(0, len(idx), chunk):
        inputs = beats.inputs(idx[s:s + chunk], masks[s:s + chunk])
        out.append(model.predict_on_batch(inputs))
    return np.concatenate(out) if out else np.zeros((0, len(CLASS_CODES)))


def scores(true, pred, patients):
    rows = {}
    for c, code in enumerate(CLASS_CODES):
        tp = int(np.sum((pred == c) & (true == c)))
        fp = int(np.sum((pred == c) & (true != c)))
        n = int(np.sum(true == c))
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / n if n else float("nan")
        f1 = 2 * prec * rec / (prec + rec) if n and prec + rec else (0.0 if n else float("nan"))
        rows[code] = {"precision": prec, "recall": rec, "f1": f1, "beats": n,
                      "patients": len(set(patients[true == c]))}
    f1s = [r["f1"] for r in rows.values() if r["beats"]]
    return {"classes": rows, "macro_f1": float(np.mean(f1s)) if f1s else float("nan"),
            "accuracy": float(np.mean(pred == true)) if len(true) else float("nan")}


def mode_masks(beats, idx, mode):
    """Lead masks of beats ``idx``: lead II alone, or every present lead."""
    m = beats.present[idx].astype(np.float32)
    if mode == "lead II":
        m = np.zeros_like(m)
        m[:, II] = 1.0
    return m


MODES = ("lead II", "all leads")


def predictions(model, beats, test_idx):
    """Per-beat probabilities of the test beats (labelled and "not VF") in both modes."""
    idx = test_idx[beats.labels[test_idx] != UNSCORED]
    out = {"index": idx, "labels": beats.labels[idx], "patient": beats.patient[idx],
           "database": beats.database[idx]}
    for mode in MODES:
        out[mode] = predict(model, beats, idx, mode_masks(beats, idx, mode))
    return out


def evaluate(pred, prior):
    """Scores of predictions (``predictions``, possibly of several folds concatenated)."""
    labels, patient, database = pred["labels"], pred["patient"], pred["database"]
    known = labels >= 0
    out = {}
    for mode in MODES:
        p = pred[mode]
        true = labels[known]
        res = {"raw": scores(true, p[known].argmax(1), patient[known]),
               "prior": scores(true, (p[known] * prior).argmax(1), patient[known])}
        for name, dbs in (("mitdb", ("mitdb",)), ("12-lead records", ("ludb", "ptbxl"))):
            sel = known & np.isin(database, dbs)
            if np.any(sel):
                res[f"{name}, raw"] = scores(labels[sel], p[sel].argmax(1), patient[sel])
        neg = labels == NOT_VF
        if np.any(neg):
            res["not VF called VF"] = {"raw": float(np.mean(p[neg].argmax(1) == VF)),
                                       "prior": float(np.mean((p[neg] * prior).argmax(1) == VF)),
                                       "beats": int(neg.sum())}
        out[mode] = res
    return out


def save_predictions(path, pred, prior):
    np.savez(path, prior=prior, **{k.replace(" ", "_"): v for k, v in pred.items()})


def load_predictions(paths):
    parts = [np.load(p) for p in paths]
    pred = {k: np.concatenate([f[k.replace(" ", "_")] for f in parts])
            for k in ("index", "labels", "patient", "database", *MODES)}
    # Each fold's model has its own training prior; scoring the pooled beats with the mean
    # prior is close (the folds' priors differ by a few points at most).
    return pred, np.mean([f["prior"] for f in parts], axis=0)


def run_fold(beats, fold, minutes, batch, out, seed=SEED):
    import keras

    keras.utils.set_random_seed(seed + fold)
    train_idx = np.flatnonzero((beats.fold != fold) & (beats.fold >= 0))
    test_idx = np.flatnonzero(beats.fold == fold)
    steps = 100
    data, pool_sizes = make_dataset(beats, train_idx, batch, steps, seed + fold)
    model = build_model()
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=set_loss)
    start = time.perf_counter()
    budget = minutes * 60

    class Clock(keras.callbacks.Callback):
        def on_train_batch_end(self, batch_i, logs=None):
            elapsed = time.perf_counter() - start
            if elapsed > 0.7 * budget and float(self.model.optimizer.learning_rate) > 4e-4:
                self.model.optimizer.learning_rate.assign(1e-3 / 3)
            if elapsed > budget:
                self.model.stop_training = True

    history = model.fit(data, epochs=10_000, callbacks=[Clock()], verbose=2)
    train_s = time.perf_counter() - start
    labels = beats.labels[train_idx]
    counts = np.array([np.sum(labels == c) for c in range(len(CLASS_CODES))], np.float64)
    prior = counts / counts.sum()
    t0 = time.perf_counter()
    pred = predictions(model, beats, test_idx)
    result = evaluate(pred, prior)
    result.update({
        "fold": fold, "train_seconds": round(train_s, 1),
        "eval_seconds": round(time.perf_counter() - t0, 1),
        "epochs": len(history.history["loss"]), "steps_per_epoch": steps, "batch": batch,
        "final_loss": float(history.history["loss"][-1]),
        "train_beats": {CLASS_CODES[c] if c >= 0 else "not VF": int(k)
                        for c, k in pool_sizes.items()},
        "train_patients": len(set(beats.patient[train_idx])),
        "test_patients": len(set(beats.patient[test_idx])),
        "parameters": int(model.count_params()),
    })
    out.mkdir(parents=True, exist_ok=True)
    (out / f"fold{fold}.json").write_text(json.dumps(result, indent=1))
    save_predictions(out / f"fold{fold}-predictions.npz", pred, prior)
    model.save(out / f"fold{fold}.keras")
    return result


def repredict(beats, fold, out):
    """Predictions of a saved fold model (``--evaluate-only``), written beside it."""
    import keras

    model = keras.models.load_model(out / f"fold{fold}.keras", compile=False)
    train = beats.labels[(beats.fold != fold) & (beats.fold >= 0) & (beats.labels >= 0)]
    counts = np.array([np.sum(train == c) for c in range(len(CLASS_CODES))], np.float64)
    prior = counts / counts.sum()
    pred = predictions(model, beats, np.flatnonzero(beats.fold == fold))
    save_predictions(out / f"fold{fold}-predictions.npz", pred, prior)


def format_scores(r, title):
    lines = [title]
    for mode in MODES:
        for kind in ("raw", "prior", "mitdb, raw", "12-lead records, raw"):
            if kind not in r[mode]:
                continue
            s = r[mode][kind]
            cells = " ".join(
                f"{c} {v['f1']:.3f} ({v['beats']}/{v['patients']})"
                for c, v in s["classes"].items() if v["beats"])
            lines.append(f"  {mode:9} {kind:21} macro-F1 {s['macro_f1']:.3f} acc "
                         f"{s['accuracy']:.3f} | F1 (beats/patients): {cells}")
        if "not VF called VF" in r[mode]:
            v = r[mode]["not VF called VF"]
            lines.append(f"  {mode:9} not-VF beats called VF: raw {v['raw']:.2%}, "
                         f"prior {v['prior']:.2%} of {v['beats']}")
    return "\n".join(lines)


def format_result(r):
    return format_scores(
        r, f"fold {r['fold']}: trained {r['train_seconds']:.0f} s ({r['epochs']} x "
           f"{r['steps_per_epoch']} steps of {r['batch']}), {r['train_patients']} training "
           f"patients, {r['test_patients']} test patients")


def pooled(out, folds):
    """Scores over the test beats of ``folds`` together, each scored by its own fold's model."""
    pred, prior = load_predictions([out / f"fold{f}-predictions.npz" for f in folds])
    return format_scores(evaluate(pred, prior),
                         f"folds {' '.join(map(str, folds))} pooled "
                         f"({len(set(pred['patient']))} test patients)")


def main(argv=None):
    p = argparse.ArgumentParser(description="1-D multi-lead CNN probe on patient-grouped folds")
    p.add_argument("--folds", type=int, nargs="+", default=[0, 1])
    p.add_argument("--minutes", type=float, default=10.0, help="training time per fold")
    p.add_argument("--batch", type=int, default=196)
    p.add_argument("--out", default=str(sources.REPO_ROOT / "runs" / "probe"))
    p.add_argument("--cache", default=None)
    p.add_argument("--evaluate-only", action="store_true",
                   help="re-predict with the saved fold models instead of training")
    args = p.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    out = Path(args.out)
    t0 = time.perf_counter()
    table = beattable.load(cache=args.cache, jobs=2)
    beats = Beats(table)
    del table
    print(f"{len(beats):,} labelled beats ready in {time.perf_counter() - t0:.0f} s", flush=True)
    for fold in args.folds:
        if args.evaluate_only:
            repredict(beats, fold, out)
        else:
            print(format_result(run_fold(beats, fold, args.minutes, args.batch, out)),
                  flush=True)
    print(pooled(out, args.folds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
