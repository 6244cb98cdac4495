"""Patient-grouped folds and the named evaluation splits.

Five folds over every patient of the four databases (paced records left out): a patient's
records are all in one fold (mitdb 201 and 202 are one patient, PTB-XL groups by
``patient_id``), and the patients of each class and database are spread over the folds, the
rarest such stratum first (so mitdb's few L patients, who bring thousands of beats each, are
spread on their own, apart from the ludb and PTB-XL L patients with about ten beats each).
A patient "has" a class when:

- mitdb: at least ``MITDB_MIN_BEATS`` beats annotated with the class's symbols;
- vfdb: VF when the record has a ``(VF``/``(VFL``/``(VFIB`` span;
- ludb, ptbxl: the class is among the record's ``beatlabels.RecordFacts.classes`` (what its
  diagnoses allow the rules to label).

These are record facts (annotations and diagnoses), not detector output, so the folds do not
move when the detector or the label rules change. The assignment is seeded and written to
``folds.json`` beside this file; ``python -m ml.training.folds --write`` recomputes it, and a
test checks that the committed file is what the code computes.

Named splits (``split(name)`` returns the training and test record keys):

- ``cv0`` .. ``cv4``: test on fold k, train on the other four;
- ``unseen-ludb`` / ``unseen-ptbxl``: train on every other database, test on that one;
- ``ds1-ds2``: de Chazal et al. (2004) inter-patient split of mitdb, with vfdb's VF patients
  419 422 426 430 and its fourteen records without VF (their "not VF" beats) on the training
  side and VF patients 418 424 429 609 on the test side, as the product has reported it.
  Kept for comparison with the literature although it is not patient-disjoint: 201 (DS1) and
  202 (DS2) are one patient.
"""
import argparse
import json
import sys
from functools import lru_cache
from pathlib import Path

import numpy as np

from ml.registry import CLASS_CODES, MITDB_SYMBOL_TO_CLASS, VF_RHYTHMS

from . import beatlabels, sources

N_FOLDS = 5
SEED = 20260115
MITDB_MIN_BEATS = 20
FOLDS_JSON = Path(__file__).with_name("folds.json")

DS1 = ("101", "106", "108", "109", "112", "114", "115", "116", "118", "119", "122",
       "124", "201", "203", "205", "207", "208", "209", "215", "220", "223", "230")
DS2 = ("100", "103", "105", "111", "113", "117", "121", "123", "200", "202", "210",
       "212", "213", "214", "219", "221", "222", "228", "231", "232", "233", "234")
VFDB_VF_TRAIN = ("419", "422", "426", "430")
VFDB_VF_TEST = ("418", "424", "429", "609")
SPLITS = tuple(f"cv{k}" for k in range(N_FOLDS)) + ("unseen-ludb", "unseen-ptbxl", "ds1-ds2")


def record_classes(info):
    """The classes a record's annotations or diagnoses give it (see the module docstring)."""
    if info.database == "mitdb":
        counts = {}
        for symbol, k in info.meta["symbols"].items():
            code = MITDB_SYMBOL_TO_CLASS.get(symbol)
            if code:
                counts[code] = counts.get(code, 0) + k
        return sorted((c for c, k in counts.items() if k >= MITDB_MIN_BEATS),
                      key=CLASS_CODES.index)
    if info.database == "vfdb":
        return ["VF"] if any(n in VF_RHYTHMS for _, n in info.meta["rhythm"]) else []
    return beatlabels.record_facts(info).classes


def assign(patient_classes, patient_db, n_folds=N_FOLDS, seed=SEED):
    """{patient: fold}. Classes are taken rarest first; each patient of the class not yet
    placed goes to the fold with the fewest patients of that class, then the fewest patients
    of its database, then the fewest patients (then the lowest fold number). Patients with no
    class are placed last by the same database/size rule. Patients are visited in a seeded
    random order, so ties are broken by chance, reproducibly."""
    rng = np.random.default_rng(seed)
    order = [sorted(patient_classes)[i] for i in rng.permutation(len(patient_classes))]
    codes = sorted({c for cs in patient_classes.values() for c in cs},
                   key=lambda c: (sum(c in cs for cs in patient_classes.values()), c))
    per_class = np.zeros((n_folds, len(codes)), int)
    per_db = {}
    size = np.zeros(n_folds, int)
    fold_of = {}

    def place(p, key):
        db = per_db.setdefault(patient_db[p], np.zeros(n_folds, int))
        f = min(range(n_folds), key=lambda f: (key(f), db[f], size[f], f))
        fold_of[p] = f
        size[f] += 1
        db[f] += 1
        for c in patient_classes[p]:
            per_class[f, codes.index(c)] += 1

    for j, code in enumerate(codes):
        for p in order:
            if p not in fold_of and code in patient_classes[p]:
                place(p, lambda f, j=j: per_class[f, j])
    for p in order:
        if p not in fold_of:
            place(p, lambda f: 0)
    return fold_of


def compute(infos=None):
    """The folds document: {patient: {fold, database, records, classes}} and the rule."""
    infos = sources.catalog() if infos is None else infos
    classes, dbs, records = {}, {}, {}
    for info in infos:
        classes.setdefault(info.patient, set()).update(record_classes(info))
        dbs[info.patient] = info.database
        records.setdefault(info.patient, []).append(info.record)
    # Strata are class x database: a mitdb patient brings thousands of beats of a class, a
    # 12-lead record about ten, so each kind is spread over the folds on its own.
    strata = {p: {f"{c}@{dbs[p]}" for c in cs} for p, cs in classes.items()}
    fold_of = assign(strata, dbs)
    patients = {
        p: {"fold": fold_of[p], "database": dbs[p], "records": records[p],
            "classes": sorted(classes[p], key=CLASS_CODES.index)}
        for p in sorted(fold_of)
    }
    return {
        "n_folds": N_FOLDS,
        "seed": SEED,
        "rule": "patient-grouped; class x database strata spread rarest first (folds.py)",
        "patients": patients,
    }


def dumps(doc):
    """JSON with one patient per line, so a change shows as a readable diff."""
    head = {k: v for k, v in doc.items() if k != "patients"}
    lines = ["{"] + [f"  {json.dumps(k)}: {json.dumps(v)}," for k, v in head.items()]
    lines.append('  "patients": {')
    items = list(doc["patients"].items())
    for i, (p, row) in enumerate(items):
        lines.append(f"    {json.dumps(p)}: {json.dumps(row)}" + ("," if i < len(items) - 1
                                                               else ""))
    lines += ["  }", "}"]
    return "\n".join(lines) + "\n"


@lru_cache(maxsize=1)
def _document():
    return json.loads(FOLDS_JSON.read_text())


def document():
    """The committed folds (folds.json)."""
    return _document()


def record_folds():
    """{"<database>/<record>": fold} from the committed folds."""
    out = {}
    for row in document()["patients"].values():
        for r in row["records"]:
            out[f"{row['database']}/{r}"] = row["fold"]
    return out


def split(name, infos=None):
    """(train keys, test keys) of the named split over ``infos`` (default: the catalog)."""
    infos = sources.catalog() if infos is None else infos
    keys = [i.key for i in infos]
    db = {i.key: i.database for i in infos}
    if name.startswith("cv") and name[2:].isdigit() and int(name[2:]) < N_FOLDS:
        k = int(name[2:])
        fold = record_folds()
        missing = [key for key in keys if key not in fold]
        if missing:
            raise ValueError(f"records not in folds.json: {', '.join(missing[:5])}... "
                             "(run python -m ml.training.folds --write)")
        return [x for x in keys if fold[x] != k], [x for x in keys if fold[x] == k]
    if name in ("unseen-ludb", "unseen-ptbxl"):
        held = name.split("-", 1)[1]
        return [x for x in keys if db[x] != held], [x for x in keys if db[x] == held]
    if name == "ds1-ds2":
        train = [f"mitdb/{r}" for r in DS1] + [
            x for x in keys if db[x] == "vfdb" and x.split("/")[1] not in VFDB_VF_TEST]
        test = [f"mitdb/{r}" for r in DS2] + [f"vfdb/{r}" for r in VFDB_VF_TEST]
        return [x for x in train if x in db], [x for x in test if x in db]
    raise ValueError(f"unknown split {name!r}; known: {', '.join(SPLITS)}")


def table(doc):
    """Patients per fold and class, as Markdown."""
    codes = list(CLASS_CODES)
    rows = ["| fold | patients | " + " | ".join(codes) + " | databases |",
            "|---" * (len(codes) + 3) + "|"]
    for f in range(doc["n_folds"]):
        ps = [r for r in doc["patients"].values() if r["fold"] == f]
        dbs = {}
        for r in ps:
            dbs[r["database"]] = dbs.get(r["database"], 0) + 1
        cells = [str(sum(c in r["classes"] for r in ps)) for c in codes]
        rows.append(f"| {f} | {len(ps)} | " + " | ".join(cells) + " | "
                    + ", ".join(f"{d} {k}" for d, k in sorted(dbs.items())) + " |")
    return "\n".join(rows)


def main(argv=None):
    p = argparse.ArgumentParser(description="Patient-grouped folds (ml/training/folds.json)")
    p.add_argument("--write", action="store_true", help="recompute and write folds.json")
    args = p.parse_args(argv)
    doc = compute()
    if args.write:
        FOLDS_JSON.write_text(dumps(doc))
        print(f"wrote {FOLDS_JSON}")
    elif dumps(doc) != FOLDS_JSON.read_text():
        print("folds.json differs from what the code computes: run with --write")
    print(table(doc))
    return 0


if __name__ == "__main__":
    sys.exit(main())
