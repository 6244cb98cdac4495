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

The recordings model (leadnet) has no validation fold: its tau is chosen by cross-fitting over
the patient-grouped CV folds (``cross_fitted``; ``python -m ml.reports.cv --decision``), and
``python -m ml.training.decision --model ml/models/leads --cv CV.json`` stores it.
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


def _table(folds, taus):
    """Per tau, the macro-F1 of each view pooled over ``folds``: (labels, views, train_counts)
    triples, each fold's probabilities weighted with its own model's training shares."""
    labels = np.concatenate([f[0] for f in folds])
    table = {}
    for tau in taus:
        table[tau] = []
        for v in range(len(folds[0][1])):
            pred = np.concatenate([apply(views[v], prior_weights(counts, tau)).argmax(1)
                                   for _labels, views, counts in folds])
            table[tau].append(metrics.report(labels, pred)["macro_f1"])
    return table


def _best(table):
    """The tau with the best mean score over the views; ties go to the smaller tau, the one
    closer to the network as trained."""
    return max(table, key=lambda t: (round(float(np.mean(table[t])), 6), -t))


def record(train_counts, tau, table, chosen_on):
    """The ``decision`` record of a model's meta.json (``ml.decision.weights_of`` reads it)."""
    return {
        "tau": tau,
        "weights": dict(zip(CLASS_CODES, (round(float(w), 6)
                                          for w in prior_weights(train_counts, tau)),
                            strict=True)),
        "chosen_on": chosen_on,
        "validation_macro_f1_by_tau": {str(t): [round(v, 4) for v in s] for t, s in table.items()},
    }


def choose(labels, views, train_counts, taus=TAUS):
    """The decision record for meta.json: the tau with the best mean validation macro-F1 over
    ``views`` (probability arrays of the same beats, e.g. with context and image only)."""
    table = _table([(labels, views, train_counts)], taus)
    return record(train_counts, _best(table), table,
                  "validation fold (10% of the training beats); score: mean of macro-F1 "
                  "with context and of styled drawings without")


def cross_fitted(folds, taus=TAUS):
    """tau for models scored by cross-validation, chosen without the beats they are scored on.

    ``folds``: one (labels, views, train_counts) triple per CV fold: the labels of its held-out
    beats, their probabilities from that fold's model (one array per view, e.g. per input
    mode) and that model's training-beat counts per class. Returns (per fold: the tau with the
    best mean pooled macro-F1 over the *other* folds' beats, and its table; the tau chosen the
    same way on every fold, for the model trained on every patient, and its table)."""
    per_fold = []
    for k in range(len(folds)):
        table = _table([f for j, f in enumerate(folds) if j != k], taus)
        per_fold.append((_best(table), table))
    table = _table(folds, taus)
    return per_fold, (_best(table), table)


def choose_for(model, arch, labels, views, train_counts, channels=2, n_context=None):
    """``choose`` for a network on the validation ``views`` that training scores it on
    (``validation.validation_views``: with context, and styled without)."""
    from ..inputs import compiled_call
    from .validation import predict

    call = compiled_call(model)  # one compilation for both views
    probabilities = [predict(model, arch, *view, channels, n_context, call=call)
                     for view in views]
    return choose(labels, probabilities, train_counts)


def write_cross_fitted(folder, cv_json):
    """Store in ``folder``'s meta.json the decision whose tau ``ml.reports.cv --decision`` chose
    on every CV fold's held-out beats, with the weights of ``folder``'s own training shares."""
    chosen = json.loads(cv_json.read_text())["cv"]["decision"]
    meta = json.loads((folder / "meta.json").read_text())
    table = chosen["macro_f1_by_tau_every_fold"]
    meta["decision"] = record(meta["train_beats"], chosen["tau_every_fold"], table,
                              "held-out beats of the five CV folds (each scored by the model "
                              "that never saw its patient); score: mean of the pooled macro-F1 "
                              "with several leads and with lead II alone")
    (folder / "meta.json").write_text(json.dumps(meta, indent=1))
    print(json.dumps(meta["decision"], indent=2))


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m ml.training.decision",
                                description=__doc__.split("\n")[0])
    p.add_argument("--model", required=True, help="model folder (model.keras, meta.json)")
    p.add_argument("--data-dir", default=None)
    p.add_argument("--cv", default=None, metavar="JSON",
                   help="a recordings model (leadnet): take tau from this `python -m "
                        "ml.reports.cv --decision` output (chosen on every CV fold)")
    args = p.parse_args(argv)
    if args.cv:
        return write_cross_fitted(Path(args.model), Path(args.cv))
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
