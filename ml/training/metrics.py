"""Classification figures: accuracy, macro-F1, per-class precision/recall/F1, confusion matrix."""
import numpy as np

from ..registry import CLASS_CODES


def confusion(y_true, y_pred):
    """Rows are true classes, columns predicted classes."""
    n = len(CLASS_CODES)
    cm = np.zeros((n, n), np.int64)
    np.add.at(cm, (np.asarray(y_true, int), np.asarray(y_pred, int)), 1)
    return cm


def report(y_true, y_pred):
    """JSON-safe dict: accuracy, macro_f1, n, per_class{code: precision/recall/f1/support},
    confusion_matrix. Classes absent from ``y_true`` are left out of the macro average."""
    cm = confusion(y_true, y_pred)
    tp = np.diag(cm).astype(float)
    support = cm.sum(axis=1)
    predicted = cm.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(predicted > 0, tp / predicted, 0.0)
        recall = np.where(support > 0, tp / support, 0.0)
        f1 = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall), 0.0)
    present = support > 0
    total = int(cm.sum())
    return {
        "n": total,
        "accuracy": float(tp.sum() / total) if total else 0.0,
        "macro_f1": float(f1[present].mean()) if present.any() else 0.0,
        "per_class": {
            code: {
                "precision": float(precision[i]),
                "recall": float(recall[i]),
                "f1": float(f1[i]),
                "support": int(support[i]),
            }
            for i, code in enumerate(CLASS_CODES)
        },
        "confusion_matrix": cm.tolist(),
    }
