"""Every record of the four training databases in one shape: 12 lead slots, a presence mask,
the patient, and what the release says about the record.

``catalog()`` lists the records from their headers and annotation files only (fast: no signal
is read); ``load(info)`` reads one record's signals into the 12 standard lead slots.

Databases (``../shared/data/README.md`` describes them):

- ``mitdb`` (MIT-BIH Arrhythmia, 48 records, 360 Hz): MLII goes to slot II (the modified limb
  lead is placed on the torso, but it is the lead II of the recordings the product reads), the
  second lead (V1, V2, V4 or V5) to its own slot. Records 201 and 202 come from one patient.
  Beat annotations (``atr``) are kept for the beat labels.
- ``vfdb`` (MIT-BIH Malignant Ventricular Ectopy, 22 records of 22 patients, 250 Hz): its two
  leads are unnamed Holter leads. Lead 0 goes to slot II, as the product has always read it
  (its QRS complexes look like a limb or modified limb lead's); lead 1 is left out, because
  putting a lead of unknown placement in a named slot would teach the network a wrong shape for
  that lead, and no upload ever fills a thirteenth "other" slot. Rhythm notes are kept.
- ``ludb`` (LUDB, 200 patients, 12 leads, 500 Hz): diagnoses from the release's ``ludb.csv``
  (one column per kind: rhythm, conduction, extrasystoles, pacing...); the cardiologists' QRS
  and P marks of every lead are read by ``ludb_marks``.
- ``ptbxl`` (PTB-XL records 1-500, 12 leads, 500 Hz): ``scp_codes`` with their likelihoods,
  the ``extra_beats`` and ``pacemaker`` columns, grouped into patients by ``patient_id``.

Paced records are left out, as AAMI EC57 does: mitdb 102 104 107 217, ptbxl records with the
``PACE`` statement or a ``pacemaker`` note, ludb records with anything in its "Cardiac pacing"
column (ventricular, atrial or biventricular pacing, P-synchrony). ``catalog()`` still lists
them, with ``excluded`` saying why, so counts can show what was left out.
"""
import ast
import os
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import wfdb

LEADS = ("I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6")
LEAD_INDEX = {name: i for i, name in enumerate(LEADS)}
N_LEADS = len(LEADS)
II = LEAD_INDEX["II"]
DATABASES = ("mitdb", "vfdb", "ludb", "ptbxl")

REPO_ROOT = Path(__file__).resolve().parents[2]

MITDB_PACED = ("102", "104", "107", "217")
# One patient recorded twice (PhysioNet's mitdb notes: 201 and 202 are the same subject).
MITDB_SAME_PATIENT = {"202": "201"}
# mitdb channel names that are the standard leads of the same name (MLII is lead II's place).
_MITDB_SLOT = {"MLII": "II", "V1": "V1", "V2": "V2", "V4": "V4", "V5": "V5"}
PTBXL_RECORD_COUNT = 500  # the records 1-500 kept in ../shared/data/ptbxl


def data_dir(path=None):
    """The data folder: ``path``, else ``$ECG_DATA_DIR``, else ``<repo>/../shared/data``."""
    if path is not None:
        return Path(path)
    env = os.environ.get("ECG_DATA_DIR")
    return Path(env) if env else REPO_ROOT.parent / "shared" / "data"


@dataclass
class RecordInfo:
    """One record as the release describes it (no signal read)."""

    database: str
    record: str
    patient: str  # "<database>:<id>", unique across databases
    fs: float
    n_samples: int
    channels: dict  # lead slot name -> channel index in the file
    path: str  # the WFDB record path without suffix
    diagnoses: tuple = ()  # readable record-level statements
    excluded: str | None = None  # why the record is left out of training and scoring
    meta: dict = field(default_factory=dict)  # database-specific fields the label rules read

    @property
    def key(self):
        return f"{self.database}/{self.record}"

    @property
    def leads(self):
        """The lead slots this record fills, in slot order."""
        return tuple(name for name in LEADS if name in self.channels)


@dataclass
class Recording:
    """A record's signals in the 12 lead slots: ``signal`` (n, 12) float32 in mV, zeros in the
    slots of absent leads; ``present`` (12,) bool."""

    info: RecordInfo
    signal: np.ndarray
    present: np.ndarray

    @property
    def detection_slot(self):
        """The slot our R-peak detector reads: II, else the first present lead."""
        return II if self.present[II] else int(np.flatnonzero(self.present)[0])


def _rhythm_notes(ann):
    aux = ann.aux_note or [""] * len(ann.sample)
    out = []
    for sample, note in zip(ann.sample, aux, strict=True):
        note = (note or "").replace("\x00", "").strip()
        if note.startswith("("):
            out.append((int(sample), note))
    return out


def _mitdb(base):
    out = []
    for name in (base / "RECORDS").read_text().split():
        path = base / name
        header = wfdb.rdheader(str(path))
        ann = wfdb.rdann(str(path), "atr")
        channels = {_MITDB_SLOT[s]: i for i, s in enumerate(header.sig_name) if s in _MITDB_SLOT}
        rhythms = _rhythm_notes(ann)
        symbols = Counter(ann.symbol)
        out.append(RecordInfo(
            database="mitdb",
            record=name,
            patient=f"mitdb:{MITDB_SAME_PATIENT.get(name, name)}",
            fs=float(header.fs),
            n_samples=int(header.sig_len),
            channels=channels,
            path=str(path),
            diagnoses=tuple(sorted({note for _, note in rhythms})),
            excluded="paced" if name in MITDB_PACED else None,
            meta={"symbols": dict(symbols), "rhythm": rhythms,
                  "ann_samples": np.asarray(ann.sample, np.int64),
                  "ann_symbols": list(ann.symbol)},
        ))
    return out


def _vfdb(base):
    out = []
    for name in (base / "RECORDS").read_text().split():
        path = base / name
        header = wfdb.rdheader(str(path))
        rhythms = _rhythm_notes(wfdb.rdann(str(path), "atr"))
        out.append(RecordInfo(
            database="vfdb",
            record=name,
            patient=f"vfdb:{name}",
            fs=float(header.fs),
            n_samples=int(header.sig_len),
            channels={"II": 0},
            path=str(path),
            diagnoses=tuple(sorted({note for _, note in rhythms})),
            meta={"rhythm": rhythms},
        ))
    return out


def _cells(value):
    if not isinstance(value, str):
        return []
    return [line.strip() for line in value.splitlines() if line.strip()]


LUDB_COLUMNS = ("Rhythms", "Electric axis of the heart", "Conduction abnormalities",
                "Extrasystolies", "Hypertrophies", "Cardiac pacing", "Ischemia",
                "Non-specific repolarization abnormalities", "Other states")


def _ludb(base):
    table = pd.read_csv(base / "ludb.csv")
    out = []
    for row in table.itertuples(index=False):
        row = dict(zip(table.columns, row, strict=True))
        name = str(int(row["ID"]))
        path = base / "data" / name
        header = wfdb.rdheader(str(path))
        channels = {}
        for i, s in enumerate(header.sig_name):
            slot = next((lead for lead in LEADS if lead.lower() == s.strip().lower()), None)
            if slot is not None:
                channels[slot] = i
        by_kind = {col: _cells(row[col]) for col in LUDB_COLUMNS}
        diagnoses = tuple(d for col in LUDB_COLUMNS for d in by_kind[col])
        out.append(RecordInfo(
            database="ludb",
            record=name,
            patient=f"ludb:{name}",
            fs=float(header.fs),
            n_samples=int(header.sig_len),
            channels=channels,
            path=str(path),
            diagnoses=diagnoses,
            excluded="paced" if by_kind["Cardiac pacing"] else None,
            meta={"by_kind": by_kind},
        ))
    return out


def _ptbxl(base):
    table = pd.read_csv(base / "ptbxl_database.csv")
    table = table[table["ecg_id"] <= PTBXL_RECORD_COUNT]
    out = []
    for row in table.itertuples(index=False):
        path = base / row.filename_hr
        header = wfdb.rdheader(str(path))
        channels = {}
        for i, s in enumerate(header.sig_name):
            slot = next((lead for lead in LEADS if lead.lower() == s.strip().lower()), None)
            if slot is not None:
                channels[slot] = i
        scp = {k: float(v) for k, v in ast.literal_eval(row.scp_codes).items()}
        extra = row.extra_beats if isinstance(row.extra_beats, str) else None
        pacemaker = isinstance(row.pacemaker, str) and "pacemaker" in row.pacemaker.lower()
        out.append(RecordInfo(
            database="ptbxl",
            record=str(int(row.ecg_id)),
            patient=f"ptbxl:{int(row.patient_id)}",
            fs=float(header.fs),
            n_samples=int(header.sig_len),
            channels=channels,
            path=str(path),
            diagnoses=tuple(f"{k} ({v:g})" for k, v in scp.items())
            + ((f"extra_beats {extra}",) if extra else ()),
            excluded="paced" if ("PACE" in scp or pacemaker) else None,
            meta={"scp": scp, "extra_beats": extra, "pacemaker": pacemaker,
                  "strat_fold": int(row.strat_fold),
                  "report": row.report if isinstance(row.report, str) else ""},
        ))
    return out


_READERS = {"mitdb": _mitdb, "vfdb": _vfdb, "ludb": _ludb, "ptbxl": _ptbxl}


@lru_cache(maxsize=8)
def _read(db, base):
    if db not in _READERS:
        raise ValueError(f"unknown database {db!r}; known: {', '.join(DATABASES)}")
    folder = Path(base) / db
    if not folder.is_dir():
        raise FileNotFoundError(
            f"{folder} not found: set ECG_DATA_DIR to the folder holding "
            f"{', '.join(DATABASES)} (see shared/data/README.md)"
        )
    return tuple(_READERS[db](folder))


def catalog(databases=DATABASES, path=None, include_excluded=False):
    """RecordInfo of every record of ``databases`` (paced ones only with ``include_excluded``).
    Read once per process and data folder (a few seconds: ~1,200 headers and annotation files);
    treat the returned objects as read-only."""
    base = str(data_dir(path).resolve())
    return [i for db in databases for i in _read(db, base)
            if include_excluded or i.excluded is None]


def load(info):
    """The record's signals in the 12 lead slots (mV, float32) and its presence mask."""
    rec = wfdb.rdrecord(info.path, physical=True, channels=sorted(info.channels.values()))
    order = sorted(info.channels.values())
    signal = np.zeros((rec.p_signal.shape[0], N_LEADS), np.float32)
    present = np.zeros(N_LEADS, bool)
    units = rec.units or ["mV"] * len(order)
    for slot, channel in info.channels.items():
        col = order.index(channel)
        x = np.asarray(rec.p_signal[:, col], np.float64)
        unit = units[col].lower()
        if unit in ("uv", "µv", "microvolt"):
            x = x / 1000.0
        elif unit == "v":
            x = x * 1000.0
        # A few samples of some records are NaN (a lead off); zero keeps the filters stable.
        x = np.where(np.isfinite(x), x, 0.0)
        signal[:, LEAD_INDEX[slot]] = x
        present[LEAD_INDEX[slot]] = True
    return Recording(info, signal, present)


@dataclass
class Wave:
    """One wave marked by LUDB's cardiologists in one lead: onset, peak, offset (samples)."""

    kind: str  # "p", "N" (QRS) or "t"
    onset: int
    peak: int
    offset: int


def ludb_marks(info):
    """{lead slot: [Wave]} of a ludb record: the P, QRS and T waves marked in each lead's
    annotation file (``rdann(record, 'ii')``), as onset ``(``, peak symbol, offset ``)``."""
    if info.database != "ludb":
        raise ValueError(f"{info.key} is not a ludb record")
    out = {}
    for slot in info.leads:
        ann = wfdb.rdann(info.path, slot.lower())
        waves = []
        sym, smp = ann.symbol, ann.sample
        for k in range(1, len(sym) - 1):
            if sym[k] in ("p", "N", "t") and sym[k - 1] == "(" and sym[k + 1] == ")":
                waves.append(Wave(sym[k], int(smp[k - 1]), int(smp[k]), int(smp[k + 1])))
        out[slot] = waves
    return out


def patients(infos):
    """{patient: [record keys]} in catalog order."""
    out = {}
    for info in infos:
        out.setdefault(info.patient, []).append(info.key)
    return out


def describe(infos):
    """Counts per database: records, patients, excluded records (for the CLI and docs)."""
    rows = {}
    for info in infos:
        row = rows.setdefault(info.database, {"records": 0, "patients": set(), "excluded": 0})
        if info.excluded:
            row["excluded"] += 1
        else:
            row["records"] += 1
            row["patients"].add(info.patient)
    return {db: {"records": r["records"], "patients": len(r["patients"]),
                 "excluded": r["excluded"]} for db, r in rows.items()}

