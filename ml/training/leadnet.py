"""Training of the recordings model, leadnet (``ml.model.leadnet``), on the beat table.

Data: every labelled beat of the four databases (``beattable``; unscored beats never used),
as ``ml.beatinput`` builds it: the beat window of the 12 lead slots, the patient's local
dominant beat in the same slots, the presence mask and the rhythm features.

- Splits (``--split``): ``all`` (every patient: the shipped model), ``cv0``..``cv4`` (train on
  four folds of ``folds.json``), ``unseen-ptbxl``, ``unseen-ludb``, ``ds1-ds2``
  (``folds.split``). The model's meta.json lists the records and patients it was trained on,
  so evaluation can refuse to score it on them (``ml.reports.cv``).
- Streamed class-balanced batches (never a whole epoch in memory): each batch draws the same
  number of beats of each class and of vfdb "not VF" beats (loss -log(1 - p(VF))); inside a
  class a beat's chance is one over the square root of its patient's beats of that class, so
  mitdb's few patients with thousands of beats do not drown the 12-lead patients with ten.
- Lead dropout, so one network reads one lead or twelve: of the training beats, 30% keep lead
  II alone, 15% one other present lead alone, the rest each present lead with probability 0.7
  (at least one). Augmentation: R jitter up to 14 ms, amplitude x0.8-1.25, a little noise.
- A fixed number of steps (Adam 1e-3, a third of that for the last 30%); batch ``k`` is drawn
  from a generator seeded by (seed, k), so a run is deterministic and resumes exactly: a
  checkpoint (model with optimizer state, and the step) is written every ``--every`` steps.
- Input (``--input``): ``time`` (default, the shipped model: the beat windows themselves) or
  ``spectral`` (``ml.spectral``: their STFT, read by ``ml.model.leadnet_spectral``), computed
  after augmentation from the same batches. meta.json records it (``input_kind``), and
  evaluation and the Predictor build the input it names.

    python -m ml.training.leadnet --split cv0 --steps 700 --out runs/leadnet/cv0
    python -m ml.training.leadnet --split all --steps 700 --out runs/leadnet/all
    python -m ml.training.leadnet --split cv0 --input spectral  # runs/leadnet-spectral/cv0
"""
import argparse
import functools
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

from ml import beatinput, spectral
from ml.leads import II, N_SLOTS
from ml.registry import CLASS_CODES, CLASS_INDEX, NOT_VF
from ml.segment import rr_irregularity

from . import beatlabels, beattable, folds, sources

VF = CLASS_INDEX["VF"]
SHIFT = 5  # samples of R jitter (14 ms at 360 Hz)
SEED = 20260115
BATCH = 196  # 28 beats of each of the six classes and of "not VF"
AF_POOL = "N in AF"  # the sampler's pool of normal beats in atrial fibrillation or flutter
ONLY_II, ONLY_OTHER, KEEP = 0.30, 0.15, 0.7
LR, LR_LATE, LATE = 1e-3, 1e-3 / 3, 0.7
SPLITS = ("all", *(f"cv{k}" for k in range(folds.N_FOLDS)), "unseen-ptbxl", "unseen-ludb",
          "ds1-ds2")


class Beats:
    """Windows (with SHIFT samples of margin) and local templates of every detected beat,
    kept per record in float16; ``inputs`` builds leadnet's inputs of any beats. Unscored
    beats are kept (a record's summary needs all its beats) but never trained on or scored."""

    def __init__(self, table):
        keep = np.ones(len(table.labels), bool)
        self.labels = table.labels[keep].astype(np.int64)
        self.patient = table.patient[keep]
        self.database = table.database[keep]
        self.fold = table.fold[keep]
        self.rhythm = table.rhythm[keep]
        self.present = table.present[keep]
        self.record = table.record[keep]
        self.beat = table.beat[keep]
        self.infos = list(table.infos)
        self.keys = np.array([i.key for i in table.infos])
        self.peaks = [t["peaks"] for t in table.tables]  # per record, R peaks at 360 Hz
        self.slots, self.windows, self.templates = [], [], []
        lo = beattable.WIDE_BEFORE - beattable.MODEL_BEFORE - SHIFT
        for t in table.tables:
            wide = t["windows"].astype(np.float32)
            if len(wide) == 0:
                wide = np.zeros((0, len(t["slots"]), beattable.WIDE), np.float32)
            tmpl = beatinput.templates_of(wide)
            self.windows.append(wide[:, :, lo:lo + beatinput.WINDOW + 2 * SHIFT]
                                .astype(np.float16))
            self.templates.append(beattable.model_window(tmpl).astype(np.float16))
            self.slots.append(t["slots"])

    def __len__(self):
        return len(self.labels)

    @functools.cached_property
    def irregularity(self):
        """``ml.segment.rr_irregularity`` of every beat, computed once, for the models that
        read that rhythm input (the shipped one does not)."""
        out = np.zeros(len(self.labels), np.float32)
        order = np.argsort(self.record, kind="stable")
        bounds = np.searchsorted(self.record[order], np.arange(len(self.peaks) + 1))
        for r, peaks in enumerate(self.peaks):
            mine = order[bounds[r]:bounds[r + 1]]
            if len(mine):
                out[mine] = rr_irregularity(peaks, beatinput.FS)[self.beat[mine]]
        return out

    @functools.cached_property
    def in_af(self):
        """(n,) bool: beats inside atrial fibrillation or flutter (``beatlabels.in_af``: the
        rhythm note at their R peaks, or the record's stated rhythm), for the sampler's own
        pool of normal beats in those rhythms (``Sampler(af_pool=True)``, an experiment)."""
        out = np.zeros(len(self.labels), bool)
        for r in np.unique(self.record):
            mine = np.flatnonzero(self.record == r)
            info = self.infos[r]
            samples = np.round(self.peaks[r][self.beat[mine]] * info.fs / beatinput.FS)
            out[mine] = beatlabels.in_af(info, samples)
        return out

    def select(self, keys):
        """Indices of the beats of the records ``keys`` ("<database>/<record>")."""
        return np.flatnonzero(np.isin(self.keys[self.record], list(keys)))

    def inputs(self, idx, masks, shifts=None, rhythm=beatinput.PLAIN):
        n = len(idx)
        windows = np.zeros((n, N_SLOTS, beatinput.WINDOW), np.float32)
        templates = np.zeros_like(windows)
        shifts = np.zeros(n, np.int64) if shifts is None else shifts
        for j, i in enumerate(idx):
            r, b = self.record[i], self.beat[i]
            s = SHIFT + shifts[j]
            windows[j, self.slots[r]] = self.windows[r][b, :, s:s + beatinput.WINDOW]
            templates[j, self.slots[r]] = self.templates[r][b]
        r = self.rhythm[idx]
        if rhythm == beatinput.IRREGULARITY:
            r = np.concatenate([r, self.irregularity[idx, None]], axis=1)
        return beatinput.model_inputs(windows, templates, masks, r)


def load_beats(cache=None, databases=sources.DATABASES, records=None):
    infos = sources.catalog(databases)
    if records is not None:
        infos = [i for i in infos if i.key in set(records)]
    return Beats(beattable.load(infos, cache=cache, jobs=2))


def split_keys(name, beats):
    """(train, test) record keys of split ``name`` over the records in ``beats``."""
    infos = [i for i in sources.catalog() if i.key in set(beats.keys)]
    if name == "all":
        keys = [i.key for i in infos if i.key in folds.record_folds()]
        return keys, []
    return folds.split(name, infos)


def set_loss(y_true, y_pred):
    """Cross-entropy for a labelled beat; -log(1 - p(VF)) for a "not VF" beat (label -1)."""
    import keras

    y = keras.ops.cast(keras.ops.reshape(y_true, (-1,)), "int32")
    p = keras.ops.clip(y_pred, 1e-7, 1.0 - 1e-7)
    onehot = keras.ops.one_hot(keras.ops.maximum(y, 0), len(CLASS_CODES))
    ce = -keras.ops.log(keras.ops.sum(onehot * p, axis=-1))
    not_vf = -keras.ops.log(1.0 - p[:, VF])
    return keras.ops.where(y >= 0, ce, not_vf)


def random_masks(present, rng):
    """Lead dropout: masks (n, 12) drawn for beats whose records have leads ``present``."""
    present = present.astype(np.float32)
    n = len(present)
    u = rng.random(n)
    masks = present * (rng.random(present.shape) < KEEP)
    only_ii = (u < ONLY_II) & (present[:, II] > 0)
    masks[only_ii] = 0.0
    masks[only_ii, II] = 1.0
    other = (u >= ONLY_II) & (u < ONLY_II + ONLY_OTHER)
    for j in np.flatnonzero(other):
        choices = np.flatnonzero(present[j])
        masks[j] = 0.0
        masks[j, rng.choice(choices)] = 1.0
    empty = masks.sum(axis=1) == 0
    masks[empty] = present[empty]
    return masks


class Sampler:
    """Class-balanced batches of the training beats; batch ``k`` depends on (seed, k) only.

    With ``af_pool`` (an experiment, issue 15) the normal beats inside atrial fibrillation or
    flutter are drawn as a pool of their own, as often as each class: most normal beats the
    shipped model calls A are such beats, and the patient-weighted N pool rarely shows them
    (ml/EXPERIMENTS.md, "Where the false A calls are")."""

    def __init__(self, beats, train_idx, batch=BATCH, seed=SEED, rhythm=beatinput.PLAIN,
                 af_pool=False):
        self.beats, self.seed, self.rhythm = beats, seed, rhythm
        self.pools = {}
        groups = {c: beats.labels[train_idx] == c for c in (*range(len(CLASS_CODES)), NOT_VF)}
        if af_pool:
            n = groups[CLASS_INDEX["N"]]
            af = beats.in_af[train_idx]
            groups[CLASS_INDEX["N"]], groups[AF_POOL] = n & ~af, n & af
        for c, chosen in groups.items():
            members = train_idx[chosen]
            if len(members) == 0:
                continue
            _, inverse, counts = np.unique(beats.patient[members], return_inverse=True,
                                           return_counts=True)
            w = 1.0 / np.sqrt(counts[inverse])
            self.pools[c] = (members, w / w.sum())
        self.per = batch // len(self.pools)

    def train_beats(self):
        """Training beats per class (the AF pool counted as N) and in the AF pool."""
        counts = {}
        for c, (members, _) in self.pools.items():
            name = "not VF" if c == NOT_VF else "N" if c == AF_POOL else CLASS_CODES[c]
            counts[name] = counts.get(name, 0) + len(members)
        return counts

    def batch(self, k):
        rng = np.random.default_rng([self.seed, k])
        idx = np.concatenate([rng.choice(m, self.per, p=p) for m, p in self.pools.values()])
        rng.shuffle(idx)
        b = self.beats
        masks = random_masks(b.present[idx], rng)
        inputs = b.inputs(idx, masks, rng.integers(-SHIFT, SHIFT + 1, len(idx)), self.rhythm)
        x = inputs["beat"]
        x *= rng.uniform(0.8, 1.25, (len(idx), 1, 1)).astype(np.float32)
        x += rng.normal(0, 0.02, x.shape).astype(np.float32) * (x != 0)
        return inputs, b.labels[idx]


def train(beats, split, steps, out, seed=SEED, every=100, log=print, input_kind=spectral.TIME,
          rhythm=beatinput.PLAIN, af_pool=False):
    """Train (or resume) leadnet on ``split``, reading ``input_kind`` (``ml.spectral``) and the
    ``rhythm`` input (``ml.beatinput.RHYTHM_KINDS``), drawing normal beats in atrial
    fibrillation or flutter as their own pool when ``af_pool``; writes model.keras and
    meta.json to ``out``."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras

    from ml.model import build

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    train_keys, test_keys = split_keys(split, beats)
    train_idx = beats.select(train_keys)
    sampler = Sampler(beats, train_idx, seed=seed, rhythm=rhythm, af_pool=af_pool)
    checkpoint, state_path = out / "checkpoint.keras", out / "state.json"
    start_step = 0
    keras.utils.set_random_seed(seed)
    if checkpoint.exists() and state_path.exists():
        model = keras.saving.load_model(checkpoint, custom_objects={"set_loss": set_loss})
        start_step = json.loads(state_path.read_text())["step"]
        if model.name != spectral.ARCHITECTURE[input_kind]:
            raise ValueError(f"{checkpoint} is a {model.name} checkpoint, not "
                             f"{spectral.ARCHITECTURE[input_kind]}: resume it with its own --input")
        log(f"resuming {split} at step {start_step}")
    else:
        model = build(spectral.ARCHITECTURE[input_kind], n_rhythm=beatinput.n_rhythm(rhythm))
        model.compile(optimizer=keras.optimizers.Adam(LR), loss=set_loss)
    t0 = time.perf_counter()
    losses = []
    for k in range(start_step, steps):
        model.optimizer.learning_rate.assign(LR if k < LATE * steps else LR_LATE)
        x, y = sampler.batch(k)
        x = spectral.model_inputs(x, input_kind)
        losses.append(float(model.train_on_batch(x, y)))
        done = k + 1
        if done % every == 0 or done == steps:
            model.save(checkpoint)
            state_path.write_text(json.dumps({"step": done}))
            log(f"{split} step {done}/{steps}: loss {np.mean(losses[-every:]):.3f} "
                f"({(time.perf_counter() - t0) / (done - start_step):.2f} s/step)")
    model.save(out / "model.keras")
    train_records = sorted(set(beats.keys[beats.record[train_idx]]))
    meta = {
        "arch": spectral.ARCHITECTURE[input_kind],
        "input_kind": input_kind,
        **({"rhythm_kind": rhythm} if rhythm != beatinput.PLAIN else {}),
        "classes": list(CLASS_CODES),
        "input": {"window": beatinput.WINDOW, "before": beatinput.BEFORE, "fs": beatinput.FS,
                  "slots": N_SLOTS, "n_rhythm": beatinput.n_rhythm(rhythm)},
        "split": split,
        "steps": steps,
        "batch": BATCH,
        "seed": seed,
        "beat_table": beattable.code_version(),
        "train_beats": sampler.train_beats(),
        **({"af_pool_beats": len(sampler.pools[AF_POOL][0])} if AF_POOL in sampler.pools
           else {}),
        "train_patients": sorted(set(beats.patient[train_idx])),
        "train_records": train_records,
        "test_records": sorted(test_keys),
    }
    (out / "meta.json").write_text(json.dumps(meta, indent=1))
    return model, meta


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--split", default="all", choices=SPLITS)
    p.add_argument("--steps", type=int, default=700)
    p.add_argument("--seed", type=int, default=SEED)
    p.add_argument("--every", type=int, default=100, help="checkpoint every this many steps")
    p.add_argument("--input", default=spectral.TIME, choices=spectral.INPUT_KINDS,
                   help="the beat windows (time, the shipped model) or their STFT (spectral)")
    p.add_argument("--rhythm", default=beatinput.PLAIN, choices=beatinput.RHYTHM_KINDS,
                   help="the rhythm input: plain (the shipped model) or irregularity (also "
                        "ml.segment.rr_irregularity, an experiment)")
    p.add_argument("--af-pool", action="store_true",
                   help="draw normal beats in atrial fibrillation or flutter as their own pool "
                        "(an experiment)")
    p.add_argument("--out", default=None,
                   help="default runs/leadnet/<split> (time), runs/leadnet-spectral/<split>")
    p.add_argument("--cache", default=None)
    args = p.parse_args(argv)
    default = "leadnet" if args.input == spectral.TIME else "leadnet-spectral"
    out = Path(args.out or sources.REPO_ROOT / "runs" / default / args.split)
    t0 = time.perf_counter()
    beats = load_beats(args.cache)
    print(f"{len(beats):,} beats ready in {time.perf_counter() - t0:.0f} s", flush=True)
    train(beats, args.split, args.steps, out, args.seed, args.every,
          log=lambda m: print(m, flush=True), input_kind=args.input, rhythm=args.rhythm,
          af_pool=args.af_pool)
    print(f"wrote {out / 'model.keras'} in {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
