"""Model cards: the measured figures shipped next to a model.

``card.json`` is written only by ``python -m ml.reports.card`` from the JSON files that
``ml.reports.evaluate`` and ``ml.reports.bench`` wrote, never by hand (``--keep`` re-uses the
figures of the current card, which came from those files, for whatever is not given anew). It is
read through ``ml.card.load_card``. Schema (fractions
in [0, 1] unless named otherwise):

    {
      "model_version": "<ml.predictor.model_version: hash of architecture + weights>",
      "created": "<ISO 8601 time>",
      "classes": [{"code": "N", "name": "Normal"}, ...],
      "input": {"image_height": .., "image_width": .., "sampling_rate_hz": .., ...},
      "training": {... meta.json of the default model ...},
      "evaluations": {
        "<split>": {            # "inter" and "beat"
          "split_description": "...",
          "model": {"accuracy": .., "macro_f1": .., "n": ..,
                    "per_class": {"N": {"precision": .., "recall": .., "f1": .., "support": ..}},
                    "confusion_matrix": [[..6 ints..] x 6]},   # rows true, columns predicted
          "model_image_only": { same keys },   # no rhythm context, as for a single image
          "baseline": { same keys },           # the prototype architecture, same split
          "ci_subset": {"n", "accuracy", "macro_f1"},
          "model_version": "...",              # the model measured (beat: a separate model)
          "decision_tau": ..,                  # ml.training.decision's exponent; None: plain argmax
          "baseline_decision_tau": ..,         # the same for the baseline
        }
      },
      "extra": {...}   # rejection, drawing styles, latency, detector figures (ml.reports.bench)
    }
"""
import argparse
import json
import time
from pathlib import Path

from ..card import CARD_JSON, CARD_MD, load_card
from ..predictor import DEFAULT_MODEL_DIR, model_version
from ..registry import CLASSES


def _load(path):
    return json.loads(Path(path).read_text()) if path else None


# A card's evaluation entry is an ml.reports.evaluate result under the card's names, in card
# order: (card key, ml.reports.evaluate key). Confidence and VF figures are None when an
# evaluation has none; drawing styles appear only where they were measured.
EVAL_FIELDS = (
    ("split_description", "split_description"),
    ("model_version", "model_version"),
    ("decision_tau", "decision_tau"),
    ("model", "signal"),
    ("model_image_only", "image_only"),
    ("ci_subset", "ci_subset"),
    ("confidence", "confidence"),
    ("vf_rhythm", "vf_rhythm"),
    ("test_counts", "test_counts"),
    ("styles", "styles"),
)
MAY_BE_NONE = {"confidence", "vf_rhythm", "decision_tau"}
ONLY_IF_MEASURED = {"styles"}


def _translate(src, to_card):
    """An ml.reports.evaluate result as a card entry (``to_card``), or a card entry back again."""
    out = {}
    for card_key, eval_key in EVAL_FIELDS:
        src_key, dst_key = (eval_key, card_key) if to_card else (card_key, eval_key)
        if card_key in ONLY_IF_MEASURED and src_key not in src:
            continue
        out[dst_key] = src.get(src_key) if card_key in MAY_BE_NONE else src[src_key]
    return out


def build(model_dir, evals, baselines, bench=None):
    """The card dict from evaluation JSONs: ``evals``/``baselines`` map split -> dict."""
    from .. import render

    model_dir = Path(model_dir)
    meta_path = model_dir / "meta.json"
    meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
    meta.pop("history", None)
    card = {
        "model_version": model_version(model_dir),
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "classes": [{"code": c.code, "name": c.name} for c in CLASSES],
        "input": {
            "image_height": render.HEIGHT,
            "image_width": render.WIDTH,
            "sampling_rate_hz": render.FS,
            "window_before_r_s": render.BEFORE_S,
            "window_after_r_s": render.AFTER_S,
            "signal_units": "mV",
        },
        "training": meta,
        "evaluations": {},
        "extra": bench or {},
    }
    for split, ev in evals.items():
        entry = _translate(ev, to_card=True)
        if split in baselines:
            entry["baseline"] = baselines[split]["signal"]
            entry["baseline_decision_tau"] = baselines[split].get("decision_tau")
        card["evaluations"][split] = entry
    return card


def split_evaluations(card):
    """The card's ``ml.reports.evaluate`` entries (per split); other evaluation blocks, such as
    the picture mode's figures under ``cv`` (``ml.reports.picture_eval``), are left out."""
    return {k: v for k, v in (card.get("evaluations") or {}).items() if "model" in v}


def inputs_from_card(card):
    """The ``build`` inputs a card was made from: (evals, baselines, bench).

    Every entry of a card is a copy of ``ml.reports.evaluate``/``ml.reports.bench`` output, so
    a card can be rebuilt with one evaluation added or replaced without re-running the others
    (``--keep``); the figures still all come from the evaluation code.
    """
    evals, baselines = {}, {}
    for split, entry in split_evaluations(card).items():
        evals[split] = _translate(entry, to_card=False)
        if "baseline" in entry:
            baselines[split] = {"signal": entry["baseline"],
                                "decision_tau": entry.get("baseline_decision_tau")}
    return evals, baselines, card.get("extra") or None


def confusion_png(card, path):
    """One confusion matrix per split (rows true, columns predicted), row-normalised colours."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import numpy as np
    from matplotlib.figure import Figure

    splits = list(split_evaluations(card))
    fig = Figure(figsize=(5.2 * len(splits), 4.6), dpi=100)
    codes = [c["code"] for c in card["classes"]]
    for k, split in enumerate(splits):
        cm = np.array(card["evaluations"][split]["model"]["confusion_matrix"])
        norm = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1)
        ax = fig.add_subplot(1, len(splits), k + 1)
        ax.imshow(norm, cmap="Blues", vmin=0, vmax=1)
        for i in range(len(codes)):
            for j in range(len(codes)):
                ax.text(j, i, str(cm[i, j]), ha="center", va="center", fontsize=7,
                        color="white" if norm[i, j] > 0.5 else "black")
        ax.set_xticks(range(len(codes)), codes)
        ax.set_yticks(range(len(codes)), codes)
        ax.set_xlabel("predicted")
        ax.set_ylabel("true")
        ax.set_title(f"{split} split", fontsize=10)
    fig.tight_layout()
    fig.savefig(path)


def _interval(styles):
    ci = styles.get("gap_points_ci95")
    return f", 95% interval {ci[0]:.2f} to {ci[1]:.2f}" if ci else ""


def _pct(x):
    return f"{100 * x:.2f}%"


def markdown(card):
    lines = [
        "# Model card: beat classifier",
        "",
        f"Version `{card['model_version']}`, generated {card['created']} by "
        "`python -m ml.reports.card` from the outputs of `python -m ml.reports.evaluate` and "
        "`python -m ml.reports.bench`. Do not edit by hand.",
        "",
        f"{len(card['classes'])} classes: "
        + ", ".join(f"{c['name']} ({c['code']})" for c in card["classes"]) + ".",
        "",
        "## Input contract",
        "",
        f"- Signals: one ECG lead in millivolts, any sampling rate from 50 Hz to 10 kHz "
        f"(resampled to {card['input']['sampling_rate_hz']:.0f} Hz), at least a few seconds.",
        f"- Beat images: one heartbeat drawn as a line (any size, colour, line width); it is "
        f"cropped and scaled to {card['input']['image_width']}x{card['input']['image_height']} "
        f"pixels covering {card['input']['window_before_r_s']} s before to "
        f"{card['input']['window_after_r_s']} s after the R peak.",
        "",
        "## Held-out results",
        "",
        "`model`: beats with their rhythm context (recordings); `image only`: the same beats "
        "without context (single uploaded images); `baseline`: the earlier prototype "
        "architecture trained by the same code on the same split.",
        "",
    ]
    for split, ev in split_evaluations(card).items():
        lines += [f"### {split} split", "", ev["split_description"] + ".", ""]
        lines += ["| | accuracy | macro-F1 |", "|---|---|---|"]
        for key, label in (("model", "model"), ("model_image_only", "image only"),
                           ("baseline", "baseline (prototype)")):
            if key in ev:
                figures = ev[key]
                lines.append(
                    f"| {label} | {_pct(figures['accuracy'])} | {figures['macro_f1']:.3f} |"
                )
        lines += ["", "| class | support | precision | recall | F1 | baseline F1 |",
                  "|---|---|---|---|---|---|"]
        for c in card["classes"]:
            m = ev["model"]["per_class"][c["code"]]
            b = ev.get("baseline", {}).get("per_class", {}).get(c["code"])
            lines.append(
                f"| {c['name']} ({c['code']}) | {m['support']} | {m['precision']:.3f} | "
                f"{m['recall']:.3f} | {m['f1']:.3f} | {b['f1']:.3f} |" if b else
                f"| {c['name']} ({c['code']}) | {m['support']} | {m['precision']:.3f} | "
                f"{m['recall']:.3f} | {m['f1']:.3f} | |"
            )
        taus = [f"{who} {_tau(ev.get(key))}" for who, key in (
            ("model", "decision_tau"), ("baseline", "baseline_decision_tau"),
        ) if who == "model" or "baseline" in ev]  # fmt: skip
        lines += ["", "Decisions (ml.training.decision: class probabilities reweighted by the "
                  "training class shares to a power tau chosen on the validation fold; tau 0 is "
                  "the network's plain argmax): " + ", ".join(taus) + "."]
        vf = ev.get("vf_rhythm")
        if vf:
            lines += [
                "",
                f"Ventricular fibrillation episodes over whole held-out vfdb recordings "
                f"({', '.join(vf['records'])}), by duration: sensitivity "
                f"{_pct(vf['sensitivity_by_duration'])}, positive predictivity "
                f"{_pct(vf['ppv_by_duration'])}; "
                f"{vf['false_episodes_per_hour_of_other_rhythms']:.2f} episodes per hour wholly "
                "outside annotated VF.",
            ]
        conf = ev.get("confidence")
        if conf:
            lines += [
                "",
                f"Low-confidence flag (probability below {conf['threshold']:.2f}): "
                f"{_pct(conf['flagged_share'])} of test beats flagged; accuracy "
                f"{_pct(conf['accuracy_not_flagged'] or 0)} on the others and "
                f"{_pct(conf['accuracy_flagged'] or 0)} on the flagged ones.",
            ]
        if "styles" in ev:
            st = ev["styles"]
            lines += ["", "Uploaded drawings (image only, through the upload path):", ""]
            for name, v in st.items():
                if isinstance(v, dict):
                    by_class = ", ".join(
                        f"{c} {_pct(a)}" for c, a in v.get("per_class", {}).items()
                    )
                    lines.append(f"- {name}: accuracy {_pct(v['accuracy'])}, rejected "
                                 f"{_pct(v['rejected'])} (n={v['n']})"
                                 + (f"; by class: {by_class}" if by_class else ""))
            lines.append(f"- gap own style vs other software: {st['gap_points']:.2f} points"
                         f"{_interval(st)}")
        lines.append("")
    extra = card.get("extra") or {}
    if extra:
        lines += ["## Other measurements (`python -m ml.reports.bench`)", ""]
        for key, value in extra.items():
            lines.append(f"- {key}: `{json.dumps(value)}`")
        lines.append("")
    lines += [
        "## Data",
        "",
        "MIT-BIH Arrhythmia Database and MIT-BIH Malignant Ventricular Ectopy Database "
        "(PhysioNet, ODC-By 1.0): Moody & Mark 2001; Greenwald 1986; Goldberger et al. 2000.",
        "",
        "## Limitations",
        "",
        "Trained on 48 half-hour two-lead Holter recordings from 47 patients of the 1970s-80s "
        "and 22 vfdb recordings; single-lead (MLII-like) input only. It does not detect atrial "
        "fibrillation, heart block or ischaemia. Not a medical device.",
        "",
    ]
    return "\n".join(lines)


def _tau(tau):
    return "argmax (no decision step)" if tau is None else f"tau {tau:g}"


README_BEGIN = "<!-- model-card:begin (written by python -m ml.reports.card; do not edit) -->"
README_END = "<!-- model-card:end -->"


def readme_block(card):
    """The README's summary of the shipped model, generated from its card."""
    lines = [
        README_BEGIN,
        "",
        f"Default model `{card['model_version']}` (`ml/models/default/`, full card: "
        "[card.md](ml/models/default/card.md)). Held-out figures; `model` uses each beat's "
        "rhythm context (recordings), `image only` a lone beat picture, `baseline` the earlier "
        "prototype architecture trained by the same code on the same split.",
        "",
        "| split | model accuracy | model macro-F1 | image only macro-F1 | baseline macro-F1 |",
        "|---|---|---|---|---|",
    ]
    names = {"inter": "inter-patient (honest)", "beat": "beat-level (optimistic)"}
    for split, ev in split_evaluations(card).items():
        base = ev.get("baseline")
        base_cell = f"{base['macro_f1']:.3f}" if base else "not measured"
        lines.append(
            f"| {names.get(split, split)} | {_pct(ev['model']['accuracy'])} | "
            f"{ev['model']['macro_f1']:.3f} | {ev['model_image_only']['macro_f1']:.3f} | "
            f"{base_cell} |"
        )
    inter = card["evaluations"].get("inter")
    if inter:
        per_class = inter["model"]["per_class"]
        f1 = ", ".join(f"{c['code']} {per_class[c['code']]['f1']:.3f}" for c in card["classes"])
        lines += ["", f"Inter-patient F1 per class: {f1}."]
        vf = inter.get("vf_rhythm")
        if vf:
            sens, ppv = _pct(vf["sensitivity_by_duration"]), _pct(vf["ppv_by_duration"])
            false_per_hour = vf["false_episodes_per_hour_of_other_rhythms"]
            lines += ["", (
                "Ventricular fibrillation episodes over whole held-out vfdb recordings, by "
                f"duration: sensitivity {sens}, positive predictivity {ppv}; "
                f"{false_per_hour:.2f} false episodes per hour of other rhythms."
            )]
    extra = card.get("extra") or {}
    facts = []
    det = extra.get("r_peak_detection")
    if det:
        a, e = det["all_beats"], det["ec57_excluding_vf"]
        facts.append(
            f"R-peak detection on all {det['records']} MIT-BIH records (50 ms): sensitivity "
            f"{_pct(a['sensitivity'])}, PPV {_pct(a['ppv'])} (EC57, flutter excluded: "
            f"{_pct(e['sensitivity'])} / {_pct(e['ppv'])})"
        )
    styles = (inter or {}).get("styles")
    if styles:
        facts.append(
            f"beat pictures drawn by other software: {_pct(styles['other_mean_accuracy'])} "
            f"accuracy vs {_pct(styles['own']['accuracy'])} for our own drawings (gap "
            f"{styles['gap_points']:.2f} points{_interval(styles)})"
        )
    rej = extra.get("rejection")
    if rej:
        facts.append(
            f"pictures that are not a heartbeat rejected: {_pct(rej['non_beats_rejected'])} "
            f"(n={rej['non_beats_n']}); real beats wrongly rejected: "
            f"{_pct(rej['real_beats_wrongly_rejected'])} (n={rej['real_beats_n']})"
        )
    lat = extra.get("latency_single_image")
    if lat:
        facts.append(f"one beat picture classified in {lat['p50_ms']:.1f} ms (p50, warm)")
    rec = extra.get("record_analysis_30min")
    if rec:
        worst = max(v["seconds"] for v in rec.values())
        facts.append(f"a 30-minute record analysed end to end in at most {worst:.1f} s")
    if facts:
        cpus, cpu = extra.get("cpus"), extra.get("cpu")
        where = f" (speeds on {cpus} CPU cores{f': {cpu}' if cpu else ''})" if cpus else ""
        lines += ["", "Measured by `python -m ml.reports.evaluate` and "
                  f"`python -m ml.reports.bench`{where}:", ""]
        lines += [f"- {fact}" for fact in facts]
    lines += ["", README_END]
    return "\n".join(lines)


def update_readme(path, card):
    """Replace the generated block in the README at ``path``; False if it has no block."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    if README_BEGIN not in text or README_END not in text:
        return False
    head, rest = text.split(README_BEGIN, 1)
    _, tail = rest.split(README_END, 1)
    path.write_text(head + readme_block(card) + tail, encoding="utf-8")
    return True


def write(model_dir, card):
    model_dir = Path(model_dir)
    (model_dir / CARD_JSON).write_text(json.dumps(card, indent=2) + "\n")
    (model_dir / CARD_MD).write_text(markdown(card))
    confusion_png(card, model_dir / "confusion.png")


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m ml.reports.card", description="Write a model card.")
    p.add_argument("--model", required=True, help="the model folder the card is written into")
    p.add_argument("--inter", help="ml.reports.evaluate JSON of this model, inter split")
    p.add_argument("--beat", help="ml.reports.evaluate JSON of the same architecture, beat split")
    p.add_argument("--baseline-inter",
                   help="ml.reports.evaluate JSON of the prototype, inter split")
    p.add_argument("--baseline-beat", help="ml.reports.evaluate JSON of the prototype, beat split")
    p.add_argument("--bench", help="ml.reports.bench JSON (extra figures)")
    p.add_argument("--keep", action="store_true",
                   help="start from the model's current card: what is not given is kept")
    p.add_argument("--readme", default=str(Path(__file__).resolve().parents[2] / "README.md"),
                   help="README whose generated model block is refreshed")
    args = p.parse_args(argv)
    evals, baselines, bench = {}, {}, None
    if args.keep:

        old = load_card(args.model)
        if old is None:
            p.error(f"--keep: there is no card in {args.model}")
        evals, baselines, bench = inputs_from_card(old)
        if old["model_version"] != model_version(args.model):
            # Figures measured on other weights may not be kept; the prototype baselines are
            # separate models and stay valid.
            stale = [name for name, given, kept in (
                ("--inter", args.inter, "inter" in evals),
                ("--beat", args.beat, "beat" in evals),
                ("--bench", args.bench, bench is not None),
            ) if kept and not given]  # fmt: skip
            if stale:
                p.error(f"--keep: the card describes model {old['model_version']}, but "
                        f"{args.model} holds {model_version(args.model)}; evaluate it afresh "
                        f"and give {', '.join(stale)}")
    elif not args.inter:
        p.error("--inter is required (or --keep to start from the current card)")
    for split, path in (("inter", args.inter), ("beat", args.beat)):
        if path:
            evals[split] = _load(path)
    for split, path in (("inter", args.baseline_inter), ("beat", args.baseline_beat)):
        if path:
            baselines[split] = _load(path)
    if args.bench:
        bench = _load(args.bench)
    card = build(args.model, evals, baselines, bench)
    write(args.model, card)
    print(f"wrote {Path(args.model) / CARD_JSON}, {CARD_MD}, confusion.png")
    if Path(args.model).resolve() == DEFAULT_MODEL_DIR.resolve():
        if update_readme(args.readme, card):
            print(f"refreshed the model block of {args.readme}")

if __name__ == "__main__":
    main()
