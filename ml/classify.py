"""Classify files from the command line: ``python -m ml.classify FILE...``.

Prints one JSON object per file, one per line. Beat images (PNG, JPEG, BMP, GIF, TIFF) get a
label with per-class probabilities (the image model); signal files (a WFDB ``.hea`` with its
``.dat`` beside it, CSV, EDF) get the recording summary from every standard lead they have (the
recordings model: finding, counts per class, heart rate, VF episodes, ``leads_used``,
``analysis_mode``) and, with ``--beats``, every beat. A file that cannot be judged gets
``"error"`` with the reason.
"""
import argparse
import json
import os
import sys
from pathlib import Path

from .errors import InputRejected
from .formats import PICTURES, load_image, read_recording, sniff


def is_image(path):
    with open(path, "rb") as fh:
        head = fh.read(64)
    return sniff(head) in PICTURES


def classify_file(predictor, path, fs=None, beats=False):
    path = Path(path)
    out = {"file": str(path)}
    try:
        if is_image(path):
            out["kind"] = "image"
            out.update(predictor.predict_image(load_image(path)).to_dict())
        else:
            out["kind"] = "signal"
            recording = read_recording(path, fs)
            analysis = predictor.analyze_recording(recording).to_dict()
            if not beats:
                analysis.pop("beats")
            out.update({"lead": recording.lead, "format": recording.format, **analysis})
    except InputRejected as exc:
        out["error"] = str(exc)
    except OSError as exc:
        out["error"] = f"cannot read file: {exc.strerror or exc}"
    return out


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m ml.classify", description=__doc__.split("\n")[0])
    p.add_argument("files", nargs="+")
    p.add_argument("--model", default=None,
                   help="image model folder (default: ml/models/default)")
    p.add_argument("--leads-model", default=None,
                   help="recordings model folder (default: ml/models/leads)")
    p.add_argument("--fs", type=float, default=None, help="sampling rate of CSV files without time")
    p.add_argument("--beats", action="store_true", help="list every beat of signal files")
    args = p.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from .predictor import Predictor

    predictor = Predictor(args.model, args.leads_model)
    failed = False
    for path in args.files:
        result = classify_file(predictor, path, args.fs, args.beats)
        failed |= "error" in result
        print(json.dumps(result), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
