"""What the Django apps use of ``ml`` at run time: the process-wide Predictor, the analysis of a
stored diagnosis, and its stored leads. The upload checks use ``ml.formats``' cheap header
checks (diagnosis.validators); nothing in the web process decodes a recording.

The Predictor loads TensorFlow and the model (seconds, hundreds of MB), so it is created on
first use inside the process that needs it: a Celery pool process, never at import time and
never in the Celery parent before it forks (TensorFlow does not survive a fork). If a forked
child finds an instance made by its parent, it makes its own.
"""
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage

from ml.errors import InputRejected
from ml.formats import Recording, load_image, read_recording
from ml.registry import CLASS_CODES
from ml.results import PICTURE

from .models import DiagnosisFile
from .trace import Trace, trace_of_leads

# Stored leads are an ml.formats.Recording written by Recording.to_npz.
LEADS_EXT = "npz"

_lock = threading.Lock()
_predictor = None
_predictor_pid = None


def get_predictor():
    global _predictor, _predictor_pid
    if _predictor is None or _predictor_pid != os.getpid():
        with _lock:
            if _predictor is None or _predictor_pid != os.getpid():
                from ml import Predictor

                _predictor = Predictor(model_dir=settings.ECG_MODEL_DIR,
                                       leads_dir=settings.ECG_LEADS_MODEL_DIR)
                _predictor_pid = os.getpid()
    return _predictor


@dataclass
class Outcome:
    """What a run produced: fields of the Diagnosis row, and for signals the beats and trace."""

    fields: dict
    beats: dict | None = None
    trace: Trace | None = None


def _read(stored):
    with default_storage.open(stored.file.name, "rb") as fh:
        return fh.read()


def stored_leads(diagnosis):
    """The diagnosis's decoded leads (.npz bytes), or None when the worker has not kept any."""
    leads = next((f for f in diagnosis.files.all() if f.role == DiagnosisFile.Role.LEADS), None)
    return None if leads is None else _read(leads)


def leads_used(diagnosis):
    """(lead names, name of the lead the model read) of the diagnosis's kept leads, or None
    when there are none (a picture, or a recording the worker has not decoded yet). Reads
    only the names from the .npz, not the samples."""
    stored = next((f for f in diagnosis.files.all() if f.role == DiagnosisFile.Role.LEADS), None)
    if stored is None:
        return None
    import numpy as np

    with default_storage.open(stored.file.name, "rb") as fh, \
            np.load(fh, allow_pickle=False) as data:
        names = tuple(str(n) for n in data["lead_names"])
        main = int(data["main"])
    return names, names[main]


def main_file(basenames):
    """The file the reader opens: the header of a WFDB record, else the only file."""
    headers = [b for b in basenames if b.endswith(".hea")]
    return headers[0] if headers else basenames[0]


def decode_inputs(diagnosis):
    """The recording in a diagnosis's uploaded files: an ``ml.formats.Recording``.

    The reader wants paths (a WFDB header finds its .dat beside it), so the stored files are
    written to a private temporary folder under their stored names; this works whatever the
    storage backend is.
    """
    with tempfile.TemporaryDirectory(prefix="ecg-input-") as folder:
        names = []
        for stored in diagnosis.input_files:
            name = stored.file.name.rsplit("/", 1)[-1]
            Path(folder, name).write_bytes(_read(stored))
            names.append(name)
        return read_recording(Path(folder, main_file(names)), fs=diagnosis.input_fs)


def analyse(diagnosis, keep_leads=None):
    """Run the model on a stored diagnosis; raises InputRejected for unusable input.

    A recording is decoded once: a later run reads the leads kept by the first. After decoding,
    ``keep_leads(npz bytes)`` is called to store them, before the (longer) analysis.
    """
    predictor = get_predictor()
    if diagnosis.kind == diagnosis.Kind.IMAGE:
        image = load_image(_read(diagnosis.input_files[0]),
                           max_pixels=settings.ECG_IMAGE_MAX_PIXELS)
        return _analyse_image(predictor, image, diagnosis.seconds_shown)
    leads = stored_leads(diagnosis)
    if leads is None:
        leads = decode_inputs(diagnosis).to_npz()
        if keep_leads is not None:
            keep_leads(leads)
    return _analyse_signal(predictor, Recording.from_npz(leads), trace_of_leads(leads))


def _analyse_image(predictor, image, seconds=None):
    # seconds: the span the owner gave (None: the reader judges the time scale itself).
    pred = predictor.predict_images([image], seconds=seconds)[0]
    return Outcome(fields={
        "model_version": predictor.version,
        "analysis_mode": PICTURE,
        "leads_used": [],
        "label": pred.label,
        "probabilities": {code: float(pred.probabilities[code]) for code in CLASS_CODES},
        "confidence": float(pred.confidence),
        "low_confidence": bool(pred.low_confidence),
    })


def _analyse_signal(predictor, recording, trace):
    analysis = predictor.analyze_recording(recording)
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
        "model_version": analysis.model_version,
        "analysis_mode": analysis.analysis_mode,
        "leads_used": list(analysis.leads_used),
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
    return Outcome(fields=fields, beats=beat_rows, trace=trace)
