"""Lead names: which of the 12 standard leads a recording's channels are.

The recordings model (leadnet) reads beats in 12 fixed lead slots, in the order of
``STANDARD``; a recording fills the slots of the leads it has, and a presence mask says which.
Files name their leads in many ways ("MLII", "ii", "Lead II", "DII", "AVR", "V1 "), so names are
normalised here, once, for the Predictor and for training alike.

- Limb leads: I, II, III, with the "D" spellings of European machines (DI, DII, DIII) and
  "Lead"/"ECG" prefixes. MLII (the modified limb lead of Holter recordings such as MIT-BIH) is
  read as lead II, as the training data (``ml.training.sources``) does.
- Augmented leads: aVR, aVL, aVF in any case.
- Chest leads: V1 to V6 (also "MLV1"-style modified chest leads are read as that V lead).

A recording whose channels carry no standard name (a CSV column "ecg", an EDF channel "EKG")
has its main lead read as lead II: that is what the product has always assumed of a single
unnamed lead, and what the training data does with the unnamed Holter leads of vfdb.
"""
import re

STANDARD = ("I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6")
SLOT = {name: i for i, name in enumerate(STANDARD)}
N_SLOTS = len(STANDARD)
II = SLOT["II"]

_PREFIX = re.compile(r"^(lead|ecg|ekg)[\s_\-:]*(lead)?[\s_\-:]*", re.IGNORECASE)
_ROMAN = {"I": "I", "II": "II", "III": "III", "1": "I", "2": "II", "3": "III"}


def normalise(name):
    """The standard lead ``name`` stands for ("II", "aVR", "V1"...), or None if it names none."""
    s = _PREFIX.sub("", str(name).strip()).replace(" ", "").replace("_", "").replace("-", "")
    if not s:
        return None
    upper = s.upper()
    # Digits stand for limb leads only after ML (ML2: modified lead II) or D (D2, DII: the
    # European names); "ECG1"/"ECG2" number a device's channels, not leads.
    numbered = False
    if upper.startswith("ML"):  # modified limb / chest leads of Holter recordings
        upper, numbered = upper[2:], True
    elif upper.startswith("D") and upper[1:] in _ROMAN:
        upper, numbered = upper[1:], True
    if upper in ("I", "II", "III") or (numbered and upper in _ROMAN):
        return _ROMAN[upper]
    if upper in ("AVR", "AVL", "AVF"):
        return "aV" + upper[2]
    m = re.fullmatch(r"V([1-6])", upper)
    if m:
        return f"V{m.group(1)}"
    return None


def slots_of(names, main=0):
    """{slot index: channel index} of a recording's channels named ``names``.

    Each standard lead takes the first channel that names it; channels with other names are
    left out. When no channel has a standard name, channel ``main`` goes to slot II."""
    out = {}
    for channel, name in enumerate(names):
        lead = normalise(name)
        if lead is not None and SLOT[lead] not in out:
            out[SLOT[lead]] = channel
    if not out and len(names):
        out[II] = int(main)
    return dict(sorted(out.items()))


def names_of(slots):
    """Standard names of slot indices, in slot order."""
    return [STANDARD[s] for s in sorted(slots)]
