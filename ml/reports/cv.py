"""Evaluation of the recordings model (leadnet) on patients it never saw.

Each model trained by ``ml.training.leadnet`` lists in its meta.json the records and patients
it was trained on; scoring it on any of them raises ``SeenPatients`` (as ``ml.reports.evaluate``
refuses a model on its own training split). Unscored beats (``beatlabels``) are never scored.

- ``cv``: 5-fold patient-grouped cross-validation over the four databases (``folds.json``):
  the models of ``cv0``..``cv4``, each scored on its own test fold, pooled. Two input modes:
  "several leads" (every lead the record has: 12 for ludb/PTB-XL, II + one chest lead for
  mitdb, II for vfdb) and "one lead" (lead II alone). Per class: F1, precision, recall, and
  the beats and patients behind each figure; vfdb "not VF" beats called VF.
- ``unseen_database``: the ``unseen-ptbxl`` model (trained without PTB-XL) on PTB-XL.
- ``ds1_ds2``: the ``ds1-ds2`` model (mitdb DS1 + vfdb) on DS2 + four vfdb VF patients, lead II;
  record 202 is left out (its patient is 201's, in DS1).
- ``records``: record-level answers on the held-out ludb and PTB-XL records of the CV folds
  (each scored by its fold's model, all its detected beats): complete bundle branch block
  (the headline finding, ``ml.summary.finding``, is L or R) against the record's diagnosis
  (``beatlabels.record_facts``); premature atrial / ventricular beats present (at least one,
  and at least two beats called A / V) against the diagnosis.

With ``--ensemble DIR [DIR ...]`` (each DIR holding cvK runs, e.g. one per training seed) the
CV figures are those of the ensemble: for each fold and mode, the mean of the models' class
probabilities, then scored as one model's.

    python -m ml.reports.cv --runs runs/leadnet --json runs/leadnet/cv.json
    python -m ml.reports.cv --ensemble runs/ens/s1 runs/ens/s2 runs/ens/s3 --folds 0 1 --what cv
    python -m ml.reports.cv --runs runs/leadnet --what cv --per-record L R   # who carries L, R
    python -m ml.reports.cv --runs runs/leadnet --what cv --by-rhythm A      # A calls in AF
    python -m ml.reports.cv --runs runs/leadnet --what cv --decision         # prior correction
"""
import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

from ml import beatinput, spectral
from ml.decision import apply
from ml.leads import II
from ml.registry import CLASS_CODES, CLASS_INDEX, NOT_VF
from ml.summary import finding
from ml.training import beatlabels, decision, folds, leadnet, metrics, sources

SEVERAL, ONE, EVERY = "several leads", "one lead", "every lead"
MODES = (SEVERAL, ONE)
VF = CLASS_INDEX["VF"]
SPLIT_WORDS = {
    "cv": "5-fold cross-validation grouped by patient over mitdb, vfdb, LUDB and PTB-XL "
          "records 1-500 (folds.json): each patient's beats scored by the model of the fold "
          "that held the patient out, pooled over the five folds",
    "unseen-ptbxl": "trained on mitdb, vfdb and LUDB only; tested on every PTB-XL patient "
                    "(records 1-500), a database it never saw",
    "ds1-ds2": "trained on MIT-BIH DS1 and 18 vfdb records; tested on DS2 and vfdb VF patients "
               "418 424 429 609 (de Chazal 2004), lead II",
}

DECISION_WORDS = (
    "decision step (ml.training.decision): each class probability times the class's share of "
    "the fold model's training beats to the power tau, renormalised; tau (0, 0.1, ..., 1) "
    "chosen for each fold on the other four folds' held-out beats (best mean over the two "
    "modes of the pooled macro-F1), never on the fold's own beats")
HELD_OUT_DECISION_WORDS = (
    "decision step with the tau chosen on the CV folds' held-out beats of this split's "
    "training records only (the CV models that scored them were trained on some of this "
    "split's test patients)")


class SeenPatients(ValueError):
    """The model was trained on some of the patients it is asked to be scored on."""


def check_unseen(meta, test_patients):
    """Raise SeenPatients when a model's training patients (meta.json) meet ``test_patients``."""
    trained = set(meta.get("train_patients") or [])
    if not trained:
        raise SeenPatients("the model's meta.json does not list its training patients, so it "
                           "cannot be shown to be unseen: retrain it with ml.training.leadnet")
    seen = sorted(trained & set(test_patients))
    if seen:
        raise SeenPatients(
            f"the model was trained on {len(seen)} of the {len(set(test_patients))} test "
            f"patients (e.g. {', '.join(seen[:3])}): scores on them would not say how it does "
            "on new patients")


def mode_masks(beats, idx, mode):
    """Lead masks of beats ``idx``: "one lead" is lead II alone; "several leads" the leads the
    Predictor reads of the record (``beatinput.analysed_slots``: all of a 12-lead record,
    lead II of a two-lead mitdb record)."""
    present = beats.present[idx]
    m = np.zeros(present.shape, np.float32)
    if mode == ONE:
        m[:, II] = 1.0
        return m
    if mode == EVERY:
        return present.astype(np.float32)
    for pattern in np.unique(present, axis=0):
        rows = np.all(present == pattern, axis=1)
        m[np.ix_(rows, beatinput.analysed_slots(np.flatnonzero(pattern)))] = 1.0
    return m


def predict(model, beats, idx, mode, chunk=2048, input_kind=spectral.TIME,
            rhythm=beatinput.PLAIN):
    """Probabilities of beats ``idx`` in ``mode``, the model reading ``input_kind`` and the
    ``rhythm`` input (the ones its meta.json names)."""
    out = []
    for s in range(0, len(idx), chunk):
        part = idx[s:s + chunk]
        x = beats.inputs(part, mode_masks(beats, part, mode), rhythm=rhythm)
        out.append(model.predict_on_batch(spectral.model_inputs(x, input_kind)))
    return np.concatenate(out) if out else np.zeros((0, len(CLASS_CODES)), np.float32)


def load_model(run):
    import keras

    meta = json.loads((Path(run) / "meta.json").read_text())
    return keras.saving.load_model(Path(run) / "model.keras", compile=False), meta


def predictions(run, beats, test_keys, modes=MODES):
    """Per-beat probabilities of every beat of ``test_keys`` (unscored included) per mode,
    after checking that the model never saw those patients."""
    idx = beats.select(test_keys)
    model, meta = load_model(run)
    check_unseen(meta, set(beats.patient[idx]))
    out = {"index": idx}
    for mode in modes:
        out[mode] = predict(model, beats, idx, mode, input_kind=spectral.input_kind(meta),
                            rhythm=beatinput.rhythm_kind(meta))
    return out


def ensemble_predictions(runs, beats, test_keys, modes=MODES):
    """``predictions`` of several runs of one fold, their probabilities averaged per mode (each
    run checked unseen); one run gives exactly that run's ``predictions``."""
    parts = [predictions(run, beats, test_keys, modes) for run in runs]
    if any(not np.array_equal(p["index"], parts[0]["index"]) for p in parts[1:]):
        raise ValueError(f"the runs {runs} were not scored on the same beats")
    return {"index": parts[0]["index"],
            **{mode: np.mean([p[mode] for p in parts], axis=0) for mode in modes}}


def class_scores(true, pred, patients):
    """Per class: F1, precision, recall with the beats and patients of the class; macro-F1 over
    the classes with test beats."""
    rows = {}
    for c, code in enumerate(CLASS_CODES):
        is_c = true == c
        tp = int(np.sum((pred == c) & is_c))
        called = int(np.sum(pred == c))
        n = int(is_c.sum())
        if n == 0:
            continue
        prec = tp / called if called else 0.0
        rec = tp / n
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        rows[code] = {"f1": round(f1, 4), "precision": round(prec, 4), "recall": round(rec, 4),
                      "beats": n, "patients": len(set(patients[is_c]))}
    macro = float(np.mean([r["f1"] for r in rows.values()])) if rows else float("nan")
    return {"macro_f1": round(macro, 4), "per_class": rows,
            "beats": int(len(true)), "patients": len(set(patients))}


def score(beats, idx, probs, split_words, databases=None):
    """Scores of beats ``idx`` (labelled ones) with probabilities ``probs`` per mode."""
    labels = beats.labels[idx]
    keep = labels >= 0
    if databases is not None:
        keep &= np.isin(beats.database[idx], databases)
    out = {}
    for mode, p in probs.items():
        pred = p.argmax(1)
        res = class_scores(labels[keep], pred[keep], beats.patient[idx][keep])
        res["split"] = split_words
        neg = labels == NOT_VF
        if np.any(neg):
            res["not_vf_called_vf"] = {"share": round(float(np.mean(pred[neg] == VF)), 4),
                                       "beats": int(neg.sum())}
        out[mode] = res
    return out


def _sens_spec(truth, said):
    truth, said = np.asarray(truth, bool), np.asarray(said, bool)
    pos, neg = int(truth.sum()), int((~truth).sum())
    return {"sensitivity": round(float(np.mean(said[truth])), 4) if pos else None,
            "specificity": round(float(np.mean(~said[~truth])), 4) if neg else None,
            "positive_records": pos, "negative_records": neg}


def record_figures(beats, idx, probs):
    """Record-level answers for the ludb/PTB-XL records among beats ``idx`` (all their beats)."""
    infos = {i.key: i for i in sources.catalog(("ludb", "ptbxl"))}
    keys = beats.keys[beats.record[idx]]
    out = {}
    for mode, p in probs.items():
        pred = p.argmax(1)
        rows = {"bbb": ([], []), "pac1": ([], []), "pac2": ([], []), "pvc1": ([], []),
                "pvc2": ([], [])}
        for key in sorted(set(keys) & set(infos)):
            sel = keys == key
            facts = beatlabels.record_facts(infos[key])
            counts = {c: int(np.sum(pred[sel] == i)) for i, c in enumerate(CLASS_CODES)}
            head = finding(counts, [])
            for name, truth, said in (
                ("bbb", facts.lbbb or facts.rbbb, head in ("L", "R")),
                ("pac1", facts.pac, counts["A"] >= 1), ("pac2", facts.pac, counts["A"] >= 2),
                ("pvc1", facts.pvc, counts["V"] >= 1), ("pvc2", facts.pvc, counts["V"] >= 2),
            ):
                rows[name][0].append(truth)
                rows[name][1].append(said)
        out[mode] = {
            "complete_bbb": _sens_spec(*rows["bbb"]),
            "pac_present_1": _sens_spec(*rows["pac1"]),
            "pac_present_2": _sens_spec(*rows["pac2"]),
            "pvc_present_1": _sens_spec(*rows["pvc1"]),
            "pvc_present_2": _sens_spec(*rows["pvc2"]),
        }
    return out


def called_per_record(beats, idx, probs, codes):
    """For each record with beats of a class in ``codes``: what those beats were called
    (counts of the most probable class). Beat-level F1 of a rare class is decided by a few
    patients with thousands of beats each; this shows which patients, and as what."""
    pred = probs.argmax(1)
    labels = beats.labels[idx]
    records = beats.keys[beats.record[idx]]
    out = []
    for code in codes:
        mine = labels == CLASS_INDEX[code]
        for key in sorted(set(records[mine])):
            called = np.bincount(pred[mine & (records == key)], minlength=len(CLASS_CODES))
            out.append({"record": str(key), "true": code, "beats": int(called.sum()),
                        "called": {CLASS_CODES[j]: int(n) for j, n in enumerate(called) if n}})
    return out


# mitdb rhythm notes, grouped: the A class (premature atrial beat) is defined against a sinus
# rhythm; in atrial fibrillation or flutter every beat comes early or late and is labelled N.
AF_GROUP = "atrial fibrillation or flutter"
RHYTHM_GROUPS = {"(N": "sinus", "(SBR": "sinus", "(SAR": "sinus", "(AFIB": AF_GROUP,
                 "(AFL": AF_GROUP}


def mitdb_rhythm(beats, idx):
    """The rhythm annotated at each beat of ``idx`` (the mitdb note in force at its R peak,
    grouped by RHYTHM_GROUPS, other notes as written); "" for beats of other databases."""
    infos = {i.key: i for i in sources.catalog(("mitdb",))}
    out = np.full(len(idx), "", object)
    records = beats.record[idx]
    for r in np.unique(records):
        info = infos.get(beats.keys[r])
        if info is None:
            continue
        sel = records == r
        # R peaks are at the beat table's 360 Hz; the notes at the record's own rate.
        peaks = np.round(beats.peaks[r][beats.beat[idx][sel]] * info.fs / beatinput.FS)
        out[sel] = [RHYTHM_GROUPS.get(n, n) for n in beatlabels.rhythm_at(info.meta["rhythm"],
                                                                           peaks)]
    return out


def calls_by_rhythm(beats, idx, probs, code):
    """Where the beats called ``code`` fall: per annotated mitdb rhythm, how many of them are of
    each true class; and the class's F1 as scored, and as it would be if every such call inside
    atrial fibrillation or flutter were N. The second figure is a bound on what knowing the
    rhythm could give (it reads the annotations), not a method."""
    c = CLASS_INDEX[code]
    labels = beats.labels[idx]
    scored = labels >= 0
    pred = probs.argmax(1)
    rhythm = mitdb_rhythm(beats, idx)
    called = scored & (pred == c)
    table = {}
    for name in sorted(set(rhythm[called])):
        here = called & (rhythm == name)
        table[name or "other databases"] = {
            CLASS_CODES[j]: int(n) for j, n in enumerate(np.bincount(labels[here],
                                                                     minlength=len(CLASS_CODES)))
            if n}

    def f1(p):
        row = metrics.report(labels[scored], p[scored])["per_class"][code]
        return {k: round(row[k], 4) for k in ("f1", "precision", "recall")}

    bound = pred.copy()
    bound[(rhythm == AF_GROUP) & (pred == c)] = CLASS_INDEX["N"]
    return {"class": code, "called_by_rhythm": table, "as_scored": f1(pred),
            "af_calls_as_n": f1(bound)}


def cv_parts(beats, runs, fold_numbers=range(folds.N_FOLDS)):
    """Per fold: the held-out beats' probabilities in every mode (``ensemble_predictions`` of
    the runs/<cvK> models of each folder in ``runs``) and the fold model's training-beat
    counts per class (its meta.json ``train_beats``, the same for every seed of a split)."""
    ensemble = [Path(r) for r in runs] if isinstance(runs, (list, tuple)) else [Path(runs)]
    parts = []
    for k in fold_numbers:
        _train, test = leadnet.split_keys(f"cv{k}", beats)
        members = [r / f"cv{k}" for r in ensemble]
        part = ensemble_predictions(members, beats, test, (*MODES, EVERY))
        part["train_counts"] = json.loads((members[0] / "meta.json").read_text())["train_beats"]
        parts.append(part)
    return parts


def choose_tau(beats, parts, records=None):
    """``decision.cross_fitted`` on the CV folds' held-out beats (labelled ones, of
    ``records`` only when given), the two product modes as the views."""
    triples = []
    for p in parts:
        labels = beats.labels[p["index"]]
        keep = labels >= 0
        if records is not None:
            keep &= np.isin(beats.keys[beats.record[p["index"]]], list(records))
        triples.append((labels[keep], [p[m][keep] for m in MODES], p["train_counts"]))
    return decision.cross_fitted(triples)


def _decided(probs, train_counts, tau):
    return {m: apply(p, decision.prior_weights(train_counts, tau)) for m, p in probs.items()}


def cross_validation(beats, runs, fold_numbers=range(folds.N_FOLDS), per_record=(),
                     decide=False, parts=None, by_rhythm=()):
    """Pooled CV figures and record-level figures from runs/<cvK> models; ``runs`` a list of
    folders: the ensemble of their runs/<cvK> models (probabilities averaged). With
    ``per_record`` class codes, also ``called_per_record`` of those classes per mode. With
    ``decide``, each fold's probabilities carry the decision step (``ml.training.decision``)
    with the tau chosen on the other folds (``choose_tau``), and ``decision`` says which. With
    ``by_rhythm`` class codes, ``calls_by_rhythm`` of those classes per mode."""
    parts = parts if parts is not None else cv_parts(beats, runs, fold_numbers)
    decided = None
    if decide:
        per_fold, (tau_all, table_all) = choose_tau(beats, parts)
        parts = [{"index": p["index"], "train_counts": p["train_counts"],
                  **_decided({m: p[m] for m in (*MODES, EVERY)}, p["train_counts"], tau)}
                 for p, (tau, _table) in zip(parts, per_fold, strict=True)]
        decided = {"method": DECISION_WORDS,
                   "tau_by_fold": {k: tau for k, (tau, _t) in zip(fold_numbers, per_fold,
                                                                strict=True)},
                   "tau_every_fold": tau_all,
                   "macro_f1_by_tau_every_fold": {str(t): [round(v, 4) for v in s]
                                                  for t, s in table_all.items()}}
    idx = np.concatenate([p["index"] for p in parts])
    probs = {m: np.concatenate([p[m] for p in parts]) for m in (*MODES, EVERY)}
    main = {m: probs[m] for m in MODES}
    out = {"modes": score(beats, idx, main, SPLIT_WORDS["cv"]),
           "every_lead": score(beats, idx, {EVERY: probs[EVERY]}, SPLIT_WORDS["cv"])[EVERY],
           "records": record_figures(beats, idx, main),
           "by_database": {db: score(beats, idx, probs, SPLIT_WORDS["cv"], [db])
                           for db in sources.DATABASES},
           "by_fold": {k: score(beats, p["index"], {m: p[m] for m in MODES},
                                SPLIT_WORDS["cv"])
                       for k, p in zip(fold_numbers, parts, strict=True)}}
    if decided:
        out["decision"] = decided
    if per_record:
        out["by_record"] = {m: called_per_record(beats, idx, probs[m], per_record)
                            for m in (*MODES, EVERY)}
    if by_rhythm:
        out["by_rhythm"] = {m: [calls_by_rhythm(beats, idx, probs[m], code) for code in by_rhythm]
                            for m in MODES}
    return out


def held_out(beats, run, split, modes=MODES, leave_out_seen=False, tau=None):
    """Figures of the model in ``run`` on the test side of ``split``. With ``leave_out_seen``
    the test records of patients the model was trained on are left out (and listed), for
    splits that are not patient-disjoint (ds1-ds2: mitdb 201 and 202 are one patient). With
    ``tau`` the probabilities carry the decision step with the model's training shares."""
    _train, test = leadnet.split_keys(split, beats)
    left_out = []
    if leave_out_seen:
        trained = set(json.loads((Path(run) / "meta.json").read_text())["train_patients"])
        patient_of = {i.key: i.patient for i in sources.catalog()}
        left_out = [k for k in test if patient_of[k] in trained]
        test = [k for k in test if k not in left_out]
    p = predictions(run, beats, test, modes)
    probs = {m: p[m] for m in modes}
    if tau is not None:
        counts = json.loads((Path(run) / "meta.json").read_text())["train_beats"]
        probs = _decided(probs, counts, tau)
    words = SPLIT_WORDS[split] + (f"; left out as seen in training: {', '.join(left_out)}"
                                  if left_out else "")
    out = {"modes": score(beats, p["index"], probs, words), "left_out": left_out}
    if tau is not None:
        out["decision"] = {"tau": tau, "method": HELD_OUT_DECISION_WORDS}
        out["argmax"] = score(beats, p["index"], {m: p[m] for m in modes}, words)
    return out


def format_modes(block, title):
    lines = [title]
    for mode, r in block["modes"].items():
        cells = " ".join(f"{c} {v['f1']:.3f} ({v['beats']}/{v['patients']})"
                         for c, v in r["per_class"].items())
        vf = r.get("not_vf_called_vf")
        tail = f" | not-VF called VF {vf['share']:.2%} of {vf['beats']}" if vf else ""
        lines.append(f"  {mode:13} macro-F1 {r['macro_f1']:.3f} | F1 (beats/patients): "
                     f"{cells}{tail}")
    return "\n".join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", default=str(sources.REPO_ROOT / "runs" / "leadnet"))
    p.add_argument("--ensemble", nargs="+", default=None, metavar="DIR",
                   help="score the ensemble of these folders' cvK models (mean probabilities) "
                        "for the CV figures instead of --runs (held-out splits still from --runs)")
    p.add_argument("--json", default=None, help="write the figures here")
    p.add_argument("--what", nargs="+", default=["cv", "unseen-ptbxl", "ds1-ds2"])
    p.add_argument("--folds", type=int, nargs="+", default=list(range(folds.N_FOLDS)),
                   help="the CV folds to pool (all five for the card)")
    p.add_argument("--cache", default=None)
    p.add_argument("--per-record", nargs="+", default=(), metavar="CLASS",
                   choices=CLASS_CODES, help="also say, per record, what the CV called its beats "
                   "of these classes (e.g. L R)")
    p.add_argument("--by-rhythm", nargs="+", default=(), metavar="CLASS", choices=CLASS_CODES,
                   help="also say where the beats called these classes fall by the mitdb "
                        "rhythm annotations (e.g. A: how many are normal beats in atrial "
                        "fibrillation)")
    p.add_argument("--decision", action="store_true",
                   help="score with the decision step, tau chosen by cross-fitting over the CV "
                        "folds (the CV figures are then those of the shipped procedure); the "
                        "argmax figures of the same models are kept beside them")
    args = p.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    t0 = time.perf_counter()
    beats = leadnet.load_beats(args.cache)
    runs = Path(args.runs)
    result = {}
    held = [w for w in ("unseen-ptbxl", "ds1-ds2")
            if w in args.what and (runs / w / "meta.json").exists()]
    parts = None
    if "cv" in args.what or (args.decision and held):
        parts = cv_parts(beats, args.ensemble or runs, args.folds)
    if "cv" in args.what:
        result["cv"] = cross_validation(beats, args.ensemble or runs, args.folds,
                                        args.per_record, args.decision, parts, args.by_rhythm)
        result["cv"]["folds"] = args.folds
        if args.ensemble:
            result["cv"]["ensemble"] = args.ensemble
        if args.decision:
            # The same models by argmax, for the comparison the decision step must win.
            result["cv_argmax"] = cross_validation(beats, None, args.folds, parts=parts)
            print(format_modes(result["cv_argmax"], f"CV folds {args.folds}, argmax"))
            d = result["cv"]["decision"]
            print(f"  tau by fold {d['tau_by_fold']}; on every fold {d['tau_every_fold']}")
        print(format_modes(result["cv"], f"CV folds {args.folds} (pooled)"
                           + (", decision step" if args.decision else "")), flush=True)
        for mode, r in result["cv"]["records"].items():
            print(f"  records, {mode}: " + "; ".join(
                f"{k} sens {v['sensitivity']} spec {v['specificity']} "
                f"({v['positive_records']}+/{v['negative_records']}-)" for k, v in r.items()))
        for mode, rows in result["cv"].get("by_rhythm", {}).items():
            for row in rows:
                print(f"  {mode}: beats called {row['class']} by mitdb rhythm (true classes): "
                      + "; ".join(f"{k}: " + ", ".join(f"{c} {n}" for c, n in v.items())
                                  for k, v in row["called_by_rhythm"].items()))
                a, b = row["as_scored"], row["af_calls_as_n"]
                print(f"    {row['class']} F1 {a['f1']:.3f} (precision {a['precision']:.3f}); "
                      f"with its calls in annotated AF/flutter as N: {b['f1']:.3f} "
                      f"(precision {b['precision']:.3f}), a bound, not a method")
        for mode, rows in result["cv"].get("by_record", {}).items():
            for row in rows:
                print(f"  {mode}: {row['record']} {row['true']} beats {row['beats']} called "
                      + ", ".join(f"{c} {n}" for c, n in row["called"].items()))
    for split, key, title in (("unseen-ptbxl", "unseen_database", "unseen database: PTB-XL"),
                              ("ds1-ds2", "ds1_ds2", "DS1 -> DS2, lead II")):
        if split not in held:
            continue
        options = {"modes": (ONE,), "leave_out_seen": True} if split == "ds1-ds2" else {}
        tau = None
        if args.decision:
            trained, _test = leadnet.split_keys(split, beats)
            _per_fold, (tau, _table) = choose_tau(beats, parts, trained)
        result[key] = held_out(beats, runs / split, split, tau=tau, **options)
        if args.decision:
            result[key + "_argmax"] = {"modes": result[key].pop("argmax"),
                                       "left_out": result[key]["left_out"]}
        print(format_modes(result[key], title + (f", decision step tau {tau}"
                                                 if args.decision else "")), flush=True)
    result["seconds"] = round(time.perf_counter() - t0, 1)
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
