"""Access to the PhysioNet databases (MIT-BIH Arrhythmia ``mitdb`` and Malignant Ventricular
Ectopy ``vfdb``) in WFDB format.

Nothing here copies data into the repository: records are read from a data directory resolved
as (1) the ``data_dir`` argument, (2) the ``ECG_DATA_DIR`` environment variable, (3)
``<repo>/../shared/data``. The directory holds one folder per database (``mitdb/``, ``vfdb/``).
"""
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import wfdb

from ..registry import VF_RHYTHMS

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA_DIR = REPO_ROOT.parent / "shared" / "data"

MITDB_RECORDS = (
    "100", "101", "102", "103", "104", "105", "106", "107", "108", "109",
    "111", "112", "113", "114", "115", "116", "117", "118", "119", "121",
    "122", "123", "124", "200", "201", "202", "203", "205", "207", "208",
    "209", "210", "212", "213", "214", "215", "217", "219", "220", "221",
    "222", "223", "228", "230", "231", "232", "233", "234",
)  # fmt: skip
# Records with paced beats; AAMI EC57 leaves them out of classifier training and evaluation.
PACED = ("102", "104", "107", "217")
# Inter-patient split of de Chazal et al. (2004): DS1 to train, DS2 to test.
DS1 = (
    "101", "106", "108", "109", "112", "114", "115", "116", "118", "119", "122",
    "124", "201", "203", "205", "207", "208", "209", "215", "220", "223", "230",
)  # fmt: skip
DS2 = (
    "100", "103", "105", "111", "113", "117", "121", "123", "200", "202", "210",
    "212", "213", "214", "219", "221", "222", "228", "231", "232", "233", "234",
)  # fmt: skip

VFDB_RECORDS = (
    "418", "419", "420", "421", "422", "423", "424", "425", "426", "427", "428",
    "429", "430", "602", "605", "607", "609", "610", "611", "612", "614", "615",
)  # fmt: skip
# vfdb records holding ventricular fibrillation/flutter spans (checked against the .atr files):
# 418 419 422 424 426 429 430 609. PhysioNet describes vfdb as 22 recordings of 22 subjects,
# so a record split is a patient split. Two of each kind per side: 419 and 430 have many
# long VFL/VF episodes, 418 has the most, 609 a single one.
VFDB_TRAIN = ("419", "422", "426", "430")
VFDB_TEST = ("418", "424", "429", "609")

# Beat annotations (WFDB ``isqrs``): everything else (+ ~ | " x [ ] ...) marks no beat.
BEAT_SYMBOLS = frozenset("NLRBaVFJASEj/Qe?nfr!")
MAIN_LEAD_PREFERENCE = ("MLII", "II", "ML2")


@dataclass
class Record:
    """One record: ``signal`` is float64 (n_samples, n_leads) in millivolts."""

    name: str
    db: str
    fs: float
    signal: np.ndarray
    lead_names: list
    ann_samples: np.ndarray
    ann_symbols: list
    rhythm: list = field(default_factory=list)  # [(sample, aux_note)] e.g. (14689, "(VFL")

    @property
    def main_lead(self):
        """Index of the lead used for detection and classification (see ``main_lead_index``)."""
        return main_lead_index(self)

    @property
    def main_signal(self):
        return self.signal[:, self.main_lead]

    def beat_annotations(self):
        """(samples, symbols) of the beat annotations only."""
        keep = np.array([s in BEAT_SYMBOLS for s in self.ann_symbols], dtype=bool)
        symbols = [s for s, k in zip(self.ann_symbols, keep, strict=True) if k]
        return self.ann_samples[keep], symbols


def resolve_data_dir(path=None):
    """The data directory: the argument, else $ECG_DATA_DIR, else ``<repo>/../shared/data``."""
    if path is not None:
        return Path(path)
    env = os.environ.get("ECG_DATA_DIR")
    if env:
        return Path(env)
    return DEFAULT_DATA_DIR


def load_record(db, name, data_dir=None):
    """Read record ``name`` of database ``db`` (``"mitdb"`` or ``"vfdb"``) with its annotations."""
    base = resolve_data_dir(data_dir) / db / str(name)
    if not base.with_suffix(".hea").exists():
        raise FileNotFoundError(
            f"{base}.hea not found: set ECG_DATA_DIR or pass data_dir to the folder holding "
            f"{db}/ (PhysioNet WFDB files)"
        )
    rec = wfdb.rdrecord(str(base), physical=True)
    ann = wfdb.rdann(str(base), "atr")
    signal = np.asarray(rec.p_signal, dtype=np.float64)
    units = [u.lower() for u in (rec.units or ["mV"] * signal.shape[1])]
    for i, unit in enumerate(units):
        if unit in ("uv", "µv", "microvolt"):
            signal[:, i] /= 1000.0
    aux = ann.aux_note or [""] * len(ann.sample)
    rhythm = [
        (int(s), a.replace("\x00", "").strip())
        for s, a in zip(ann.sample, aux, strict=True)
        if a and a.replace("\x00", "").strip().startswith("(")
    ]
    return Record(
        name=str(name),
        db=db,
        fs=float(rec.fs),
        signal=signal,
        lead_names=list(rec.sig_name),
        ann_samples=np.asarray(ann.sample, dtype=np.int64),
        ann_symbols=list(ann.symbol),
        rhythm=rhythm,
    )


def main_lead_index(record):
    """MLII for mitdb (absent in 102 and 104, which have V5 first: lead 0 there); lead 0 for
    vfdb and anything else."""
    for preferred in MAIN_LEAD_PREFERENCE:
        if preferred in record.lead_names:
            return record.lead_names.index(preferred)
    return 0


def rhythm_spans(record, rhythms):
    """[(start, end)] sample spans whose rhythm annotation is in ``rhythms``; a span ends at the
    next rhythm annotation or at the end of the record."""
    spans = []
    n = record.signal.shape[0]
    for i, (sample, note) in enumerate(record.rhythm):
        if note in rhythms:
            end = record.rhythm[i + 1][0] if i + 1 < len(record.rhythm) else n
            spans.append((sample, end))
    return spans


def vf_spans(record):
    """Ventricular fibrillation/flutter spans: from a ``(VF``, ``(VFL`` or ``(VFIB`` rhythm
    annotation to the next rhythm annotation (or the record end)."""
    return rhythm_spans(record, VF_RHYTHMS)


def mitdb_vf_spans(record):
    """Ventricular flutter episodes of a mitdb record (rhythm ``(VFL``; only record 207 has
    them). Same rule as ``vf_spans``; mitdb has no ``(VF``/``(VFIB`` notes, so this is it."""
    return rhythm_spans(record, VF_RHYTHMS)


def in_spans(samples, spans):
    """Boolean mask: which ``samples`` fall inside any [start, end) span."""
    samples = np.asarray(samples)
    mask = np.zeros(samples.shape, dtype=bool)
    for start, end in spans:
        mask |= (samples >= start) & (samples < end)
    return mask
