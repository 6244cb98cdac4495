"""Measure the R-peak detector on the MIT-BIH Arrhythmia Database.

    python -m ml.reports.detect_eval [--data-dir D] [--records 100 105 ...] [--tolerance 0.05]
                             [--detector ours|xqrs] [--json FILE]

For each record the main lead (MLII; V5 in 102 and 104) goes through ``ml.preprocess.clean``
and ``ml.detect.detect_r_peaks``. Detections are matched one-to-one to the reference beat
annotations (``records.BEAT_SYMBOLS``; rhythm/noise marks such as + ~ | " x [ ] are not beats)
within +-tolerance (50 ms by default), nearest pairs first. Two honest figures are reported:

* ``all``: every beat annotation of every record, including the ventricular flutter waves of
  record 207 and the paced records.
* ``ec57``: as AAMI EC57 does for QRS detection, ventricular flutter/fibrillation episodes are
  left out: reference beats and detections inside the ``(VFL`` spans of 207 do not count.
  (EC57's 5-minute learning period is NOT left out: every minute counts.)

Se = TP / (TP + FN), PPV = TP / (TP + FP); gross figures sum TP/FP/FN over records.
"""
import argparse
import json
import sys
import time

import numpy as np

from ..detect import detect_r_peaks, match_beats
from ..preprocess import clean
from ..training import records as rec


def score(ref, test, tol):
    """TP, FP, FN and the matched pairs' offsets (test - ref, samples)."""
    test = np.sort(np.asarray(test, dtype=np.int64))
    mr, mt = match_beats(ref, test, tol)
    tp = len(mr)
    return {
        "tp": tp,
        "fp": len(test) - tp,
        "fn": len(ref) - tp,
        "offsets": (test[mt] - np.asarray(ref)[mr]) if tp else np.zeros(0, dtype=np.int64),
    }


def _rates(tp, fp, fn):
    se = tp / (tp + fn) if tp + fn else 1.0
    ppv = tp / (tp + fp) if tp + fp else 1.0
    return se, ppv


def xqrs_peaks(x, fs):
    """wfdb's XQRS on the same cleaned signal, for comparison."""
    import logging

    from wfdb import processing

    logging.getLogger("wfdb").setLevel(logging.WARNING)
    xq = processing.XQRS(sig=x, fs=fs)
    xq.detect(verbose=False)
    return np.asarray(xq.qrs_inds, dtype=np.int64)


DETECTORS = {"ours": detect_r_peaks, "xqrs": xqrs_peaks}


def evaluate_record(name, data_dir=None, tolerance_s=0.05, detector="ours"):
    record = rec.load_record("mitdb", name, data_dir)
    x = record.main_signal
    t0 = time.perf_counter()
    y, fs = clean(x, record.fs)
    t1 = time.perf_counter()
    peaks = DETECTORS[detector](y, fs)
    t2 = time.perf_counter()
    # clean() keeps 360 Hz records at 360 Hz; map back in case a record had another rate.
    peaks = np.round(np.asarray(peaks) * record.fs / fs).astype(np.int64)
    ref, _ = record.beat_annotations()
    tol = int(round(tolerance_s * record.fs))
    all_ = score(ref, peaks, tol)
    spans = rec.mitdb_vf_spans(record)
    ec = score(ref[~rec.in_spans(ref, spans)], peaks[~rec.in_spans(peaks, spans)], tol)
    return {
        "record": name,
        "lead": record.lead_names[record.main_lead],
        "beats": int(len(ref)),
        "all": {k: int(all_[k]) for k in ("tp", "fp", "fn")},
        "ec57": {k: int(ec[k]) for k in ("tp", "fp", "fn")},
        "offsets": all_["offsets"],
        "seconds_clean": t1 - t0,
        "seconds_detect": t2 - t1,
        "duration_s": len(x) / record.fs,
    }


def summarize(results, fs=360.0):
    out = {}
    for key in ("all", "ec57"):
        tp = sum(r[key]["tp"] for r in results)
        fp = sum(r[key]["fp"] for r in results)
        fn = sum(r[key]["fn"] for r in results)
        se, ppv = _rates(tp, fp, fn)
        out[key] = {"tp": tp, "fp": fp, "fn": fn, "se": se, "ppv": ppv}
    offsets = np.concatenate([r["offsets"] for r in results]) if results else np.zeros(0)
    out["offset_ms"] = {
        "median": float(np.median(offsets) * 1000 / fs) if len(offsets) else 0.0,
        "mean_abs": float(np.mean(np.abs(offsets)) * 1000 / fs) if len(offsets) else 0.0,
        "p95_abs": float(np.percentile(np.abs(offsets), 95) * 1000 / fs) if len(offsets) else 0.0,
    }
    out["seconds_per_record"] = {
        "clean_mean": float(np.mean([r["seconds_clean"] for r in results])),
        "detect_mean": float(np.mean([r["seconds_detect"] for r in results])),
        "total_max": float(max(r["seconds_clean"] + r["seconds_detect"] for r in results)),
    }
    return out


def _print_table(results, summary, stream):
    w = stream.write
    w(f"{'rec':>4} {'lead':>5} {'beats':>6} {'TP':>6} {'FP':>5} {'FN':>5} "
      f"{'Se%':>7} {'PPV%':>7} {'ms':>6}\n")
    for r in results:
        a = r["all"]
        se, ppv = _rates(a["tp"], a["fp"], a["fn"])
        ms = 1000 * (r["seconds_clean"] + r["seconds_detect"])
        w(f"{r['record']:>4} {r['lead']:>5} {r['beats']:>6} {a['tp']:>6} {a['fp']:>5} "
          f"{a['fn']:>5} {100 * se:7.2f} {100 * ppv:7.2f} {ms:6.0f}\n")
    for key, label in (("all", "all beats"), ("ec57", "EC57 (VF/VFL spans excluded)")):
        s = summary[key]
        w(f"gross {label}: TP {s['tp']} FP {s['fp']} FN {s['fn']}  "
          f"Se {100 * s['se']:.2f}%  PPV {100 * s['ppv']:.2f}%\n")
    worst = sorted(results, key=lambda r: -(r["all"]["fp"] + r["all"]["fn"]))[:5]
    w("worst records (FP+FN, all beats): " + ", ".join(
        f"{r['record']} ({r['all']['fp']}+{r['all']['fn']})" for r in worst) + "\n")
    o = summary["offset_ms"]
    w(f"offset detection - annotation: median {o['median']:.1f} ms, mean |.| "
      f"{o['mean_abs']:.1f} ms, 95th pct |.| {o['p95_abs']:.1f} ms\n")
    t = summary["seconds_per_record"]
    w(f"time per 30-min record: clean {t['clean_mean']:.3f} s + detect {t['detect_mean']:.3f} s "
      f"(slowest record total {t['total_max']:.3f} s)\n")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--data-dir", default=None,
                   help="folder holding mitdb/ (see ml.training.records)")
    p.add_argument("--records", nargs="*", default=list(rec.MITDB_RECORDS))
    p.add_argument("--tolerance", type=float, default=0.05, help="match window in seconds")
    p.add_argument("--detector", choices=sorted(DETECTORS), default="ours")
    p.add_argument("--json", default=None, help="write per-record and gross figures here")
    args = p.parse_args(argv)

    results = [
        evaluate_record(name, args.data_dir, args.tolerance, args.detector)
        for name in args.records
    ]
    summary = summarize(results)
    _print_table(results, summary, sys.stdout)
    if args.json:
        payload = {
            "detector": args.detector,
            "tolerance_s": args.tolerance,
            "records": [{k: v for k, v in r.items() if k != "offsets"} for r in results],
            "gross": summary,
        }
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(payload, fh, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
