"""The diagnosis app's only door into ``ml``: the process-wide Predictor and stored inputs.

The Predictor loads TensorFlow and the model (seconds, hundreds of MB), so it is created on
first use inside the process that needs it: a Celery pool process, never at import time and
never in the Celery parent before it forks (TensorFlow does not survive a fork). If a forked
child finds an instance made by its parent, it makes its own.

Only the names of ML_CONTRACT.md are used: ml.Predictor, ml.InputRejected, ml.io.read_signal
and ml.images.load_image.
"""
import os
import tempfile
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage

from ml.errors import InputRejected
from ml.registry import CLASS_CODES

from .trace import Trace, make_trace

_lock = threading.Lock()
_predictor = None
_predictor_pid = None


def get_predictor():
    global _predictor, _predictor_pid
    if _predictor is None or _predictor_pid != os.getpid():
        with _lock:
            if _predictor is None or _predictor_pid != os.getpid():
                from ml import Predictor

                _predictor = Predictor(model_dir=settings.ECG_MODEL_DIR)
                _predictor_pid = os.getpid()
    return _predictor


@dataclass
class Outcome:
    """What a run produced: fields of the Diagnosis row, and for signals the beats and trace."""

    fields: dict
    beats: dict | None = None
    trace: Trace | None = None
    extra: dict = field(default_factory=dict)


@contextmanager
def local_files(files):
    """The files [(basename, bytes)] written to a private temporary folder; yields its path.

    The signal reader wants paths (a WFDB header finds its .dat beside it), and this works
    whatever the storage backend is.
    """
    with tempfile.TemporaryDirectory(prefix="ecg-input-") as folder:
        for basename, content in files:
            Path(folder, basename).write_bytes(content)
        yield Path(folder)


def main_file(basenames):
    """The file the signal reader opens: the header of a WFDB record, else the only file."""
    headers = [b for b in basenames if b.endswith(".hea")]
    return headers[0] if headers else basenames[0]


def read_signal_files(files, fs=None):
    """``ml.formats.read_signal`` on in-memory files [(basename, bytes)]; raises InputRejected."""
    from ml.formats import read_signal

    with local_files(files) as folder:
        return read_signal(folder / main_file([b for b, _ in files]), fs=fs)


def stored_inputs(diagnosis):
    out = []
    for f in diagnosis.input_files:
        with default_storage.open(f.file.name, "rb") as fh:
            out.append((f.file.name.rsplit("/", 1)[-1], fh.read()))
    return out


def analyse(diagnosis):
    """Run the model on a stored diagnosis; raises InputRejected for unusable input."""
    predictor = get_predictor()
    inputs = stored_inputs(diagnosis)
    if diagnosis.kind == diagnosis.Kind.IMAGE:
        return _analyse_image(predictor, inputs[0][1])
    signal = read_signal_files(inputs, fs=diagnosis.input_fs)
    return _analyse_signal(predictor, signal)


def _analyse_image(predictor, content):
    from ml.formats import load_image

    pred = predictor.predict_images([load_image(content)])[0]
    return Outcome(fields={
        "model_version": predictor.version,
        "label": pred.label,
        "probabilities": {code: float(pred.probabilities[code]) for code in CLASS_CODES},
        "confidence": float(pred.confidence),
        "low_confidence": bool(pred.low_confidence),
    })


def _analyse_signal(predictor, signal):
    analysis = predictor.analyze_signal(signal.samples, signal.fs)
    beats = analysis.beats
    if not beats:
        raise InputRejected(
            "We could not find any heartbeats in this recording. Check that it is an ECG lead "
            "(in millivolts) and that the sampling rate is right."
        )
    n = len(beats)
    # A record has no single probability vector; the chart shows the mean of the beats'
    # probabilities (the expected share of beats per class), and the confidence is the mean
    # confidence of the beats that carry the headline finding.
    mean_probs = {code: sum(b.probabilities[code] for b in beats) / n for code in CLASS_CODES}
    finding_beats = [b for b in beats if b.label == analysis.finding] or beats
    confidence = sum(b.confidence for b in finding_beats) / len(finding_beats)
    fields = {
        "model_version": predictor.version,
        "label": analysis.finding,
        "probabilities": mean_probs,
        "confidence": float(confidence),
        "low_confidence": bool(analysis.low_confidence),
        "counts": {code: int(analysis.counts.get(code, 0)) for code in CLASS_CODES},
        "beat_count": n,
        "heart_rate_bpm": (None if analysis.heart_rate_bpm is None
                           else float(analysis.heart_rate_bpm)),
        "vf_episodes": [[round(float(e.start_s), 3), round(float(e.end_s), 3)]
                        for e in analysis.vf_episodes],
        "duration_s": float(analysis.duration_s),
        "fs": float(analysis.fs),
    }
    beat_rows = {
        "samples": [int(b.sample) for b in beats],
        "labels": [b.label for b in beats],
        "confidences": [round(float(b.confidence), 3) for b in beats],
    }
    return Outcome(fields=fields, beats=beat_rows,
                   trace=make_trace(signal.samples, signal.fs))
