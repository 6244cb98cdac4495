"""How often a finding of the model was right on patients it had never seen.

A result page that says "Left bundle branch block, confidence 92%" invites trust the model may
not have earned: the confidence is the model's own opinion, not a measured hit rate. Next to
each finding the page therefore shows the measured precision and recall of that class on the
held-out patients of the inter-patient test split. The figures are read from the model card
written by ``ml.reports.card`` and are shown only when the card describes the very model
version that produced the result; a result from another version gets no figure rather than a
wrong one.

Precision alone hides the worst failure for a patient: a beat type the model rarely
recognises in new people ends up under another label, most often "Normal" (the shipped
model calls nearly all bundle branch block beats of unseen patients Normal). So the figures
also name, from the card's confusion matrix, the beat types that were given this finding's
label more often than their own: this finding does not rule those out.
"""

import logging
from dataclasses import dataclass

from django.conf import settings

from ml.card import load_card
from ml.registry import CLASS_CODES, CLASS_NAMES

logger = logging.getLogger(__name__)

# Below this precision the model's calls of a class are more often wrong than right, and the
# page says so plainly instead of leaving the reader to interpret a percentage.
UNRELIABLE_BELOW = 0.5
# A beat type is named as hidden behind a label only when at least this share of its test
# beats got that label (and more of them than got their own): rare slips are not worth a line.
HIDDEN_FROM = 0.1


@dataclass(frozen=True)
class Hidden:
    """A beat type the model often mistook for the finding's class."""

    name: str
    share: float  # of this type's test beats, the share that got the finding's label

    @property
    def percent(self):
        # 99.9% must not read as "all of them".
        return round(100 * self.share) if self.share >= 1 else min(round(100 * self.share), 99)


@dataclass(frozen=True)
class Reliability:
    name: str
    precision: float  # share of the beats called this class that truly were
    recall: float  # share of the beats truly of this class that were found
    support: int  # test beats truly of this class
    n: int  # test beats in all
    single_images: bool  # measured without rhythm context, as for one uploaded picture
    hidden: tuple = ()  # Hidden beat types, most often mistaken first

    @property
    def unreliable(self):
        return self.precision < UNRELIABLE_BELOW

    @property
    def precision_percent(self):
        return round(100 * self.precision)

    @property
    def recall_percent(self):
        return round(100 * self.recall)


def finding_reliability(diagnosis, model_dir=None):
    """``Reliability`` of ``diagnosis``'s finding, or None when no honest figure exists
    (also for a diagnosis that has no finding: queued, running or failed)."""
    done = diagnosis.status == diagnosis.Status.DONE
    if not (done and diagnosis.label and diagnosis.model_version):
        return None
    try:
        card = load_card(model_dir or settings.ECG_MODEL_DIR)
    except (OSError, ValueError) as exc:
        logger.warning("Model card could not be read: %s", exc)
        return None
    inter = ((card or {}).get("evaluations") or {}).get("inter") or {}
    if inter.get("model_version") != diagnosis.model_version:
        return None
    # A lone picture is judged without the rhythm of its neighbours; a recording with it.
    single = diagnosis.kind == diagnosis.Kind.IMAGE
    figures = inter.get("model_image_only" if single else "model") or {}
    row = (figures.get("per_class") or {}).get(diagnosis.label)
    try:
        return Reliability(
            name=CLASS_NAMES.get(diagnosis.label, diagnosis.label),
            precision=float(row["precision"]),
            recall=float(row["recall"]),
            support=int(row["support"]),
            n=int(figures["n"]),
            single_images=single,
            hidden=hidden_behind(figures, diagnosis.label),
        )
    except (KeyError, TypeError, ValueError):
        return None


def hidden_behind(figures, code):
    """The beat types whose test beats were called ``code`` at least HIDDEN_FROM of the time
    and more often than by their own name, from the confusion matrix (rows: true class,
    columns: call, in CLASS_CODES order); () when the figures have no usable matrix."""
    matrix = figures.get("confusion_matrix")
    n = len(CLASS_CODES)
    if code not in CLASS_CODES or not (
        isinstance(matrix, list) and len(matrix) == n
        and all(isinstance(row, list) and len(row) == n for row in matrix)
    ):
        return ()
    col = CLASS_CODES.index(code)
    found = []
    for k, row in enumerate(matrix):
        total = sum(row)
        if k == col or total <= 0:
            continue
        share = row[col] / total
        if share >= HIDDEN_FROM and row[col] > row[k]:
            found.append(Hidden(CLASS_NAMES.get(CLASS_CODES[k], CLASS_CODES[k]), share))
    return tuple(sorted(found, key=lambda h: -h.share))
