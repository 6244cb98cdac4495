"""Applying a model's decision weights to its probabilities.

Training draws every class equally often, so the network's probabilities over-call the rare
classes; the training code (``ml.training.decision``) chooses per-class weights that undo it
and stores them in the model's meta.json under ``decision``. The Predictor applies them to
every probability it reports, so the label (the argmax), the confidence flag and the shown
probabilities all follow the same decision.
"""
import numpy as np

from .registry import CLASS_CODES


def apply(probabilities, weights):
    """Reweighted and renormalised probabilities (n, classes); ``weights`` None leaves them as
    they are."""
    probabilities = np.asarray(probabilities, np.float32)
    if weights is None or len(probabilities) == 0:
        return probabilities
    scaled = probabilities * np.asarray(weights, np.float32)
    return scaled / np.maximum(scaled.sum(axis=1, keepdims=True), 1e-12)


def weights_of(meta):
    """The decision weights stored in a model's meta.json, or None for plain argmax."""
    decision = (meta or {}).get("decision")
    if not decision:
        return None
    return np.array([float(decision["weights"][c]) for c in CLASS_CODES], np.float32)
