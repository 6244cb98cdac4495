"""From the network's probabilities to a decision: correcting for class-balanced training.

``python -m ml.training.train`` draws every class equally often, so the network learns as if a
beat were as likely to be a premature atrial contraction as a normal beat. In a recording most
beats are normal, and that balanced prior over-calls the rare classes (ml/EXPERIMENTS.md has the
measurements). Bayes' rule undoes it: multiply each class probability by the class's share of
the training beats and renormalise. Applied in full, this maximises accuracy
but can cost the rare classes recall, so it is applied with an exponent tau in [0, 1] (0: the
network as trained, 1: the full correction), the post-hoc logit adjustment of Menon et al.,
"Long-tail learning via logit adjustment", ICLR 2021.

tau is chosen on the validation fold (10% of the training beats, never the test set) by the
score that picks the training checkpoint: the mean of the macro-F1 of beats with their rhythm
context and of styled drawings without it. The weights are stored in the model's meta.json under
``decision``, are part of its version, and the Predictor applies them (``ml.decision.apply``) to
every probability it reports, so the confidence flag and the shown probabilities follow the same
decision.

``python -m ml.training.train`` chooses tau at the end of training;
``python -m ml.training.decision --model DIR`` chooses it again for a trained model (the models
trained before this step existed).
"""
import argparse
import json
import os
from pathlib import Path

import numpy as np

from ..decision import apply
from ..registry import CLASS_CODES
from . import metrics

TAUS = tuple(round(0.1 * k, 1) for k in range(11))


def prior_weights(train_counts, tau):
    """Per-class weights (CLASS_CODES order, largest 1): each class's share of the labelled
    training beats to the power ``tau``. "not VF" beats have no single class and are left out."""
    counts = np.array([max(1, int(train_counts.get(c, 0))) for c in CLASS_CODES], float)
    weights = (counts / counts.sum()) ** float(tau)
    return weights / weights.max()


def choose(labels, views, train_counts, taus=TAUS):
    """The decision record for meta.json: the tau with the best mean validation macro-F1 over
    ``views`` (probability arrays of the same beats, e.g. with context and image only); ties go
    to the smaller tau, the one closer to the network as trained."""
    table = {}
    for tau in taus:
        w = prior_weights(train_counts, tau)
        table[tau] = [metrics.report(labels, apply(p, w).argmax(1))["macro_f1"] for p in views]
    best = max(taus, key=lambda t: (round(float(np.mean(table[t])), 6), -t))
    return {
        "tau": best,
        "weights": dict(zip(CLASS_CODES, (round(float(w), 6)
                                          for w in prior_weights(train_counts, best)),
                            strict=True)),
        "chosen_on": "validation fold (10% of the training beats); score: mean of macro-F1 "
                     "with context and of styled drawings without",
        "validation_macro_f1_by_tau": {str(t): [round(v, 4) for v in table[t]] for t in taus},
    }


def choose_for(model, arch, labels, views, train_counts, channels=2, n_context=None):
    """``choose`` for a network on the validation ``views`` that training scores it on
    (``validation.validation_views``: with context, and styled without)."""
    from ..inputs import compiled_call
    from .validation import predict

    call = compiled_call(model)  # one compilation for both views
    probabilities = [predict(model, arch, *view, channels, n_context, call=call)
                     for view in views]
    return choose(labels, probabilities, train_counts)


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m ml.training.decision",
                                description=__doc__.split("\n")[0])
    p.add_argument("--model", required=True, help="model folder (model.keras, meta.json)")
    p.add_argument("--data-dir", default=None)
    args = p.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras

    from . import datasets
    from .validation import VALIDATION_SEED_OFFSET, validation_views

    folder = Path(args.model)
    meta = json.loads((folder / "meta.json").read_text())
    if meta.get("limit"):
        raise SystemExit("a --limit run's validation sample cannot be rebuilt; retrain it")
    model = keras.saving.load_model(folder / "model.keras", compile=False)
    _, val, _ = datasets.split(meta["split"], args.data_dir, with_negatives=False)
    views = validation_views(val, meta["seed"] + VALIDATION_SEED_OFFSET)
    meta["decision"] = choose_for(model, meta["arch"], val.labels, views, meta["train_counts"],
                                  meta.get("channels", 2), meta.get("n_context"))
    (folder / "meta.json").write_text(json.dumps(meta, indent=2))
    print(json.dumps(meta["decision"], indent=2))


if __name__ == "__main__":
    main()
