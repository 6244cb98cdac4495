"""Merge leadnet runs of one split, trained with different seeds, into one model: a seed
ensemble whose class probabilities are the mean of its members'.

The merged model is one Keras model with leadnet's inputs and output, so everything that reads
a leadnet folder (the Predictor, ``ml.reports.cv``, ``ml.reports.leadcard``, the worker's
start-up check) reads it unchanged; its probabilities equal those of ``ml.reports.cv
--ensemble`` over the same runs. Why an ensemble: one leadnet's cross-validated macro-F1 moves
by about 0.05 from seed to seed, and the mean of three seeds scored higher than the best of
them on patients never seen (ml/EXPERIMENTS.md, "leadnet: three-seed ensemble").

The members must be the same recipe on the same patients: same split, architecture, input,
steps, batch, beat table and training/test records; only the seed may differ. meta.json is the
members' shared meta.json with ``seed`` the list of their seeds and ``members`` naming each
(seed and model version).

    python -m ml.training.ensemble runs/ens/s20260115/all runs/ens/s20260116/all \\
        runs/ens/s20260117/all --out ml/models/leads
"""
import argparse
import json
import os
import sys
from pathlib import Path

from ml.predictor import MODEL_FILE, model_version

# What the members must share: anything else would make the mean a mix of recipes or of
# patients, and the merged model's list of training patients a lie.
SAME = ("arch", "input_kind", "classes", "input", "split", "steps", "batch", "beat_table",
        "train_patients", "train_records", "test_records")


class MembersDiffer(ValueError):
    """The runs are not one recipe on one split with different seeds."""


def merged_meta(metas, versions):
    """The merged model's meta.json from its members' (checked to be one recipe)."""
    if len(metas) < 2:
        raise MembersDiffer("an ensemble needs at least two runs")
    for key in SAME:
        values = [json.dumps(m.get(key), sort_keys=True) for m in metas]
        if len(set(values)) > 1:
            raise MembersDiffer(f"the runs differ in {key!r}: only the seed may differ")
    seeds = [m["seed"] for m in metas]
    if len(set(seeds)) < len(seeds):
        raise MembersDiffer(f"two runs share a seed ({seeds}): they would be the same model")
    meta = dict(metas[0])
    meta["seed"] = seeds
    meta["members"] = [{"seed": s, "version": v} for s, v in zip(seeds, versions, strict=True)]
    meta["ensemble"] = "mean of the members' class probabilities"
    return meta


def merge(runs, out):
    """Write the ensemble of the leadnet runs in ``runs`` (folders with model.keras and
    meta.json) to ``out``; returns its meta."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras

    runs = [Path(r) for r in runs]
    metas = [json.loads((r / "meta.json").read_text()) for r in runs]
    meta = merged_meta(metas, [model_version(r) for r in runs])
    members = [keras.saving.load_model(r / MODEL_FILE, compile=False) for r in runs]
    inputs = {t.name: keras.Input(t.shape[1:], name=t.name) for t in members[0].inputs}
    outputs = []
    for member, seed in zip(members, meta["seed"], strict=True):
        member.name = f"{meta['arch']}_seed{seed}"  # nested models need distinct names
        outputs.append(member(inputs))
    mean = keras.layers.Average(name="mean_probabilities")(outputs)
    # The merged model keeps the architecture's name: the Predictor and training check it.
    model = keras.Model(inputs, mean, name=meta["arch"])
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    model.save(out / MODEL_FILE)
    (out / "meta.json").write_text(json.dumps(meta, indent=1))
    return meta


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("runs", nargs="+", help="leadnet run folders of one split")
    p.add_argument("--out", required=True)
    args = p.parse_args(argv)
    meta = merge(args.runs, args.out)
    print(f"{args.out}: ensemble of {len(meta['members'])} {meta['arch']} models "
          f"(split {meta['split']}, seeds {meta['seed']}), version {model_version(args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
