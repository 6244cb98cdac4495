"""Inference: ``Predictor`` classifies beat images and analyses whole ECG recordings.

Two models (ml/README.md): pictures of a beat go to the image model (``ml/models/default``,
beatnet); recordings (WFDB, EDF, CSV, JSON leads; one lead or several) go to the recordings
model (``ml/models/leads``, leadnet), which reads every lead the recording has in the 12
standard lead slots (``ml.leads``, ``ml.beatinput``). A recording's result says which leads
were used (``leads_used``) and how (``analysis_mode``: "several leads" or "one lead").

A Predictor loads its model once (TensorFlow start-up and weights: seconds) and afterwards
holds no mutable state, so one instance serves every task of a worker process. Create it
lazily inside the process that uses it (never in a parent before fork).
"""
import hashlib
import json
import os
import zipfile
from pathlib import Path

import numpy as np

from . import beatinput, decision, leads, picture, render, segment, spectral
from .card import load_card
from .detect import detect_r_peaks
from .errors import InputRejected
from .formats import check_usable
from .formats.limits import FLAT_PEAK_TO_PEAK_MV
from .preprocess import TARGET_FS, clean
from .registry import CLASS_CODES, check_model_classes
from .results import ONE_LEAD, SEVERAL_LEADS, Beat, ImagePrediction, SignalAnalysis
from .summary import finding, heart_rate, vf_episodes

DEFAULT_MODEL_DIR = Path(__file__).resolve().parent / "models" / "default"
# The recordings model (leadnet).
DEFAULT_LEADS_DIR = DEFAULT_MODEL_DIR.parent / "leads"
# leadnet is compiled for these batch sizes (a 10-s strip has 8-20 beats; long records go in
# chunks of the larger).
LEADS_BUCKETS = (16, 256)
# Trained on the beat-level split, for the card's literature-comparable figure only: the site
# never serves it, since its test patients are also its training patients.
BEAT_SPLIT_MODEL_DIR = DEFAULT_MODEL_DIR.parent / "beat-split"
MODEL_FILE = "model.keras"
# Beats per model call (ml.reports.bench measures the speed of a whole record).
BATCH = 64
# The model is compiled (XLA) for these batch sizes only; a smaller batch is padded up to
# the next one, so a worker compiles three times at start-up and never while serving.
BUCKETS = (1, 8, BATCH)
# Below this probability a label is flagged as uncertain (see the model card for how often).
LOW_CONFIDENCE = 0.70
# A signal's result is uncertain when this share of its beats is uncertain.
LOW_CONFIDENCE_SHARE = 0.20

# What defines a model's answers: the .keras file's architecture and weights, and the decision
# weights in meta.json (ml.decision). The .keras metadata.json only records when it was saved,
# and config.json names shared objects by their memory address in the saving process, so both
# are normalised away: the same weights saved twice, or retrained bit for bit by
# ``python -m ml.training.train``, get the same version.
WEIGHTS_MEMBER = "model.weights.h5"


def _stable_config(raw):
    """config.json with every shared_object_id renumbered in order of first appearance."""
    ids = {}

    def walk(node):
        if isinstance(node, dict):
            return {
                k: ids.setdefault(v, len(ids)) if k == "shared_object_id" else walk(v)
                for k, v in node.items()
            }
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return json.dumps(walk(json.loads(raw)), sort_keys=True).encode()


def _meta(model_dir):
    path = Path(model_dir) / "meta.json"
    return json.loads(path.read_text()) if path.exists() else {}


# The output order of models saved before meta.json recorded its classes.
LEGACY_CLASSES = ("N", "L", "R", "A", "V", "VF")


def model_classes(meta):
    """The class codes a model outputs, in order, as its meta.json records them."""
    return tuple((meta or {}).get("classes", LEGACY_CLASSES))


def model_version(model_dir):
    """The model's content hash (first 12 hex digits of SHA-256 over its architecture, weights
    and decision weights), shown with every result and on the model card."""
    digest = hashlib.sha256()
    with zipfile.ZipFile(Path(model_dir) / MODEL_FILE) as archive:
        parts = [("config.json", _stable_config(archive.read("config.json"))),
                 (WEIGHTS_MEMBER, archive.read(WEIGHTS_MEMBER))]
    weights = decision.weights_of(_meta(model_dir))
    if weights is not None:  # a model decided by plain argmax keeps its earlier version
        parts.append(("decision", np.asarray(weights, "<f4").tobytes()))
    for name, data in parts:
        digest.update(f"{name}:{len(data)}:".encode())
        digest.update(data)
    return digest.hexdigest()[:12]


class ModelFileError(Exception):
    """The model folder cannot be used: a file is missing, truncated or corrupt."""


def check_model_files(model_dir):
    """Check, without loading TensorFlow, that ``model_dir`` holds a usable model: a readable
    .keras archive whose members pass their CRC check and include the architecture and the
    weights, a meta.json that parses, and the classes this code knows. Returns the model's
    version; raises ModelFileError saying what is wrong.

    A worker calls this before it takes any task (ecgsite.celery): a worker with a broken
    model would otherwise take uploads and fail every one of them."""
    path = Path(model_dir) / MODEL_FILE
    if not path.is_file():
        raise ModelFileError(f"there is no model file at {path}")
    try:
        with zipfile.ZipFile(path) as archive:
            corrupt = archive.testzip()
            members = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise ModelFileError(f"{path} is not a readable Keras archive ({exc})") from exc
    if corrupt is not None:
        raise ModelFileError(f"{path} is corrupt: its member {corrupt} fails its CRC check")
    missing = sorted({"config.json", WEIGHTS_MEMBER} - members)
    if missing:
        raise ModelFileError(f"{path} lacks {', '.join(missing)}")
    try:
        meta = _meta(model_dir)
        check_model_classes(model_classes(meta), where=f"The model in {model_dir}")
        return model_version(model_dir)
    except (ValueError, OSError, KeyError) as exc:  # JSONDecodeError is a ValueError
        raise ModelFileError(f"the model in {model_dir} cannot be used: {exc}") from exc


class Predictor:
    def __init__(self, model_dir=None, leads_dir=None):
        self.model_dir = Path(model_dir or os.environ.get("ECG_MODEL_DIR") or DEFAULT_MODEL_DIR)
        self.leads_dir = Path(leads_dir or os.environ.get("ECG_LEADS_MODEL_DIR")
                              or DEFAULT_LEADS_DIR)
        path = self.model_dir / MODEL_FILE
        if not path.exists():
            raise FileNotFoundError(f"no model at {path}")
        leads_path = self.leads_dir / MODEL_FILE
        if not leads_path.exists():
            raise FileNotFoundError(f"no recordings model at {leads_path}")
        self.leads_meta = _meta(self.leads_dir)
        check_model_classes(model_classes(self.leads_meta),
                            where=f"The recordings model in {self.leads_dir}")
        # The input the recordings model reads is the one its meta.json names, never guessed
        # from the network: the beat windows (leadnet) or their STFT (leadnet_spectral).
        self.leads_input = spectral.input_kind(self.leads_meta)
        if self.leads_meta.get("arch") != spectral.ARCHITECTURE[self.leads_input]:
            raise ValueError(f"{self.leads_dir} holds a {self.leads_meta.get('arch')!r} model; "
                             f"recordings reading the {self.leads_input} input need a "
                             f"{spectral.ARCHITECTURE[self.leads_input]} model (python -m "
                             "ml.training.leadnet)")
        self.leads_decision_weights = decision.weights_of(self.leads_meta)
        self.leads_rhythm = beatinput.rhythm_kind(self.leads_meta)
        self.leads_version = model_version(self.leads_dir)
        self.leads_card = load_card(self.leads_dir)
        self.meta = _meta(self.model_dir)
        check_model_classes(model_classes(self.meta), where=f"The model in {self.model_dir}")
        self.decision_weights = decision.weights_of(self.meta)
        self.arch = self.meta.get("arch", "beatnet")
        self.channels = int(self.meta.get("channels", 1))
        self.n_context = int(self.meta.get("n_context", segment.N_RHYTHM))
        self.version = model_version(self.model_dir)
        self.card = load_card(self.model_dir)

        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        import keras

        from .inputs import compiled_call, model_inputs

        model = keras.saving.load_model(path, compile=False)
        self._inputs = lambda ink, rhythm, template=None: model_inputs(
            self.arch, ink, rhythm, template, self.channels, self.n_context
        )
        # XLA fuses each convolution with its normalisation and activation; it compiles once
        # per batch size, so each bucket is compiled now, not on a patient's first upload.
        self._call = compiled_call(model)
        for size in BUCKETS:
            self.classify_ink(np.zeros((size, render.HEIGHT, render.WIDTH), np.float32),
                              segment.no_rhythm(size))
        self._leads_call = compiled_call(keras.saving.load_model(leads_path, compile=False))
        for n in LEADS_BUCKETS:
            empty = np.zeros((n, leads.N_SLOTS, beatinput.WINDOW), np.float32)
            self.classify_beats(beatinput.model_inputs(
                empty, empty, beatinput.one_lead_masks(n, leads.II),
                np.zeros((n, beatinput.n_rhythm(self.leads_rhythm)), np.float32)))

    def classify_beats(self, inputs):
        """Class probabilities (n, classes) of recording beats from leadnet's inputs
        (``ml.beatinput``), turned into the input the model reads (``ml.spectral``). They
        carry the recordings model's decision weights (ml.decision), as ``classify_ink``'s
        carry the picture model's."""
        inputs = spectral.model_inputs(inputs, self.leads_input)
        n_all = len(inputs["mask"])
        out = []
        step = LEADS_BUCKETS[-1]
        for k in range(0, n_all, step):
            x = {key: v[k : k + step] for key, v in inputs.items()}
            n = len(x["mask"])
            size = next(b for b in LEADS_BUCKETS if b >= n)
            if size > n:
                x = _padded(x, size)
            out.append(self._leads_call(x).numpy()[:n])
        if not out:
            return np.zeros((0, len(CLASS_CODES)), np.float32)
        return decision.apply(np.concatenate(out), self.leads_decision_weights)

    def classify_ink(self, ink, context, template=None):
        """Class probabilities (n, classes) of beats drawn as ``ink`` (n, H, W) with their
        context: features (ml.segment.context_features) and template ink; zeros / None
        without. They carry the model's decision weights (ml.decision): the label is their
        argmax."""
        out = []
        for k in range(0, len(ink), BATCH):
            tm = None if template is None else template[k : k + BATCH]
            x = self._inputs(ink[k : k + BATCH], context[k : k + BATCH], tm)
            n = min(BATCH, len(ink) - k)
            size = next(b for b in BUCKETS if b >= n)
            if size > n:  # zero rows: each beat's output depends on its own row only
                x = _padded(x, size)
            out.append(self._call(x).numpy()[:n])
        if not out:
            return np.zeros((0, len(CLASS_CODES)), np.float32)
        return decision.apply(np.concatenate(out), self.decision_weights)

    # --- images ------------------------------------------------------------------------
    def predict_images(self, images, seconds=None):
        """One ImagePrediction per image; InputRejected if any image is not a single beat.

        ``seconds``: the time span the pictures' traces show, left end to right end, when the
        person knows it (optional; ``ml.picture.read``); None reads them without it."""
        images = list(images)
        inks = []
        for i, image in enumerate(images):
            try:
                inks.append(picture.canonical_beat(image, seconds))
            except InputRejected as exc:
                if len(images) == 1:
                    raise
                raise InputRejected(f"Image {i + 1}: {exc}") from None
        if not inks:
            return []
        probs = self.classify_ink(np.stack(inks), segment.no_rhythm(len(inks)))
        return [self._image_prediction(p) for p in probs]

    def predict_image(self, image, seconds=None):
        return self.predict_images([image], seconds)[0]

    @staticmethod
    def _image_prediction(p):
        k = int(np.argmax(p))
        return ImagePrediction(
            label=CLASS_CODES[k],
            probabilities={c: float(v) for c, v in zip(CLASS_CODES, p, strict=True)},
            confidence=float(p[k]),
            low_confidence=bool(p[k] < LOW_CONFIDENCE),
        )

    # --- recordings ----------------------------------------------------------------------
    def lead_probabilities(self, signals, fs):
        """(R-peak positions at 360 Hz, probabilities, slots used) of a recording given as
        ``{lead slot: 1-D samples in mV}`` at ``fs`` Hz; the analysis core.

        Every lead is cleaned (``ml.preprocess.clean``); R peaks are found on lead II, else on
        the first lead; a lead that is flat or has invalid values is left out (the first lead
        must be usable). Of the usable leads, ``beatinput.analysed_slots`` chooses those
        read: all of them when there are at least three, else one."""
        slots = sorted(signals)
        if not slots:
            raise InputRejected("The recording has no ECG lead to analyse.")
        detect_on = leads.II if leads.II in signals else slots[0]
        check_usable(signals[detect_on], fs)
        cleaned = {}
        for s in slots:
            x = np.asarray(signals[s], np.float64)
            if s != detect_on and (x.ndim != 1 or not np.all(np.isfinite(x))
                                   or np.ptp(x) < FLAT_PEAK_TO_PEAK_MV):
                continue  # an empty or broken extra lead: analyse without it
            cleaned[s] = clean(x, fs)[0]
        peaks = detect_r_peaks(cleaned[detect_on], TARGET_FS)
        if len(peaks) == 0:
            raise InputRejected(
                "We could not find any heartbeats in this recording. Check that it is an ECG "
                "and that it contains at least a few seconds of signal."
            )
        cleaned = {s: cleaned[s] for s in beatinput.analysed_slots(cleaned, detect_on)}
        n = len(cleaned[detect_on])
        stack = np.zeros((leads.N_SLOTS, n), np.float32)
        present = np.zeros(leads.N_SLOTS, bool)
        for s, x in cleaned.items():
            stack[s, : min(n, len(x))] = x[:n]
            present[s] = True
        probs = self.classify_beats(beatinput.recording_inputs(stack, present, peaks,
                                                               kind=self.leads_rhythm))
        return peaks, probs, sorted(cleaned)

    def analyze_recording(self, recording):
        """Per-beat labels and a summary of an ``ml.formats.Recording``, from every standard
        lead it has (``ml.leads``; a recording without standard lead names is read from its
        main lead, taken as lead II)."""
        channels = leads.slots_of(recording.lead_names, recording.main)
        signals = {s: recording.samples[:, c].astype(np.float64) for s, c in channels.items()}
        return self.analyze_leads(signals, recording.fs)

    def analyze_signal(self, samples, fs):
        """Per-beat labels and a summary of one ECG lead (1-D, millivolts, ``fs`` Hz), read as
        lead II."""
        return self.analyze_leads({leads.II: np.asarray(samples, np.float64)}, fs)

    def analyze_leads(self, signals, fs):
        """Per-beat labels and a summary of a recording given as ``{lead slot: samples}``."""
        n_samples = len(next(iter(signals.values()))) if signals else 0
        peaks, probs, used = self.lead_probabilities(signals, fs)
        labels = probs.argmax(axis=1)
        conf = probs.max(axis=1)
        times = peaks / TARGET_FS
        beats = [
            Beat(
                sample=int(min(n_samples - 1, round(t * fs))),
                time_s=round(float(t), 4),
                label=CLASS_CODES[k],
                confidence=round(float(c), 4),
                probabilities=_rounded(p),
            )
            for t, k, c, p in zip(times, labels, conf, probs, strict=True)
        ]
        counts = {code: int(np.sum(labels == i)) for i, code in enumerate(CLASS_CODES)}
        episodes = vf_episodes(times, labels)
        return SignalAnalysis(
            fs=float(fs),
            duration_s=round(n_samples / float(fs), 3),
            beats=beats,
            counts=counts,
            heart_rate_bpm=heart_rate(times, labels),
            vf_episodes=episodes,
            finding=finding(counts, episodes),
            low_confidence=bool(np.mean(conf < LOW_CONFIDENCE) > LOW_CONFIDENCE_SHARE),
            model_version=self.leads_version,
            leads_used=leads.names_of(used),
            analysis_mode=SEVERAL_LEADS if len(used) > 1 else ONE_LEAD,
        )


def _padded(inputs, size):
    """Model inputs (an array or a dict of arrays) with zero rows appended up to ``size``."""
    def pad(v):
        return np.concatenate([v, np.zeros((size - len(v), *v.shape[1:]), v.dtype)])

    return {k: pad(v) for k, v in inputs.items()} if isinstance(inputs, dict) else pad(inputs)


def _rounded(probabilities):
    return {c: round(float(v), 4) for c, v in zip(CLASS_CODES, probabilities, strict=True)}
