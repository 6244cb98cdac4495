"""The six classes, in the order the model outputs them, with their display names."""
from typing import NamedTuple


class ClassInfo(NamedTuple):
    code: str
    name: str


CLASSES = (
    ClassInfo("N", "Normal"),
    ClassInfo("L", "Left Bundle Branch Block"),
    ClassInfo("R", "Right Bundle Branch Block"),
    ClassInfo("A", "Premature Atrial Contraction"),
    ClassInfo("V", "Premature Ventricular Contractions"),
    ClassInfo("VF", "Ventricular Fibrillation"),
)
CLASS_CODES = tuple(c.code for c in CLASSES)
CLASS_NAMES = {c.code: c.name for c in CLASSES}
CLASS_INDEX = {c.code: i for i, c in enumerate(CLASSES)}

# MIT-BIH beat symbols mapped to the product's classes ('!' is a ventricular flutter wave).
MITDB_SYMBOL_TO_CLASS = {"N": "N", "L": "L", "R": "R", "A": "A", "V": "V", "!": "VF"}
# vfdb rhythm annotations that open a ventricular fibrillation/flutter span.
VF_RHYTHMS = ("(VF", "(VFL", "(VFIB")
# Training label of a beat known only to be "not ventricular fibrillation" (beats of vfdb's
# other rhythms, which have no beat labels): any class but VF.
NOT_VF = -1
