"""How often a finding of the model was right on patients it had never seen.

A result page that says "Left bundle branch block, confidence 92%" invites trust the model may
not have earned: the confidence is the model's own opinion, not a measured hit rate. So the
number each screen shows first is the measured one: of the beats the model called this class
in patients it had never seen, the share that truly were (precision), for the mode the model
ran in (several leads, one lead, a picture: ``readings.mode_of``); the model's own
confidence comes second. The figures are read from the model card (``ml.card.mode_figures``)
and shown only when they describe the very model version that produced the result; a result
from another version gets no figure rather than a wrong one.

Precision alone hides the worst failure for a patient: a beat type the model rarely
recognises in new people ends up under another label, most often "Normal" (the shipped
model calls nearly all bundle branch block beats of unseen patients Normal). So the figures
also name, from the card's confusion matrix, the beat types that were given this finding's
label more often than their own, and for a "nothing abnormal found" result the classes it
does not rule out (``not_ruled_out``, which diagnosis.urgency turns into its advice).
"""
import logging
from dataclasses import dataclass

from django.conf import settings

from ml import registry
from ml.card import ModeFigures, cached_card, mode_figures
from ml.registry import CLASS_CODES, CLASS_NAMES, ONE_LEAD, PICTURE, SEVERAL_LEADS

from .readings import mode_of

logger = logging.getLogger(__name__)

# What each mode is, in words a patient reads after "measured on".
MODE_WORDS = {
    PICTURE: "single-beat pictures",
    ONE_LEAD: "recordings read with one lead",
    SEVERAL_LEADS: "recordings read with several leads",
}

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
    code: str = ""
    mode: str = ""
    f1: float | None = None
    patients: int | None = None  # patients the class's test beats came from
    split: str = ""  # how the test patients were kept apart, in words
    target: float | None = None  # the class's F1 target in this mode (ml.registry)

    @property
    def unreliable(self):
        return self.precision < UNRELIABLE_BELOW

    @property
    def below_target(self):
        return self.target is not None and self.f1 is not None and self.f1 < self.target

    @property
    def precision_percent(self):
        return round(100 * self.precision)

    @property
    def mode_words(self):
        return MODE_WORDS.get(self.mode, "")

    @property
    def recall_percent(self):
        return round(100 * self.recall)


@dataclass(frozen=True)
class Missed:
    """A class that a "nothing abnormal" result does not rule out."""

    code: str
    name: str
    recall: float | None  # share of its test beats the model found (None: not measured)
    hidden_share: float | None = None  # share of its test beats called the baseline class

    @property
    def recall_percent(self):
        return None if self.recall is None else round(100 * self.recall)


def model_dir_for(mode):
    """Pictures are read by the image model, recordings by the recordings model: each has its
    own card."""
    return settings.ECG_MODEL_DIR if mode == PICTURE else settings.ECG_LEADS_MODEL_DIR


def figures_for(diagnosis, mode=None, model_dir=None):
    """The card's ``ModeFigures`` for ``diagnosis``'s mode, or None when the card has none
    or they describe another model version."""
    if not diagnosis.model_version:
        return None
    try:
        card = cached_card(model_dir or model_dir_for(mode or mode_of(diagnosis)))
    except (OSError, ValueError) as exc:
        logger.warning("Model card could not be read: %s", exc)
        return None
    figures = mode_figures(card, mode or mode_of(diagnosis))
    if figures is None or figures.model_version != diagnosis.model_version:
        return None
    return figures


def finding_reliability(diagnosis, model_dir=None, mode=None):
    """``Reliability`` of ``diagnosis``'s finding in its mode, or None when no honest figure
    exists (also for a diagnosis that has no finding: queued, running or failed)."""
    done = diagnosis.status == diagnosis.Status.DONE
    if not (done and diagnosis.label and diagnosis.model_version):
        return None
    mode = mode or mode_of(diagnosis)
    figures = figures_for(diagnosis, mode, model_dir)
    row = figures.per_class.get(diagnosis.label) if figures else None
    if row is None:
        return None
    return Reliability(
        name=CLASS_NAMES.get(diagnosis.label, diagnosis.label),
        precision=row.precision, recall=row.recall, support=row.beats, n=figures.n,
        single_images=mode == PICTURE, hidden=hidden_behind(figures, diagnosis.label),
        code=diagnosis.label, mode=mode, f1=row.f1, patients=row.patients,
        split=figures.split, target=registry.target_f1(diagnosis.label, mode),
    )


def not_ruled_out(diagnosis, model_dir=None, mode=None):
    """For a finding of the baseline class ("nothing abnormal found"): the classes it does
    not rule out, as a tuple of ``Missed``, most often missed first; None when no measured
    figures describe this model in this mode (then it rules out nothing).

    A class is not ruled out when, on patients the model never saw, it found fewer of that
    class's beats (recall) than the class's F1 target asks for, or when the confusion matrix
    shows its beats called the baseline class often (``hidden_behind``)."""
    mode = mode or mode_of(diagnosis)
    figures = figures_for(diagnosis, mode, model_dir)
    if figures is None:
        return None
    hidden = {h.name: h.share for h in hidden_behind(figures, registry.BASELINE_CLASS)}
    missed = []
    for code in CLASS_CODES:
        target = registry.target_f1(code, mode)
        if target is None:
            continue
        name = CLASS_NAMES[code]
        row = figures.per_class.get(code)
        if row is None or row.recall < target or name in hidden:
            missed.append(Missed(code, name, None if row is None else row.recall,
                                 hidden.get(name)))
    return tuple(sorted(missed, key=lambda m: (m.recall is not None, m.recall or 0)))


def hidden_behind(figures, code):
    """The beat types whose test beats were called ``code`` at least HIDDEN_FROM of the time
    and more often than by their own name, from the confusion matrix (rows: true class,
    columns: call, in CLASS_CODES order) of ``figures`` (``ModeFigures`` or a card's figures
    dict); () when there is no usable matrix."""
    if isinstance(figures, ModeFigures):
        matrix = figures.confusion_matrix
    else:
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
