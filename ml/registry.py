"""The beat classes: the one place that says what the product knows about each class.

Everything else reads it: the model's output order, training labels, the recording's headline
finding, urgency, colours (CSS variables and plots), articles, the model card and the site's
wording ("six classes" is ``len(CLASSES)``). Adding a class is a short list in ml/README.md.

Stored results keep class *codes* (``"V"``), never positions, so the order below may change
without changing the meaning of an old result; a model records its own order in meta.json and
the Predictor refuses one whose classes differ from these.
"""
from dataclasses import dataclass
from typing import Literal

# How a recording's headline finding treats a class (ml.summary.finding):
#   episode  - any episode of it leads the finding (ventricular fibrillation)
#   pattern  - a conduction pattern: leads when it shows in a large share of beats
#   ectopic  - extra beats: leads when more than a stray one occurs
#   baseline - the finding when nothing else applies
FindingRule = Literal["episode", "pattern", "ectopic", "baseline"]

# Urgency levels, most urgent first (diagnosis.urgency words them for patients).
EMERGENCY, SOON, ROUTINE, NONE = "emergency", "soon", "routine", "none"
URGENCY_ORDER = (EMERGENCY, SOON, ROUTINE, NONE)


@dataclass(frozen=True)
class Urgency:
    """What a finding of the class calls for: ``level``, raised to ``frequent_level`` when the
    class's share of beats reaches ``frequent_share`` (a frequent ectopic burden)."""

    level: str
    frequent_share: float | None = None
    frequent_level: str | None = None

    def for_share(self, share):
        if self.frequent_share is not None and share is not None and share >= self.frequent_share:
            return self.frequent_level
        return self.level


@dataclass(frozen=True)
class BeatClass:
    code: str  # stored with every result: never renamed or reused
    name: str  # singular, as a label: "Premature Ventricular Contraction"
    short_name: str  # "PVC"
    colour: str  # hex; the site's CSS variable --class-<code> and every plot use it
    finding_rule: FindingRule
    priority: int  # among classes that qualify, the lower number leads the finding
    urgency: Urgency
    article_slug: str  # articles/content/<slug>.md explains the finding
    example: tuple  # (database, record) a typical beat is drawn from for the Info page
    mitdb_symbols: tuple = ()  # MIT-BIH beat annotation symbols of the class
    # (SNOMED CT code, display) of the finding, from DICOM's "ECG Finding" value set (CID
    # 3230); the FHIR export codes a finding with it.
    snomed: tuple = ()

    @property
    def css_var(self):
        return f"--class-{self.code.lower()}"


CLASSES = (
    BeatClass("N", "Normal", "Normal", "#1e6b3a", "baseline", 5, Urgency(NONE),
              "normal-sinus-rhythm", ("mitdb", "100"), ("N",), snomed=("164854000", "Normal")),
    BeatClass("L", "Left Bundle Branch Block", "LBBB", "#5b3f9e", "pattern", 1, Urgency(SOON),
              "left-bundle-branch-block", ("mitdb", "109"), ("L",),
              snomed=("63467002", "Left bundle branch block")),
    BeatClass("R", "Right Bundle Branch Block", "RBBB", "#0b5f7a", "pattern", 2,
              Urgency(ROUTINE), "right-bundle-branch-block", ("mitdb", "118"), ("R",),
              snomed=("59118001", "Right bundle branch block")),
    BeatClass("A", "Premature Atrial Contraction", "PAC", "#8a5a00", "ectopic", 4,
              Urgency(ROUTINE), "premature-atrial-contractions", ("mitdb", "209"), ("A",),
              snomed=("284470004", "Atrial premature contraction")),
    # A burden of about 10 % or more is linked with weakening of the heart muscle (ESC 2022).
    BeatClass("V", "Premature Ventricular Contraction", "PVC", "#b03a2e", "ectopic", 3,
              Urgency(ROUTINE, frequent_share=0.10, frequent_level=SOON),
              "premature-ventricular-contractions", ("mitdb", "119"), ("V",),
              snomed=("251175005", "Ventricular premature contraction")),
    BeatClass("VF", "Ventricular Fibrillation", "VF", "#7d0e3f", "episode", 0,
              Urgency(EMERGENCY), "ventricular-fibrillation", ("vfdb", "422"), ("!",),
              snomed=("71908006", "Ventricular fibrillation")),
)

# The ways the model runs on an upload; the model card reports its figures for each.
SEVERAL_LEADS, ONE_LEAD, PICTURE = "several leads", "one lead", "picture"
MODES = (SEVERAL_LEADS, ONE_LEAD, PICTURE)

# Targets on patients the model never saw (patient-grouped cross-validation), from issue 15:
# F1 per class and mode, and the six-class macro-F1. A picture is judged as one beat of one
# lead, so it has the one-lead targets. The baseline class has no target of its own: "nothing
# abnormal found" is only as good as the model is at finding the other classes, so it is
# judged by their recall against their targets (diagnosis.urgency, "not ruled out").
MACRO_F1_TARGET = 0.85
F1_TARGETS = {
    "L": {SEVERAL_LEADS: 0.85, ONE_LEAD: 0.75, PICTURE: 0.75},
    "R": {SEVERAL_LEADS: 0.85, ONE_LEAD: 0.75, PICTURE: 0.75},
    "A": dict.fromkeys(MODES, 0.60),
    "V": dict.fromkeys(MODES, 0.92),
    "VF": dict.fromkeys(MODES, 0.90),
}


def target_f1(code, mode):
    """The F1 target of class ``code`` in ``mode``, or None for the baseline class."""
    return F1_TARGETS.get(code, {}).get(mode)


CLASS_CODES = tuple(c.code for c in CLASSES)
CLASS_NAMES = {c.code: c.name for c in CLASSES}
CLASS_INDEX = {c.code: i for i, c in enumerate(CLASSES)}
BY_CODE = {c.code: c for c in CLASSES}
N_CLASSES = len(CLASSES)

# MIT-BIH beat symbols mapped to the product's classes ('!' is a ventricular flutter wave).
MITDB_SYMBOL_TO_CLASS = {s: c.code for c in CLASSES for s in c.mitdb_symbols}
# The class of beats a rhythm annotation (not a beat label) marks: vfdb has no beat labels.
EPISODE_CLASS = next(c.code for c in CLASSES if c.finding_rule == "episode")
BASELINE_CLASS = next(c.code for c in CLASSES if c.finding_rule == "baseline")
# vfdb rhythm annotations that open a ventricular fibrillation/flutter span.
VF_RHYTHMS = ("(VF", "(VFL", "(VFIB")
# Training label of a beat known only to be "not ventricular fibrillation" (beats of vfdb's
# other rhythms, which have no beat labels): any class but VF.
NOT_VF = -1


def get(code):
    """The class with ``code``; a KeyError names the known codes (never a silent default)."""
    try:
        return BY_CODE[code]
    except KeyError:
        raise KeyError(f"unknown beat class {code!r}; known: {', '.join(CLASS_CODES)}") from None


def check_model_classes(codes, where="the model"):
    """Raise ValueError unless ``codes`` (a model's output order) are exactly CLASS_CODES."""
    codes = tuple(codes)
    if codes != CLASS_CODES:
        raise ValueError(
            f"{where} outputs the classes {', '.join(codes) or '(none listed)'}, but this code "
            f"knows {', '.join(CLASS_CODES)}: retrain the model for these classes or use a "
            "model made for this version of the code."
        )
