"""The recordings model's card: ``ml/models/leads/card.json`` and ``card.md``.

Written only from what code measured: the JSON of ``ml.reports.cv`` (cross-validation,
unseen database, DS1 -> DS2, record-level figures) and, with ``--speed``, the time the
Predictor takes on a 30-minute mitdb record. The shipped model is trained on every patient
(its meta.json lists them); its figures are the cross-validation estimate of the same recipe,
and the card says so. Contract read by other code (keep it):

    card["evaluations"]["cv"]["modes"][mode]   # mode: "several leads", "one lead"
        = {"macro_f1": float, "split": "<plain words>",
           "per_class": {code: {"f1", "precision", "recall", "patients", "beats"}}, ...}

With ``spectral.json`` beside card.json (``ml.reports.spectral``: the spectral input against
the time-domain beat on CV folds), card.md has the section "Spectral input (STFT) compared".
``--from-card`` rewrites card.md from card.json and spectral.json, nothing retrained or
re-scored.

    python -m ml.reports.leadcard --cv runs/leadnet/cv.json --speed
    python -m ml.reports.leadcard --from-card
"""
import argparse
import json
import sys
import time
from pathlib import Path

from ..card import CARD_JSON, CARD_MD
from ..predictor import DEFAULT_LEADS_DIR, model_version
from ..registry import CLASSES
from ..spectral import input_kind

README_BEGIN = "<!-- leads-card:begin (written by python -m ml.reports.leadcard; do not edit) -->"
README_END = "<!-- leads-card:end -->"
README = Path(__file__).resolve().parents[2] / "README.md"
SPECTRAL_JSON = "spectral.json"
SPEED_RECORD = "100"  # mitdb: 30 min 6 s, two leads (MLII, V5)


def speed(model_dir, repeats=3):
    """Seconds the Predictor takes for a whole 30-minute two-lead mitdb record (best of
    ``repeats``, after one warm-up), and its beats."""
    from ..formats import read_recording
    from ..predictor import Predictor
    from ..training import sources

    predictor = Predictor(leads_dir=model_dir)
    rec = read_recording(sources.data_dir() / "mitdb" / f"{SPEED_RECORD}.hea")
    analysis = predictor.analyze_recording(rec)
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        predictor.analyze_recording(rec)
        best = min(best, time.perf_counter() - t0)
    return {"record": f"mitdb/{SPEED_RECORD}", "duration_s": round(len(rec.samples) / rec.fs, 1),
            "leads": list(analysis.leads_used), "beats": len(analysis.beats),
            "seconds": round(best, 2)}


def build(model_dir, cv, speed_figures=None):
    meta = json.loads((Path(model_dir) / "meta.json").read_text())
    training = {k: v for k, v in meta.items()
                if k not in ("train_records", "train_patients", "test_records")}
    training["records"] = len(meta["train_records"])
    training["patients"] = len(meta["train_patients"])
    training["note"] = ("The shipped model is trained on every patient of the four databases "
                        "(meta.json lists the records and patients). Its figures are the "
                        "cross-validation estimate of the same recipe: five models, each "
                        "trained on four folds of patients and tested on the fifth.")
    if meta.get("members"):
        training["note"] += (f" It is a seed ensemble: {len(meta['members'])} leadnet models "
                             "trained the same way with different seeds, whose class "
                             "probabilities are averaged (ml.training.ensemble); each "
                             "cross-validation model is the same ensemble.")
    decided = meta.get("decision")
    if bool(decided) != ("decision" in cv["cv"]):
        # The card's figures must be those of the procedure that made the shipped model.
        raise ValueError(
            f"{model_dir} {'has' if decided else 'has no'} decision step but the CV figures "
            f"were scored {'without' if decided else 'with'} one: score them with"
            f"{'' if decided else 'out'} `python -m ml.reports.cv --decision`")
    if decided:
        training["note"] += (
            " A decision step follows the network: each class probability is multiplied by "
            "the class's share of the training beats to the power tau = "
            f"{decided['tau']} and renormalised, which undoes the class-balanced training's "
            "over-calling of rare classes (ml.training.decision). tau was chosen on the "
            "cross-validation folds' held-out beats; in the figures below each fold is scored "
            "with the tau chosen on the other four folds.")
    evaluations = {"cv": cv["cv"]}
    for key in ("unseen_database", "ds1_ds2", "cv_argmax"):
        if key in cv:
            evaluations[key] = cv[key]
    card = {
        "model_version": model_version(model_dir),
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "model": "leadnet (recordings: one lead or several)",
        "classes": [{"code": c.code, "name": c.name} for c in CLASSES],
        "input": meta["input"],
        "training": training,
        "evaluations": evaluations,
        "extra": {"speed": speed_figures} if speed_figures else {},
    }
    return card


def _mode_table(block):
    lines = ["| mode | macro-F1 | " + " | ".join(c.code for c in CLASSES) + " |",
             "|---" * (len(CLASSES) + 2) + "|"]
    for mode, r in block["modes"].items():
        cells = []
        for c in CLASSES:
            v = r["per_class"].get(c.code)
            cells.append(f"{v['f1']:.3f} ({v['beats']:,} / {v['patients']})" if v else "-")
        lines.append(f"| {mode} | {r['macro_f1']:.3f} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _detail_table(r):
    lines = ["| class | F1 | precision | recall | beats | patients |", "|---|---|---|---|---|---|"]
    for code, v in r["per_class"].items():
        lines.append(f"| {code} | {v['f1']:.3f} | {v['precision']:.3f} | {v['recall']:.3f} | "
                     f"{v['beats']:,} | {v['patients']} |")
    return "\n".join(lines)


def load_spectral(model_dir=DEFAULT_LEADS_DIR):
    """The spectral-input comparison (``ml.reports.spectral``) of a model folder, or None."""
    path = Path(model_dir) / SPECTRAL_JSON
    return json.loads(path.read_text()) if path.exists() else None


def _f1_cells(r, with_counts):
    cells = []
    for c in CLASSES:
        v = r["per_class"].get(c.code)
        if v is None:
            cells.append("-")
        else:
            cells.append(f"{v['f1']:.3f} ({v['beats']:,} / {v['patients']})" if with_counts
                         else f"{v['f1']:.3f}")
    return " | ".join(cells)


def spectral_section(doc, shipped_input):
    """card.md's section comparing the spectral input with the time-domain beat."""
    folds = " and ".join(str(k) for k in doc["folds"])
    si = doc["spectral_input"]
    d = doc["decision"]
    out = ["## Spectral input (STFT) compared", "",
           "The product's origin names its method a \"2-D ECG spectral image representation\" "
           "(each beat's short-time Fourier transform read by a 2-D CNN). The same recipe "
           f"(steps, seed, batches) was trained on CV folds {folds} reading either the "
           "time-domain beat or its spectral image (`ml.spectral`: Hann window of "
           f"{si['frame']} samples, hop {si['hop']}, FFT {si['nfft']}, 0-{si['max_hz']:.0f} Hz, "
           f"log(1 + |STFT|) of each of the 24 channels, {' x '.join(map(str, si['shape']))}; "
           "network `leadnet_spectral`), each model scored on its own held-out patients.", "",
           f"Rule: {doc['rule']}", "",
           "F1 (beats / patients), pooled over the folds:", "",
           "| mode | input | macro-F1 | " + " | ".join(c.code for c in CLASSES) + " |",
           "|---" * (len(CLASSES) + 3) + "|"]
    for mode in next(iter(doc["pooled"].values())):
        for kind, modes in doc["pooled"].items():
            out.append(f"| {mode} | {kind} | {modes[mode]['macro_f1']:.3f} | "
                       + _f1_cells(modes[mode], True) + " |")
    out += ["", "Per fold (F1):", "",
            "| fold | mode | input | macro-F1 | " + " | ".join(c.code for c in CLASSES) + " |",
            "|---" * (len(CLASSES) + 4) + "|"]
    for k, kinds in doc["by_fold"].items():
        for mode in next(iter(kinds.values())):
            for kind, modes in kinds.items():
                out.append(f"| {k} | {mode} | {kind} | {modes[mode]['macro_f1']:.3f} | "
                           + _f1_cells(modes[mode], False) + " |")
    if doc.get("by_database"):
        out += ["", "By database, pooled over the folds (macro-F1 over the classes each has):", "",
                "| database | mode | " + " | ".join(doc["pooled"]) + " |",
                "|---" * (len(doc["pooled"]) + 2) + "|"]
        for db, kinds in doc["by_database"].items():
            for mode in next(iter(kinds.values())):
                out.append(f"| {db} | {mode} | " + " | ".join(
                    f"{kinds[kind][mode]['macro_f1']:.3f}" for kind in doc["pooled"]) + " |")
    figures = "; ".join(f"{mode}: spectral {f['spectral']:.3f}, time {f['time']:.3f}"
                        for mode, f in d["macro_f1"].items())
    if d["kept"]:
        verdict = (f"By the rule the spectral input wins ({figures}). This model still reads "
                   f"the {shipped_input} input: retraining the shipped model with "
                   "`--input spectral` is left to a person's decision.")
    else:
        verdict = (f"By the rule the time-domain input stays ({figures}); this model reads "
                   f"the {shipped_input} input.")
    return out + ["", verdict, ""]


RECORD_WORDS = {"complete_bbb": "complete bundle branch block (finding L or R)",
                "pac_present_1": "PAC present (>= 1 beat called A)",
                "pac_present_2": "PAC present (>= 2 beats called A)",
                "pvc_present_1": "PVC present (>= 1 beat called V)",
                "pvc_present_2": "PVC present (>= 2 beats called V)"}


def _seed_words(seed):
    """"seed 1" for one model, "seeds 1, 2, 3 (one model each)" for a seed ensemble."""
    if isinstance(seed, list):
        return f"seeds {', '.join(map(str, seed))} (one model each)"
    return f"seed {seed}"


def markdown(card, spectral=None):
    ev = card["evaluations"]
    t = card["training"]
    out = [
        "# Model card: leadnet (recordings)",
        "",
        f"Version `{card['model_version']}`, written {card['created']} by "
        "`python -m ml.reports.leadcard` from measured figures only.",
        "",
        "Reads ECG recordings (WFDB, EDF, CSV, JSON leads) with every standard lead they "
        "have, one lead or twelve; pictures of a beat go to the image model "
        "(ml/models/default). Not a medical device.",
        "",
        "## Training",
        "",
        f"{t['note']} Records: {t['records']}, patients: {t['patients']}, steps: "
        f"{t['steps']} of {t['batch']} beats, {_seed_words(t['seed'])}, beat table "
        f"`{t['beat_table']}`.",
        "",
        "## Cross-validation (patients the model never saw)",
        "",
        ev["cv"]["modes"]["several leads"]["split"] + ".",
        "",
        "F1 (beats / patients):",
        "",
        _mode_table(ev["cv"]),
        "",
    ]
    for mode, r in ev["cv"]["modes"].items():
        out += [f"### {mode}", "", _detail_table(r), ""]
        if r.get("not_vf_called_vf"):
            v = r["not_vf_called_vf"]
            out += [f"vfdb beats outside VF called VF: {v['share']:.1%} of {v['beats']:,}.", ""]
    if "by_database" in ev["cv"]:
        out += ["### By database (the same pooled CV predictions)", "",
                "\"every lead\" also reads mitdb's Holter chest lead, which the product does not "
                "(a two-lead record is read from lead II).", "",
                "| database | mode | macro-F1 | " + " | ".join(c.code for c in CLASSES) + " |",
                "|---" * (len(CLASSES) + 3) + "|"]
        for db, modes in ev["cv"]["by_database"].items():
            for mode, r in modes.items():
                cells = [f"{r['per_class'][c.code]['f1']:.3f}" if c.code in r["per_class"]
                         else "-" for c in CLASSES]
                out.append(f"| {db} | {mode} | {r['macro_f1']:.3f} | " + " | ".join(cells)
                           + " |")
        out.append("")
    if "records" in ev["cv"]:
        out += ["### Record level (held-out LUDB and PTB-XL records)", "",
                "| mode | question | sensitivity | specificity | records +/- |",
                "|---|---|---|---|---|"]
        for mode, r in ev["cv"]["records"].items():
            for k, v in r.items():
                se = "-" if v["sensitivity"] is None else f"{v['sensitivity']:.3f}"
                sp = "-" if v["specificity"] is None else f"{v['specificity']:.3f}"
                out.append(f"| {mode} | {RECORD_WORDS[k]} | {se} | {sp} | "
                           f"{v['positive_records']} / {v['negative_records']} |")
        out.append("")
    for key, title in (("unseen_database", "Unseen database"), ("ds1_ds2", "DS1 -> DS2")):
        if key in ev:
            first = next(iter(ev[key]["modes"].values()))
            words = first["split"] + "."
            if ev[key].get("decision"):
                words += (f" Decision step with tau {ev[key]['decision']['tau']}, chosen on "
                          "the cross-validation beats of this split's training records.")
            out += [f"## {title}", "", words, "", _mode_table(ev[key]), ""]
    if "cv_argmax" in ev:
        plain = ev["cv_argmax"]
        out += ["## Without the decision step", "",
                "The same cross-validation models, each beat called by the network's most "
                "probable class (F1):", "", _mode_table(plain), ""]
        for mode, r in plain["modes"].items():
            vf = r.get("not_vf_called_vf")
            if vf:
                out.append(f"- {mode}: vfdb beats outside VF called VF: {vf['share']:.1%}.")
        recs = plain.get("records", {}).get("several leads", {})
        if recs:
            out.append("- Record level, several leads (sensitivity / specificity): "
                       + "; ".join(f"{RECORD_WORDS[k]} {v['sensitivity']:.3f} / "
                                   f"{v['specificity']:.3f}" for k, v in recs.items()) + ".")
        out.append("")
    sp = card["extra"].get("speed")
    if sp:
        out += ["## Speed", "",
                f"{sp['record']} ({sp['duration_s'] / 60:.0f} min, leads "
                f"{', '.join(sp['leads'])}, {sp['beats']:,} beats): {sp['seconds']:.2f} s for the "
                "whole analysis (cleaning, detection, classification) on this machine.", ""]
    if spectral:
        out += spectral_section(spectral, input_kind(card["training"]))
    out += ["## Limits", "",
            "- Labels of LUDB and PTB-XL beats come from record diagnoses by written rules "
            "(ml/training/LABELS.md); beats no rule decides are not scored.",
            "- L and R rest on few patients (see the patients column); A is the weakest class.",
            "- mitdb's second lead is a Holter chest lead; in training it fills its V slot, "
            "but a recording with fewer than three standard leads is read from one lead. That "
            "rule was chosen after seeing CV folds 0 and 1, whose figures are therefore a little "
            "optimistic for it.",
            "- The pooled figures are dominated by mitdb's beats (a few patients with thousands "
            "of beats each); the per-database table shows the 12-lead records apart.", ""]
    return "\n".join(out)


def readme_block(card):
    """The README's recordings-model block: the card's CV figures, in a few lines."""
    cv = card["evaluations"]["cv"]
    lines = [
        README_BEGIN, "",
        f"Recordings model `{card['model_version']}` (`ml/models/leads/`, full card: "
        "[card.md](ml/models/leads/card.md)); trained on every patient, figures from "
        "5-fold cross-validation grouped by patient over mitdb, vfdb, LUDB and PTB-XL "
        "(beats / patients behind each F1 in the card)"
        + (f"; with its decision step (tau {cv['decision']['tau_every_fold']}, each fold "
           "scored with the tau chosen on the other folds)" if "decision" in cv else "")
        + ".", "",
        "| input | macro-F1 | " + " | ".join(c.code for c in CLASSES) + " |",
        "|---" * (len(CLASSES) + 2) + "|",
    ]
    for mode, r in cv["modes"].items():
        cells = [f"{r['per_class'][c.code]['f1']:.3f}" if c.code in r["per_class"] else "-"
                 for c in CLASSES]
        lines.append(f"| {mode} | {r['macro_f1']:.3f} | " + " | ".join(cells) + " |")
    twelve = [(db, cv["by_database"][db]) for db in ("ludb", "ptbxl")
              if db in cv.get("by_database", {})]
    if twelve:
        lines += ["", "On the 12-lead records, several leads / lead II alone: " + "; ".join(
            f"{db} macro-F1 {m['several leads']['macro_f1']:.3f} / "
            f"{m['one lead']['macro_f1']:.3f} (L {m['several leads']['per_class']['L']['f1']:.3f}"
            f" / {m['one lead']['per_class']['L']['f1']:.3f}, R "
            f"{m['several leads']['per_class']['R']['f1']:.3f} / "
            f"{m['one lead']['per_class']['R']['f1']:.3f})" for db, m in twelve) + "."]
    rec = cv.get("records", {}).get("several leads", {}).get("complete_bbb")
    if rec:
        lines += ["", f"Complete bundle branch block on held-out LUDB/PTB-XL records (several "
                      f"leads): sensitivity {rec['sensitivity']:.3f} "
                      f"({rec['positive_records']} records), specificity "
                      f"{rec['specificity']:.3f} ({rec['negative_records']} records)."]
    unseen = card["evaluations"].get("unseen_database")
    if unseen:
        r = unseen["modes"]["several leads"]
        lines += ["", f"Unseen database (trained without PTB-XL, tested on it), several leads: "
                      f"macro-F1 {r['macro_f1']:.3f}."]
    sp = card["extra"].get("speed")
    if sp:
        lines += ["", f"A {sp['duration_s'] / 60:.0f}-minute record ({sp['record']}) is "
                      f"analysed in {sp['seconds']:.2f} s on this machine's CPU."]
    lines += ["", README_END]
    return "\n".join(lines)


def write_markdown(model_dir=DEFAULT_LEADS_DIR):
    """card.md rewritten from card.json and spectral.json, nothing re-measured."""
    card = json.loads(Path(model_dir, CARD_JSON).read_text())
    Path(model_dir, CARD_MD).write_text(markdown(card, load_spectral(model_dir)))


def write_readme(card, path=README):
    text = Path(path).read_text()
    block = readme_block(card)
    if README_BEGIN in text:
        head, rest = text.split(README_BEGIN, 1)
        text = head + block + rest.split(README_END, 1)[1]
    else:
        anchor = "<!-- model-card:end -->\n"
        text = text.replace(anchor, anchor + "\n" + block + "\n", 1)
    Path(path).write_text(text)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", default=str(DEFAULT_LEADS_DIR))
    p.add_argument("--cv", nargs="+",
                   help="JSON written by python -m ml.reports.cv (several are merged)")
    p.add_argument("--from-card", action="store_true",
                   help="only rewrite card.md from card.json and spectral.json")
    p.add_argument("--speed", action="store_true", help="time a 30-minute record")
    p.add_argument("--readme", action="store_true", help="update README.md's leads-card block")
    args = p.parse_args(argv)
    if args.from_card:
        write_markdown(args.model)
        print(f"rewrote {Path(args.model, CARD_MD)} from {CARD_JSON}")
        return 0
    if not args.cv:
        p.error("--cv is required (or --from-card)")
    cv = {}
    for path in args.cv:
        cv.update(json.loads(Path(path).read_text()))
    figures = speed(args.model) if args.speed else None
    card = build(args.model, cv, figures)
    Path(args.model, CARD_JSON).write_text(json.dumps(card, indent=1) + "\n")
    Path(args.model, CARD_MD).write_text(markdown(card, load_spectral(args.model)))
    print(f"wrote {Path(args.model, CARD_JSON)} and {CARD_MD}")
    if args.readme:
        write_readme(card)
        print(f"updated {README}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
