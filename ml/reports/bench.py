"""All the ML core's measured figures from one run: ``python -m ml.reports.bench [--json FILE]``.

1. beat-split accuracy and macro-F1 (the beat-split model, ``--beat-model``);
2. inter-patient macro-F1 with each class's F1 (the default model);
3. R-peak detection on all 48 MIT-BIH records, 50 ms tolerance;
4. accuracy of uploads drawn by other software vs our own drawings;
5. non-beat pictures rejected vs real held-out beats wrongly rejected;
6. single-image latency (bytes in, label out; warm; p50/p95);
7. a 30-minute record analysed end to end (file read to per-beat labels) on this machine,
   median of three runs.

Speed figures depend on the machine: the run records the CPU count and model it had (two
2-core machines differed threefold in convolution speed). ``--quick`` uses smaller samples
(for a smoke run; the card uses the full run).
"""
import argparse
import io
import json
import os
import platform
import statistics
import time
from pathlib import Path

import numpy as np

from ..errors import InputRejected
from ..predictor import BEAT_SPLIT_MODEL_DIR, DEFAULT_MODEL_DIR
from ..training import augment, datasets, records
from . import detect_eval, evaluate, nonbeats, otherstyles


def classification(model_dir, split, data_dir):
    ev = evaluate.evaluate(model_dir, split, data_dir)
    s = ev["signal"]
    return {
        "model_version": ev["model_version"],
        "accuracy": s["accuracy"],
        "macro_f1": s["macro_f1"],
        "f1": {k: v["f1"] for k, v in s["per_class"].items()},
        "image_only_accuracy": ev["image_only"]["accuracy"],
        "image_only_macro_f1": ev["image_only"]["macro_f1"],
    }


def detection(data_dir, names):
    results = [detect_eval.evaluate_record(name, data_dir) for name in names]
    summary = detect_eval.summarize(results)
    return {
        "records": len(results),
        "all_beats": {"sensitivity": summary["all"]["se"], "ppv": summary["all"]["ppv"]},
        "ec57_excluding_vf": {"sensitivity": summary["ec57"]["se"], "ppv": summary["ec57"]["ppv"]},
    }


def _png(img):
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def rejection(predictor, test, data_dir, per_kind, per_class):
    """Share of non-beat pictures rejected, and of real held-out beats wrongly rejected."""
    from ..formats import load_image

    segments = []
    for name in ("100", "105", "213"):
        rec = records.load_record("mitdb", name, data_dir)
        segments.append(rec.main_signal[: int(120 * rec.fs)])
    rng = np.random.default_rng(7)
    by_kind = {}
    for kind, img in nonbeats.generate(rng, per_kind, segments):
        try:
            predictor.predict_image(load_image(_png(img)))
            by_kind.setdefault(kind, []).append(False)
        except InputRejected:
            by_kind.setdefault(kind, []).append(True)
    sample = datasets.fixed_subset(test, per_class=per_class)
    styles = {"own": otherstyles.own_style, **otherstyles.STYLES}
    wrongly = total = 0
    for wide in sample.wide:
        for draw in styles.values():
            total += 1
            try:
                predictor.predict_image(load_image(_png(draw(wide, augment.WIDE_BEFORE))))
            except InputRejected:
                wrongly += 1
    all_flags = [f for flags in by_kind.values() for f in flags]
    return {
        "non_beats_rejected": float(np.mean(all_flags)),
        "non_beats_n": len(all_flags),
        "by_kind": {k: float(np.mean(v)) for k, v in by_kind.items()},
        "real_beats_wrongly_rejected": wrongly / total,
        "real_beats_n": total,
    }


def latency(predictor, test, runs):
    from ..formats import load_image

    wide = test.wide[len(test) // 2]
    data = _png(otherstyles.mpl_gray_192x128(wide, augment.WIDE_BEFORE))
    for _ in range(10):
        predictor.predict_image(load_image(data))
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        predictor.predict_image(load_image(data))
        times.append(time.perf_counter() - t)
    times.sort()
    return {
        "image": "192x128 PNG",
        "p50_ms": 1000 * statistics.median(times),
        "p95_ms": 1000 * times[int(0.95 * (len(times) - 1))],
        "runs": runs,
    }


def record_analysis(predictor, data_dir, names=("100", "208"), repeats=3):
    """Seconds from file to per-beat labels for each record: the median of ``repeats`` runs
    (a shared 2-core machine varies by a third from one run to the next), all runs kept."""
    from ..formats import read_signal

    base = records.resolve_data_dir(data_dir) / "mitdb"
    out = {}
    for name in names:
        runs = []
        for _ in range(repeats):
            t = time.perf_counter()
            signal = read_signal(base / f"{name}.hea")
            analysis = predictor.analyze_signal(signal.samples, signal.fs)
            runs.append(time.perf_counter() - t)
        out[name] = {
            "seconds": statistics.median(runs),
            "runs_seconds": runs,
            "duration_min": analysis.duration_s / 60,
            "beats": len(analysis.beats),
        }
    return out


def cpu_name(cpuinfo="/proc/cpuinfo"):
    """The CPU's model name, with its widest vector unit (what TensorFlow's kernels use)."""
    try:
        text = Path(cpuinfo).read_text()
    except OSError:
        return platform.processor() or platform.machine()
    fields = dict(
        (key.strip(), value.strip())
        for key, _, value in (line.partition(":") for line in text.splitlines())
        if key.strip() in ("model name", "flags")
    )
    flags = set(fields.get("flags", "").split())
    vector = "AVX-512" if "avx512f" in flags else "AVX2" if "avx2" in flags else None
    name = fields.get("model name") or platform.machine()
    return f"{name}, {vector}" if vector else name


def run(args):
    from ..predictor import Predictor

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    quick = args.quick
    report = {"cpus": os.cpu_count(), "cpu": cpu_name()}
    print(f"cpu: {report['cpus']} x {report['cpu']}", flush=True)

    def step(name, fn):
        t = time.time()
        report[name] = fn()
        print(f"{name}: {json.dumps(report[name])}  ({time.time() - t:.0f} s)", flush=True)

    predictor = Predictor(args.model)
    _, _, test = datasets.split("inter", args.data_dir)
    step("record_analysis_30min", lambda: record_analysis(predictor, args.data_dir))
    step("latency_single_image", lambda: latency(predictor, test, 50 if quick else 300))
    if Path(args.beat_model, "model.keras").exists():
        step("beat_split", lambda: classification(args.beat_model, "beat", args.data_dir))
    else:
        print(f"beat_split: no model in {args.beat_model} (train one with --split beat)")
    step("inter_patient", lambda: classification(args.model, "inter", args.data_dir))
    step(
        "drawing_styles",
        lambda: evaluate.style_figures(
            predictor, test, per_class=10 if quick else evaluate.STYLE_SAMPLE_PER_CLASS
        ),
    )
    step(
        "rejection",
        lambda: rejection(predictor, test, args.data_dir, 20 if quick else 100, 5 if quick else 30),
    )
    names = records.MITDB_RECORDS[:4] if quick else records.MITDB_RECORDS
    step("r_peak_detection", lambda: detection(args.data_dir, names))
    return report


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m ml.reports.bench",
                                description=__doc__.split("\n")[0])
    p.add_argument("--model", default=str(DEFAULT_MODEL_DIR))
    p.add_argument("--beat-model", default=str(BEAT_SPLIT_MODEL_DIR))
    p.add_argument("--data-dir", default=None)
    p.add_argument("--json", default=None, help="also write the figures here")
    p.add_argument("--quick", action="store_true", help="small samples, for a smoke run")
    args = p.parse_args(argv)
    report = run(args)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
