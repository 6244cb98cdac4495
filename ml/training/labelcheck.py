"""How often the timing-and-shape rules of ``beatlabels.label_by_rules`` give the cardiologists'
label, measured where the truth is known: mitdb cut into 10-s strips.

Each strip is treated as a 10-s 12-lead record is: its record-level facts are derived from the
annotations inside it, the way a one-line diagnosis summarises a record (complete LBBB or RBBB
when at least half of its beats are L or R; "PAC" / "PVC" when it holds at least one A / V beat;
sinus rhythm when the rhythm note in force is ``(N``, ``(SBR`` or ``(SAR`` throughout, AF/flutter
for ``(AFIB`` / ``(AFL``; conduction normal when it holds no L or R beat and no ``(PREX``,
``(BII``, ``(B``/``(T``/``(IVR``/``(VT`` rhythm). The rules then label the strip's beats
from our detector's positions and the windows of the beat table (mitdb has two leads, the 12-lead
records have twelve), and the rule labels are compared with the annotations.

    python -m ml.training.labelcheck [--strip-s 10] [--records 100 119 ...]
"""
import argparse
import sys

import numpy as np

from ml.registry import CLASS_CODES, CLASS_INDEX

from . import beatlabels, beattable, sources
from .beatlabels import UNSCORED

STRIP_S = 10.0
SINUS_NOTES = ("(N", "(SBR", "(SAR")
FIBRILLATION_NOTES = ("(AFIB", "(AFL")
ABNORMAL_CONDUCTION_NOTES = ("(PREX", "(BII", "(B", "(T", "(IVR", "(VT", "(VFL", "(NOD",
                             "(AB", "(SVTA", "(P")


def strip_facts(truth, notes):
    """RecordFacts of a strip from its annotated labels and the rhythm notes in force."""
    labelled = truth[truth >= 0]
    facts = beatlabels.RecordFacts()
    if len(labelled):
        facts.lbbb = np.mean(labelled == CLASS_INDEX["L"]) >= 0.5
        facts.rbbb = np.mean(labelled == CLASS_INDEX["R"]) >= 0.5
    facts.pac = bool(np.any(truth == CLASS_INDEX["A"]))
    facts.pvc = bool(np.any(truth == CLASS_INDEX["V"]))
    if notes and all(n in SINUS_NOTES for n in notes):
        facts.rhythm = "sinus"
    elif notes and all(n in FIBRILLATION_NOTES for n in notes):
        facts.rhythm = "fibrillation"
    facts.normal_conduction = not (np.any(truth == CLASS_INDEX["L"])
                                   or np.any(truth == CLASS_INDEX["R"])
                                   or any(n in ABNORMAL_CONDUCTION_NOTES for n in notes))
    return facts


def _notes_in(rhythm, start, stop):
    """Rhythm notes in force over [start, stop) (samples at the annotation rate)."""
    before = [n for s, n in rhythm if s <= start]
    inside = [n for s, n in rhythm if start < s < stop]
    return ([before[-1]] if before else []) + inside


def check_record(info, table, strip_s=STRIP_S):
    """(truth, rule) label arrays over the record's strips (beats of every strip)."""
    fs = beattable.FS
    strip = int(strip_s * fs)
    peaks, truth, windows = table["peaks"], table["labels"], table["windows"]
    n = int(table["n_samples"])
    scale = info.fs / fs
    truths, rules = [], []
    for start in range(0, n - strip + 1, strip):
        sel = np.flatnonzero((peaks >= start) & (peaks < start + strip))
        if len(sel) == 0:
            continue
        notes = _notes_in(info.meta["rhythm"], start * scale, (start + strip) * scale)
        facts = strip_facts(truth[sel], notes)
        lab = beatlabels.label_by_rules(facts, peaks[sel] - start, strip,
                                        windows[sel].astype(np.float32), beattable.WIDE_BEFORE)
        truths.append(truth[sel])
        rules.append(lab.labels)
    if not truths:
        return np.zeros(0, np.int8), np.zeros(0, np.int8)
    return np.concatenate(truths), np.concatenate(rules)


def run(records=None, cache=None, strip_s=STRIP_S, jobs=1):
    """Confusion counts {rule label: {annotated label: beats}} over mitdb strips."""
    infos = sources.catalog(["mitdb"])
    if records:
        infos = [i for i in infos if i.record in set(records)]
    table = beattable.load(infos, cache=cache, jobs=jobs)
    truth, rule = [], []
    for info, t in zip(table.infos, table.tables, strict=True):
        a, b = check_record(info, t, strip_s)
        truth.append(a)
        rule.append(b)
    return np.concatenate(truth), np.concatenate(rule)


def confusion(truth, rule):
    """{rule code: {annotated code: beats}} for the six classes plus "unscored" (an annotation
    of no class, or none within 100 ms of the detection)."""
    names = {**{CLASS_INDEX[c]: c for c in CLASS_CODES}, UNSCORED: "unscored"}
    out = {}
    for r, rn in names.items():
        row = {tn: int(np.sum((rule == r) & (truth == t))) for t, tn in names.items()}
        out[rn] = row
    return out


def format_report(truth, rule):
    conf = confusion(truth, rule)
    cols = list(CLASS_CODES) + ["unscored"]
    lines = ["| rule label | beats | " + " | ".join(f"annotated {c}" for c in cols)
             + " | agrees |", "|---" * (len(cols) + 3) + "|"]
    for rn in CLASS_CODES[:5]:
        row = conf[rn]
        total = sum(row.values())
        agree = row[rn] / total if total else float("nan")
        lines.append(f"| {rn} | {total:,} | " + " | ".join(f"{row[c]:,}" for c in cols)
                     + f" | {agree:.1%} |")
    lines.append("")
    lines.append("| annotated | beats | labelled by the rules | of which the same class |")
    lines.append("|---|---|---|---|")
    for c in CLASS_CODES[:5]:
        k = CLASS_INDEX[c]
        total = int(np.sum(truth == k))
        labelled = int(np.sum((truth == k) & (rule != UNSCORED)))
        same = int(np.sum((truth == k) & (rule == k)))
        lines.append(f"| {c} | {total:,} | {labelled:,} ({labelled / max(total, 1):.0%}) | "
                     f"{same:,} ({same / max(total, 1):.0%}) |")
    return "\n".join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(description="The label rules measured on mitdb 10-s strips")
    p.add_argument("--records", nargs="*", default=None)
    p.add_argument("--strip-s", type=float, default=STRIP_S)
    p.add_argument("--cache", default=None)
    p.add_argument("--jobs", type=int, default=2)
    args = p.parse_args(argv)
    truth, rule = run(args.records, args.cache, args.strip_s, args.jobs)
    print(f"mitdb in {args.strip_s:g}-s strips, rules of ml.training.beatlabels against the "
          f"annotations ({len(truth):,} detected beats):\n")
    print(format_report(truth, rule))
    return 0


if __name__ == "__main__":
    sys.exit(main())
