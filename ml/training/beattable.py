"""The beat table: every beat our detector finds in every record, with its label, windows of
every present lead, rhythm features, patient and fold.

Per record (``build_record``): the record's leads go into the 12 slots (``sources``), each
present lead is cleaned (``ml.preprocess.clean``: 360 Hz, baseline removed, denoised), the R
peaks are found on lead II (else the first present lead) by ``ml.detect.detect_r_peaks``, and
around each peak a wide window (0.45 s before to 0.60 s after, 378 samples; the model's own
0.28 s / 0.42 s window is its middle, ``model_window``) is cut from every present lead. The
labels come from ``beatlabels``. Rhythm features are ``ml.segment.rhythm_features`` over all
detections of the record.

Each record is cached as ``<cache>/beattable/<version>/<database>-<record>.npz`` (float16
windows of the present leads only); ``version`` hashes the source files that make the table,
so changing any of them builds a new table. Files are written to a temporary name and renamed,
so parallel builders never leave or read a half-written file.

    python -m ml.training.beattable --summary [--jobs 2] [--reasons] [--folds] [--prune]
"""
import argparse
import hashlib
import os
import resource
import shutil
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ml.detect import detect_r_peaks
from ml.preprocess import TARGET_FS, clean
from ml.registry import CLASS_CODES, NOT_VF
from ml.segment import N_RHYTHM, rhythm_features

from . import beatlabels, folds, sources
from .beatlabels import LABEL_NAMES, UNSCORED

FS = TARGET_FS
WIDE_BEFORE = round(0.45 * FS)  # 162
WIDE_AFTER = round(0.60 * FS)  # 216
WIDE = WIDE_BEFORE + WIDE_AFTER  # 378
MODEL_BEFORE = round(beatlabels.WINDOW_BEFORE_S * FS)  # 101
MODEL_WINDOW = MODEL_BEFORE + round(beatlabels.WINDOW_AFTER_S * FS)  # 252

_ML = Path(__file__).resolve().parents[1]
VERSION_SOURCES = ("preprocess.py", "detect.py", "segment.py", "registry.py",
                   "training/sources.py", "training/beatlabels.py", "training/beattable.py")
DEFAULT_CACHE = sources.REPO_ROOT / "runs" / "cache"


def code_version():
    """Hash of the source files that decide the table's content (12 hex digits)."""
    h = hashlib.sha256()
    for name in VERSION_SOURCES:
        h.update(name.encode())
        h.update((_ML / name).read_bytes())
    return h.hexdigest()[:12]


def model_window(wide, shift=0):
    """The model's window (252 samples, R at 101) cut from wide windows (..., 378)."""
    start = WIDE_BEFORE - MODEL_BEFORE + shift
    return wide[..., start:start + MODEL_WINDOW]


def cut(x, peaks, before=WIDE_BEFORE, after=WIDE_AFTER):
    """Windows x[p - before : p + after] of a 1-D signal, zero outside it: (n, before+after)."""
    padded = np.pad(np.asarray(x, np.float32), (before, after))
    return padded[np.asarray(peaks, np.int64)[:, None] + np.arange(before + after)[None, :]]


def build_record(info):
    """The beat table of one record as a dict of arrays (what the cache file holds)."""
    rec = sources.load(info)
    slots = np.flatnonzero(rec.present)
    cleaned = np.stack([clean(rec.signal[:, s], info.fs)[0] for s in slots]).astype(np.float32)
    det = int(np.flatnonzero(slots == rec.detection_slot)[0])
    peaks = detect_r_peaks(cleaned[det], FS)
    n = cleaned.shape[1]
    wide = np.stack([cut(lead, peaks) for lead in cleaned], axis=1)  # (beats, leads, WIDE)
    if info.database == "mitdb":
        m = info.meta
        lab = beatlabels.label_mitdb(peaks, n, m["ann_samples"], m["ann_symbols"], info.fs)
    elif info.database == "vfdb":
        lab = beatlabels.label_vfdb(peaks, n, info.meta["rhythm"], info.fs)
    else:
        facts = beatlabels.record_facts(info)
        marks = None
        if info.database == "ludb":
            marks = beatlabels.ludb_beat_marks(peaks, sources.ludb_marks(info), info.fs)
        lab = beatlabels.label_by_rules(facts, peaks, n, wide, WIDE_BEFORE, marks)
    names, codes = np.unique(lab.reasons, return_inverse=True) if len(peaks) else (
        np.zeros(0, str), np.zeros(0, np.int64))
    out = {
        "peaks": peaks.astype(np.int64),
        "labels": lab.labels.astype(np.int8),
        "reason": codes.astype(np.uint8),
        "reason_names": names.astype(str),
        "windows": wide.astype(np.float16),
        "slots": slots.astype(np.int8),
        "rhythm": rhythm_features(peaks, FS),
        "n_samples": np.int64(n),
    }
    for key, value in lab.features.items():
        out[f"feature_{key}"] = np.asarray(value)
    return out


def cache_path(info, cache=None, version=None):
    cache = Path(cache) if cache else DEFAULT_CACHE
    return cache / "beattable" / (version or code_version()) / f"{info.database}-{info.record}.npz"


def record_table(info, cache=None, version=None, rebuild=False):
    """The record's table from the cache, built (and cached) when missing or ``rebuild``."""
    path = cache_path(info, cache, version)
    if path.exists() and not rebuild:
        with np.load(path, allow_pickle=False) as f:
            return {k: f[k] for k in f.files}
    table = build_record(info)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp.npz")
    np.savez(tmp, **table)
    os.replace(tmp, path)
    return table


def _build_one(args):
    info, cache, version, rebuild = args
    record_table(info, cache, version, rebuild)
    return info.key


@dataclass
class BeatTable:
    """Every beat of the chosen records. Windows stay per record (only present leads, float16);
    ``windows12(idx)`` assembles the 12 slots of any beats."""

    infos: list  # sources.RecordInfo per record
    tables: list  # the cached dict per record
    record: np.ndarray  # (beats,) index into infos
    beat: np.ndarray  # (beats,) index inside its record
    labels: np.ndarray  # (beats,) int8
    database: np.ndarray  # (beats,) str
    patient: np.ndarray  # (beats,) str
    fold: np.ndarray  # (beats,) int8, -1 when the record is in no fold
    rhythm: np.ndarray  # (beats, N_RHYTHM) float32
    present: np.ndarray  # (beats, 12) bool
    reasons: np.ndarray  # (beats,) str

    def __len__(self):
        return len(self.labels)

    def windows12(self, idx, wide=False):
        """(len(idx), 12, 252) float32 model windows (378 with ``wide``), zeros in absent
        slots."""
        idx = np.asarray(idx, np.int64)
        width = WIDE if wide else MODEL_WINDOW
        out = np.zeros((len(idx), sources.N_LEADS, width), np.float32)
        for j, i in enumerate(idx):
            t = self.tables[self.record[i]]
            w = t["windows"][self.beat[i]]
            out[j, t["slots"]] = w if wide else model_window(w)
        return out


def load(infos=None, cache=None, jobs=1, rebuild=False, progress=None):
    """The BeatTable of ``infos`` (default: every record of the four databases), building
    missing records with ``jobs`` processes."""
    infos = sources.catalog() if infos is None else list(infos)
    version = code_version()
    todo = [i for i in infos if rebuild or not cache_path(i, cache, version).exists()]
    if todo:
        args = [(i, cache, version, rebuild) for i in todo]
        if jobs > 1:
            with ProcessPoolExecutor(jobs) as pool:
                for key in pool.map(_build_one, args, chunksize=4):
                    if progress:
                        progress(key)
        else:
            for a in args:
                key = _build_one(a)
                if progress:
                    progress(key)
    fold_of = folds.record_folds()
    tables = [record_table(i, cache, version) for i in infos]
    cols = {k: [] for k in ("record", "beat", "labels", "database", "patient", "fold",
                            "rhythm", "present", "reasons")}
    for r, (info, t) in enumerate(zip(infos, tables, strict=True)):
        n = len(t["labels"])
        present = np.zeros(sources.N_LEADS, bool)
        present[t["slots"]] = True
        cols["record"].append(np.full(n, r, np.int32))
        cols["beat"].append(np.arange(n, dtype=np.int32))
        cols["labels"].append(t["labels"])
        cols["database"].append(np.full(n, info.database))
        cols["patient"].append(np.full(n, info.patient))
        cols["fold"].append(np.full(n, fold_of.get(info.key, -1), np.int8))
        cols["rhythm"].append(t["rhythm"].reshape(n, N_RHYTHM))
        cols["present"].append(np.repeat(present[None], n, axis=0))
        cols["reasons"].append(t["reason_names"][t["reason"]] if n else np.zeros(0, str))
    return BeatTable(infos, tables, **{k: np.concatenate(v) for k, v in cols.items()})


def summary(table):
    """{database: {label name: (beats, patients)}} over the table."""
    out = {}
    for db in sources.DATABASES:
        in_db = table.database == db
        if not np.any(in_db):
            continue
        row = {}
        for code, name in LABEL_NAMES.items():
            sel = in_db & (table.labels == code)
            if np.any(sel):
                row[name] = (int(sel.sum()), len(set(table.patient[sel])))
        out[db] = row
    return out


def format_summary(table):
    names = list(CLASS_CODES) + [LABEL_NAMES[NOT_VF], LABEL_NAMES[UNSCORED]]
    s = summary(table)
    lines = ["| database | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    total = {}
    for db, row in s.items():
        cells = []
        for name in names:
            beats, pts = row.get(name, (0, 0))
            cells.append(f"{beats:,} / {pts}" if beats else "-")
        lines.append(f"| {db} | " + " | ".join(cells) + " |")
    for name in names:
        code = next(k for k, v in LABEL_NAMES.items() if v == name)
        sel = table.labels == code
        total[name] = (int(sel.sum()), len(set(table.patient[sel])))
    lines.append("| all | " + " | ".join(
        f"{b:,} / {p}" if b else "-" for b, p in (total[n] for n in names)) + " |")
    return "\n".join(lines)


def format_folds(table):
    """Beats / patients per fold and class, as Markdown."""
    names = list(CLASS_CODES) + [LABEL_NAMES[NOT_VF]]
    codes = [k for n in names for k, v in LABEL_NAMES.items() if v == n]
    lines = ["| fold | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    for f in sorted(set(table.fold.tolist())):
        cells = []
        for code in codes:
            sel = (table.fold == f) & (table.labels == code)
            cells.append(f"{int(sel.sum()):,} / {len(set(table.patient[sel]))}"
                         if np.any(sel) else "-")
        lines.append(f"| {f} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def prune(cache=None):
    """Delete cached tables of other code versions; returns the folders removed."""
    root = (Path(cache) if cache else DEFAULT_CACHE) / "beattable"
    keep = code_version()
    removed = []
    for folder in sorted(root.glob("*")) if root.exists() else []:
        if folder.is_dir() and folder.name != keep:
            shutil.rmtree(folder)
            removed.append(folder)
    return removed


def format_reasons(table):
    lines = []
    for db in sources.DATABASES:
        sel = table.database == db
        if not np.any(sel):
            continue
        counts = Counter(zip(table.labels[sel].tolist(), table.reasons[sel].tolist(), strict=True))
        lines.append(f"{db}:")
        for (code, reason), k in sorted(counts.items(), key=lambda x: (-x[1], x[0])):
            lines.append(f"  {LABEL_NAMES[code]:>8}  {k:>7,}  {reason}")
    return "\n".join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--summary", action="store_true",
                   help="print beats / patients per database and label")
    p.add_argument("--reasons", action="store_true", help="print the count of every rule")
    p.add_argument("--folds", action="store_true", help="print beats / patients per fold")
    p.add_argument("--prune", action="store_true",
                   help="delete cached tables of other code versions")
    p.add_argument("--databases", nargs="+", default=list(sources.DATABASES))
    p.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    p.add_argument("--cache", default=None, help=f"cache folder (default {DEFAULT_CACHE})")
    p.add_argument("--rebuild", action="store_true", help="rebuild even when cached")
    args = p.parse_args(argv)
    if args.prune:
        for folder in prune(args.cache):
            print(f"removed {folder}")
    start = time.perf_counter()
    infos = sources.catalog(args.databases)
    built = []
    table = load(infos, args.cache, args.jobs, args.rebuild, progress=built.append)
    seconds = time.perf_counter() - start
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"beat table version {code_version()}: {len(infos)} records, {len(table):,} beats, "
          f"{len(set(table.patient))} patients; {len(built)} records built in {seconds:.1f} s "
          f"with {args.jobs} process(es); peak memory {own:.0f} MiB (this process), "
          f"{kids:.0f} MiB (largest builder)")
    if args.summary or not (args.reasons or args.folds):
        print("\nbeats / patients per database and label:\n")
        print(format_summary(table))
    if args.folds:
        print("\nbeats / patients per fold (folds.json) and label:\n")
        print(format_folds(table))
    if args.reasons:
        print("\nrules applied (label, beats, rule):\n")
        print(format_reasons(table))
    return 0


if __name__ == "__main__":
    sys.exit(main())
