"""From PhysioNet records to labelled beat windows, and the two evaluation splits.

Every beat goes through the same signal path as an upload at inference time: the record's main
lead is cleaned by ``ml.preprocess.clean`` (360 Hz, baseline removed, wavelet-denoised) and a
wide window is cut around the beat's R peak (wide so augmentation can vary the extent; the
model's own window is cut from its middle).

- mitdb: our R-peak detector gives the positions (as for an upload) and the reference beat
  annotation matched to each detection (within 100 ms) its label (N L R A V, and the flutter
  waves ``!`` of record 207 as VF); the few beats the detector misses (about 0.4%, measured by
  ``ml.reports.detect_eval``) are left out. Paced records are left out (AAMI EC57 practice). Rhythm
  features and templates come from all detections of the record.
- vfdb: ventricular fibrillation/flutter has no beat labels, so VF windows are centred on the
  waves our own R-peak detector finds inside the VF spans (as at inference), away from the span
  edges so a window shows VF only. Rhythm features come from the detections of the whole record.

Splits:
- ``inter`` (honest): train on DS1 + VFDB_TRAIN, test on DS2 + VFDB_TEST (patient-disjoint).
- ``beat`` (the literature's, optimistic): all beats pooled, stratified random 80/20 split.
In both, 10% of the training beats (stratified, random) are held out for early stopping.
"""
from dataclasses import dataclass

import numpy as np

from ..detect import detect_r_peaks, match_beats
from ..preprocess import TARGET_FS, clean
from ..registry import (
    CLASS_CODES,
    CLASS_INDEX,
    EPISODE_CLASS,
    MITDB_SYMBOL_TO_CLASS,
    NOT_VF,
    VF_RHYTHMS,
)
from ..segment import cut_windows, local_templates, rhythm_features
from . import augment, records

SPLITS = ("inter", "beat")
# Development folds inside DS1 (patient-disjoint, each class on both sides) for design
# decisions, so that DS2 is used once, for the final figures, and never to choose a design.
DEV_FOLDS = {
    "a": (
        ("101", "106", "109", "112", "115", "118", "119", "201", "209", "215", "223"),
        ("419", "422"),
    ),
    "b": (
        ("108", "114", "116", "122", "124", "203", "205", "207", "208", "220", "230"),
        ("426", "430"),
    ),
}
DEV_SPLITS = ("dev-a", "dev-b")  # dev-a: train on fold a, test on fold b; dev-b: the reverse
VF_EDGE_S = 0.35  # keep VF windows this far inside the span
MATCH_TOLERANCE_S = 0.10  # a detection labels a beat if it is this close to its annotation
SPLIT_SEED = 20260101


@dataclass
class BeatSet:
    wide: np.ndarray  # (n, augment.WIDE) float32, cleaned signal around each R peak
    template: np.ndarray  # (n, augment.WIDE) float32, the local dominant beat (segment)
    rhythm: np.ndarray  # (n, segment.N_RHYTHM) float32
    labels: np.ndarray  # (n,) int64 class index
    record: np.ndarray  # (n,) "mitdb/100"
    position: np.ndarray  # (n,) sample index at TARGET_FS

    def __len__(self):
        return len(self.labels)

    def take(self, idx):
        return BeatSet(*(a[idx] for a in self._arrays()))

    def _arrays(self):
        return (self.wide, self.template, self.rhythm, self.labels, self.record, self.position)

    @staticmethod
    def concat(sets):
        sets = [s for s in sets if len(s)]
        if not sets:
            return empty()
        columns = zip(*(s._arrays() for s in sets), strict=True)
        return BeatSet(*(np.concatenate(parts) for parts in columns))

    def counts(self):
        out = {code: int(np.sum(self.labels == i)) for i, code in enumerate(CLASS_CODES)}
        if np.any(self.labels == NOT_VF):
            out["not VF"] = int(np.sum(self.labels == NOT_VF))
        return out


def empty():
    return BeatSet(
        np.zeros((0, augment.WIDE), np.float32),
        np.zeros((0, augment.WIDE), np.float32),
        np.zeros((0, 6), np.float32),
        np.zeros(0, np.int64),
        np.zeros(0, "<U12"),
        np.zeros(0, np.int64),
    )


def _scaled(samples, fs):
    return np.round(np.asarray(samples) * TARGET_FS / fs).astype(np.int64)


def mitdb_beats(name, data_dir=None):
    rec = records.load_record("mitdb", name, data_dir)
    x, _ = clean(rec.main_signal, rec.fs)
    samples, symbols = rec.beat_annotations()
    reference = _scaled(samples, rec.fs)
    # Beats are centred where our detector puts them and get their rhythm context from the
    # detections, exactly as in an uploaded recording; the cardiologists' annotation matched
    # to each detection gives its label. (Annotations of wide beats sit on their first peak,
    # detections on the QRS centre: training on annotation positions would shift them.)
    peaks = detect_r_peaks(x, TARGET_FS)
    rhythm = rhythm_features(peaks, TARGET_FS)
    wide = cut_windows(x, peaks, augment.WIDE_BEFORE, augment.WIDE_AFTER)
    templates = local_templates(wide)
    ref_idx, peak_idx = match_beats(reference, peaks, round(MATCH_TOLERANCE_S * TARGET_FS))
    order = np.argsort(peak_idx)
    ref_idx, peak_idx = ref_idx[order], peak_idx[order]
    ours = np.array([symbols[r] in MITDB_SYMBOL_TO_CLASS for r in ref_idx], bool)
    ref_idx, beat_idx = ref_idx[ours], peak_idx[ours]
    labels = np.array([CLASS_INDEX[MITDB_SYMBOL_TO_CLASS[symbols[r]]] for r in ref_idx], np.int64)
    pos = peaks[beat_idx]
    return BeatSet(
        wide[beat_idx],
        templates[beat_idx],
        rhythm[beat_idx],
        labels,
        np.full(len(pos), f"mitdb/{name}"),
        pos,
    )


def _vfdb_peaks(name, data_dir):
    """A vfdb record, its cleaned main lead at TARGET_FS, R peaks and rhythm features."""
    rec = records.load_record("vfdb", name, data_dir)
    x, _ = clean(rec.main_signal, rec.fs)
    peaks = detect_r_peaks(x, TARGET_FS)
    return rec, x, peaks, rhythm_features(peaks, TARGET_FS)


def _vfdb_beat_set(name, x, peaks, rhythm, keep, label):
    """The kept beats of one vfdb record, all with ``label``.

    Windows and local templates are cut from every peak before selecting, so a kept beat's
    template is the median of its real neighbours, as in use.
    """
    wide = cut_windows(x, peaks, augment.WIDE_BEFORE, augment.WIDE_AFTER)
    templates = local_templates(wide)
    pos = peaks[keep]
    return BeatSet(
        wide[keep],
        templates[keep],
        rhythm[keep],
        np.full(len(pos), label, np.int64),
        np.full(len(pos), f"vfdb/{name}"),
        pos,
    )


def vfdb_beats(name, data_dir=None):
    rec, x, peaks, rhythm = _vfdb_peaks(name, data_dir)
    edge = int(VF_EDGE_S * TARGET_FS)
    keep = np.zeros(len(peaks), bool)
    for start, end in records.vf_spans(rec):
        s, e = _scaled([start, end], rec.fs)
        keep |= (peaks >= s + edge) & (peaks < e - edge)
    return _vfdb_beat_set(name, x, peaks, rhythm, keep, CLASS_INDEX[EPISODE_CLASS])


NEGATIVE_SKIP_RHYTHMS = VF_RHYTHMS + ("(NOISE",)
NEGATIVE_VF_GAP_S = 2.0  # keep "not VF" beats this far from any VF span


def vfdb_negatives(name, data_dir=None):
    """Beats of a vfdb record outside ventricular fibrillation, labelled NOT_VF.

    vfdb has no beat labels, but its rhythm notes say where the rhythm is something other
    than VF/flutter (sinus rhythm, ventricular tachycardia, asystole...). Without these, every
    VF example would come from vfdb and every other beat from mitdb, and a network can learn
    to tell the two databases apart (their recorders differ) instead of VF from other
    rhythms: it then calls a vfdb patient's ordinary rhythm VF. Noise spans are left out.
    """
    rec, x, peaks, rhythm = _vfdb_peaks(name, data_dir)
    edge = int(VF_EDGE_S * TARGET_FS)
    gap = int(NEGATIVE_VF_GAP_S * TARGET_FS)
    others = {note for _, note in rec.rhythm} - set(NEGATIVE_SKIP_RHYTHMS)
    keep = np.zeros(len(peaks), bool)
    for start, end in records.rhythm_spans(rec, others):
        s, e = _scaled([start, end], rec.fs)
        keep |= (peaks >= s + edge) & (peaks < e - edge)
    for start, end in records.vf_spans(rec):
        s, e = _scaled([start, end], rec.fs)
        keep &= (peaks < s - gap) | (peaks >= e + gap)
    return _vfdb_beat_set(name, x, peaks, rhythm, keep, NOT_VF)


# vfdb records whose other rhythms give "not VF" training beats: every patient outside the
# held-out VF test patients.
NEGATIVE_RECORDS = tuple(r for r in records.VFDB_RECORDS if r not in records.VFDB_TEST)


def negatives(names, data_dir=None, progress=None):
    parts = []
    for name in names:
        parts.append(vfdb_negatives(name, data_dir))
        if progress:
            progress(f"vfdb/{name} (not VF)")
    return BeatSet.concat(parts)


def load(mitdb=(), vfdb=(), data_dir=None, progress=None):
    parts = []
    for name in mitdb:
        parts.append(mitdb_beats(name, data_dir))
        if progress:
            progress(f"mitdb/{name}")
    for name in vfdb:
        parts.append(vfdb_beats(name, data_dir))
        if progress:
            progress(f"vfdb/{name}")
    return BeatSet.concat(parts)


VF_RECORDS = tuple(sorted(records.VFDB_TRAIN + records.VFDB_TEST))
CLASSIFIED_MITDB = tuple(r for r in records.MITDB_RECORDS if r not in records.PACED)


def stratified_split(labels, fraction, seed):
    """(first, second) index arrays; ``fraction`` of every class goes to the second."""
    rng = np.random.default_rng(seed)
    second = []
    for c in np.unique(labels):
        idx = np.flatnonzero(labels == c)
        rng.shuffle(idx)
        second.append(idx[: int(round(fraction * len(idx)))])
    second = np.sort(np.concatenate(second)) if second else np.zeros(0, np.int64)
    first = np.setdiff1d(np.arange(len(labels)), second)
    return first, second


def split(name, data_dir=None, progress=None, with_negatives=True):
    """(train, validation, test) BeatSets of the named split.

    Training sets also hold the vfdb "not VF" beats (label NOT_VF, see ``vfdb_negatives``)
    unless ``with_negatives`` is false; validation and test sets hold labelled beats only.
    """
    if name == "inter":
        train = load(records.DS1, records.VFDB_TRAIN, data_dir, progress)
        test = load(records.DS2, records.VFDB_TEST, data_dir, progress)
        extra = NEGATIVE_RECORDS
    elif name in DEV_SPLITS:
        first, second = ("a", "b") if name == "dev-a" else ("b", "a")
        train = load(*DEV_FOLDS[first], data_dir, progress)
        test = load(*DEV_FOLDS[second], data_dir, progress)
        extra = tuple(r for r in NEGATIVE_RECORDS if r not in DEV_FOLDS[second][1])
    elif name == "beat":
        pooled = load(CLASSIFIED_MITDB, VF_RECORDS, data_dir, progress)
        tr, te = stratified_split(pooled.labels, 0.2, SPLIT_SEED)
        train, test = pooled.take(tr), pooled.take(te)
        extra = NEGATIVE_RECORDS
    else:
        raise ValueError(f"unknown split {name!r}; choose one of {SPLITS + DEV_SPLITS}")
    tr, va = stratified_split(train.labels, 0.1, SPLIT_SEED + 1)
    train, validation = train.take(tr), train.take(va)
    if with_negatives:
        train = BeatSet.concat([train, negatives(extra, data_dir, progress)])
    return train, validation, test


def fixed_subset(beats, per_class=300, seed=SPLIT_SEED + 2):
    """A fixed, class-stratified sample of a test set: small enough for CI to re-measure."""
    rng = np.random.default_rng(seed)
    idx = []
    for c in range(len(CLASS_CODES)):
        members = np.flatnonzero(beats.labels == c)
        if len(members):
            idx.append(np.sort(rng.choice(members, min(per_class, len(members)), replace=False)))
    return beats.take(np.concatenate(idx))
