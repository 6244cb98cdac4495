"""Beat labels for training and scoring, by rules written down in ml/training/LABELS.md.

Every beat our R-peak detector finds gets a label: a class index (``CLASS_INDEX``), ``NOT_VF``
(known only not to be ventricular fibrillation) or ``UNSCORED`` (no rule decides it: kept out of
training and scoring, never guessed). Every label comes with a short ``reason`` saying which
rule gave it, so the rules can be counted and checked.

- mitdb: the cardiologists' beat annotation matched to the detection within 100 ms.
- vfdb: the rhythm notes: a VF/flutter span gives VF, the other rhythms give "not VF".
- ludb and ptbxl: one diagnosis per 10-s record, turned into beat labels by timing (the RR
  interval before the beat against the RR before the record's dominant beats) and shape (the
  QRS of every lead against the record's dominant beat), see ``label_by_rules``.

Every rule works on the cleaned signal at ``TARGET_FS`` (360 Hz) and our detector's positions.
"""
import re
from dataclasses import dataclass, field

import numpy as np

from ml.detect import match_beats
from ml.registry import CLASS_CODES, CLASS_INDEX, MITDB_SYMBOL_TO_CLASS, NOT_VF, VF_RHYTHMS

UNSCORED = -2
LABEL_NAMES = {**dict(enumerate(CLASS_CODES)), NOT_VF: "not VF", UNSCORED: "unscored"}

FS = 360.0
# The model's beat window (ml.render): 0.28 s before to 0.42 s after the R peak. A beat whose
# window runs off the record would be padded, not seen: unscored.
WINDOW_BEFORE_S, WINDOW_AFTER_S = 0.28, 0.42

# --- mitdb -------------------------------------------------------------------------------
MATCH_TOLERANCE_S = 0.10  # an annotation labels the detection this close to it

# --- vfdb --------------------------------------------------------------------------------
VF_EDGE_S = 0.35  # VF / not-VF beats this far inside their span, so the window shows one rhythm
NOT_VF_GAP_S = 2.0  # "not VF" beats at least this far from any VF span
NOT_VF_SKIPPED = VF_RHYTHMS + ("(NOISE",)

# --- ludb and ptbxl: timing ---------------------------------------------------------------
PREMATURE_MAX = 0.85  # RR before the beat / the reference RR: at most this is premature
NORMAL_TIMING = (0.90, 1.60)  # ... within this is normally timed (1.6 allows the pause after
#                               an extrasystole); in between or beyond: undecided
PAUSE_MIN = 1.15  # the first beat has no RR before it: a following RR this long marks it early
EARLY_VS_NEXT = 0.85  # normal timing also needs RR before >= this x RR after (else it came early
#                       for its neighbours; and the last beat, with no RR after, is undecided)
# --- ludb and ptbxl: shape (QRS +-100 ms, every present lead, against the dominant beat) ---
QRS_HALF_S = 0.10
MAX_LAG_S = 0.04  # shapes are compared after aligning them by up to this much
DOMINANT_CORR = 0.90  # correlation with the dominant beat: at least this is the dominant shape
DIFFERENT_CORR = 0.80  # below this the shape differs; in between: undecided
MIN_SLOPE = 0.4  # steepest QRS slope against the dominant beat's: below, not a QRS (a T wave)
# --- ptbxl statements -----------------------------------------------------------------------
BBB_MIN_LIKELIHOOD = 80.0  # CLBBB / CRBBB: "probable" or certain in the report's wording
SINUS_SCP = ("SR", "SBRAD", "STACH", "SARRH")
FIBRILLATION_SCP = ("AFIB", "AFLT")
# Conduction that makes a record's conducted beats something other than the product's N.
NOT_NORMAL_CONDUCTION_SCP = ("CLBBB", "CRBBB", "ILBBB", "IRBBB", "IVCD", "WPW", "LAFB", "LPFB",
                             "PACE", "3AVB")
# Report words naming a bundle branch block (German, English, Swedish reports in PTB-XL).
_LEFT_BB = re.compile(r"left bundle branch block|linksschenkelblock|vänstersidigt skänkelblock")
_RIGHT_BB = re.compile(r"right bundle branch block|rechtsschenkelblock|högersidigt skänkelblock")
# --- ludb diagnoses (ludb.csv columns) -------------------------------------------------------
LUDB_SINUS = ("Sinus rhythm", "Sinus bradycardia", "Sinus tachycardia", "Sinus arrhythmia",
              "Irregular sinus rhythm")
LUDB_FIBRILLATION = ("Atrial fibrillation", "Atrial flutter, typical")
# mitdb rhythm notes of atrial fibrillation and flutter (vfdb writes them the same way).
AF_NOTES = ("(AFIB", "(AFL")
LUDB_ABERRANT = ("Aberrant conduction", "Wandering atrial pacemaker")
P_BEFORE_S = 0.30  # ludb: a P wave marked within this before the QRS onset belongs to the beat


@dataclass
class RecordFacts:
    """What a record's diagnoses allow the rules to say about its beats."""

    lbbb: bool = False  # complete left bundle branch block: conducted beats are L
    rbbb: bool = False  # complete right bundle branch block: conducted beats are R
    pac: bool = False  # atrial premature beats reported: premature dominant beats are A
    pvc: bool = False  # ventricular premature beats reported: premature different beats are V
    rhythm: str = "other"  # "sinus", "fibrillation" (AF or flutter) or "other"
    normal_conduction: bool = False  # no conduction finding that excludes N
    notes: list = field(default_factory=list)  # why a class is not available

    @property
    def n_eligible(self):
        return self.rhythm == "sinus" and self.normal_conduction

    @property
    def classes(self):
        """The classes the rules can give in this record."""
        out = []
        if self.n_eligible:
            out.append("N")
        if self.lbbb and not self.rbbb:
            out.append("L")
        if self.rbbb and not self.lbbb:
            out.append("R")
        if self.pac and self.rhythm == "sinus":
            out.append("A")
        if self.pvc:
            out.append("V")
        return out


def ptbxl_facts(meta):
    scp = meta["scp"]
    report = meta.get("report", "").lower()
    extra = meta.get("extra_beats") or ""
    facts = RecordFacts()
    left = scp.get("CLBBB", -1) >= BBB_MIN_LIKELIHOOD
    right = scp.get("CRBBB", -1) >= BBB_MIN_LIKELIHOOD
    wpw = "WPW" in scp or "wpw" in report
    # The report is the cardiologist's text the codes were taken from: a complete-BBB code
    # whose report names the other bundle branch (record 287) is not trusted either way.
    if left and _RIGHT_BB.search(report):
        facts.notes.append("CLBBB code but the report names a right bundle branch block")
        left = False
    if right and _LEFT_BB.search(report):
        facts.notes.append("CRBBB code but the report names a left bundle branch block")
        right = False
    if wpw and (left or right):
        facts.notes.append("pre-excitation (WPW): no bundle branch block beats")
        left = right = False
    facts.lbbb, facts.rbbb = left, right
    # Ectopy statements carry likelihood 0 ("not stated") in PTB-XL, so presence is what counts.
    facts.pac = "PAC" in scp or extra == "SVES"
    facts.pvc = "PVC" in scp or extra == "VES"
    if any(c in scp for c in FIBRILLATION_SCP):
        facts.rhythm = "fibrillation"
    elif any(c in scp for c in SINUS_SCP) or "NORM" in scp:
        facts.rhythm = "sinus"
    blocking = [c for c in NOT_NORMAL_CONDUCTION_SCP if c in scp]
    if wpw and "WPW" not in blocking:
        blocking.append("WPW")
    if any(c in scp for c in ("CLBBB", "CRBBB")) and not (left or right):
        blocking.append("BBB below threshold or in conflict")
    facts.normal_conduction = not blocking
    if blocking:
        facts.notes.append("conduction: " + ", ".join(blocking))
    return facts


def ludb_facts(meta):
    kinds = meta["by_kind"]
    rhythms = kinds["Rhythms"]
    conduction = kinds["Conduction abnormalities"]
    extras = " ".join(kinds["Extrasystolies"]).lower()
    facts = RecordFacts()
    facts.lbbb = "Complete left bundle branch block" in conduction
    facts.rbbb = "Complete right bundle branch block" in conduction
    facts.pac = "atrial extrasystole" in extras
    facts.pvc = "ventricular extrasystole" in extras
    if any(r in rhythms for r in LUDB_FIBRILLATION):
        facts.rhythm = "fibrillation"
    elif any(r in rhythms for r in LUDB_SINUS) and not any(r in rhythms for r in LUDB_ABERRANT):
        facts.rhythm = "sinus"
    # First-degree AV block and sinoatrial block leave the QRS as it is: they stay eligible.
    blocking = [c for c in conduction
                if not c.lower().startswith(("i degree", "sinoatrial"))]
    if kinds["Cardiac pacing"]:
        blocking.append("pacing")
    facts.normal_conduction = not blocking
    if blocking:
        facts.notes.append("conduction: " + ", ".join(blocking))
    return facts


def record_facts(info):
    """RecordFacts of a ludb or ptbxl record (sources.RecordInfo)."""
    if info.database == "ptbxl":
        return ptbxl_facts(info.meta)
    if info.database == "ludb":
        return ludb_facts(info.meta)
    raise ValueError(f"{info.key}: beat labels of {info.database} come from annotations")


@dataclass
class Labelled:
    labels: np.ndarray  # (n,) int8: class index, NOT_VF or UNSCORED
    reasons: np.ndarray  # (n,) str: the rule that gave the label
    features: dict = field(default_factory=dict)  # per-beat measurements the rules used

    def counts(self):
        return {LABEL_NAMES[k]: int(np.sum(self.labels == k)) for k in LABEL_NAMES
                if np.any(self.labels == k)}


def _unscored(n, reason):
    return np.full(n, UNSCORED, np.int8), np.full(n, reason, dtype=object)


def window_inside(peaks, n_samples, fs=FS):
    """Which beats' model windows (0.28 s before to 0.42 s after) lie inside the record."""
    peaks = np.asarray(peaks, np.int64)
    return (peaks - round(WINDOW_BEFORE_S * fs) >= 0) & (peaks + round(WINDOW_AFTER_S * fs)
                                                        <= n_samples)


def _finish(labels, reasons, peaks, n_samples, features=None):
    inside = window_inside(peaks, n_samples)
    labels[~inside] = UNSCORED
    reasons[~inside] = "window outside the record"
    return Labelled(labels, reasons.astype(str), features or {})


def label_mitdb(peaks, n_samples, ann_samples, ann_symbols, ann_fs):
    """mitdb: the annotation matched to each detection within 100 ms gives its class (``N L R
    A V``, and ``!`` flutter waves as VF); other symbols and unmatched detections are unscored.
    ``peaks`` are at 360 Hz, the annotations at ``ann_fs``."""
    peaks = np.asarray(peaks, np.int64)
    labels, reasons = _unscored(len(peaks), "no annotated beat within 100 ms")
    ref = np.round(np.asarray(ann_samples) * FS / ann_fs).astype(np.int64)
    ri, pi = match_beats(ref, peaks, round(MATCH_TOLERANCE_S * FS))
    for r, p in zip(ri, pi, strict=True):
        symbol = ann_symbols[r]
        if symbol in MITDB_SYMBOL_TO_CLASS:
            labels[p] = CLASS_INDEX[MITDB_SYMBOL_TO_CLASS[symbol]]
            reasons[p] = f"annotated {symbol}"
        else:
            reasons[p] = "annotated beat of no class" if symbol.isalpha() or symbol in "/!?" \
                else f"annotation {symbol!r} is not a beat"
    return _finish(labels, reasons, peaks, n_samples)


def spans(rhythm, n_samples, notes):
    """[(start, end)] spans whose rhythm note is in ``notes``; a span ends at the next note."""
    out = []
    for i, (sample, note) in enumerate(rhythm):
        if note in notes:
            out.append((sample, rhythm[i + 1][0] if i + 1 < len(rhythm) else n_samples))
    return out


def rhythm_at(notes, samples):
    """The rhythm note of ``notes`` [(sample, note)] in force at each of ``samples`` (same
    rate), "" before the first note."""
    samples = np.asarray(samples)
    if not notes:
        return np.full(len(samples), "", object)
    starts = np.array([sample for sample, _ in notes], np.int64)
    k = np.searchsorted(starts, samples, side="right") - 1
    return np.array([notes[j][1] if j >= 0 else "" for j in k], object)


def in_af(info, samples):
    """(n,) bool: whether each of ``samples`` (the record's own rate) lies in atrial
    fibrillation or flutter: by the rhythm note in force for mitdb and vfdb, by the stated
    rhythm of the whole 10-s record for ludb and ptbxl (``record_facts``)."""
    if info.database in ("ludb", "ptbxl"):
        return np.full(len(samples), record_facts(info).rhythm == "fibrillation")
    return np.isin(rhythm_at(info.meta.get("rhythm", ()), samples), AF_NOTES)


def label_vfdb(peaks, n_samples, rhythm, ann_fs):
    """vfdb: detections at least 0.35 s inside a ``(VF``/``(VFL``/``(VFIB`` span are VF;
    detections inside another rhythm's span (not ``(NOISE``), 0.35 s from its edges and 2 s
    from any VF span, are NOT_VF; the rest is unscored. ``n_samples`` and ``peaks`` at 360 Hz."""
    peaks = np.asarray(peaks, np.int64)
    scale = FS / ann_fs
    rhythm = [(round(s * scale), note) for s, note in rhythm]
    labels, reasons = _unscored(len(peaks), "no rhythm span (start, edge, or noise)")
    edge, gap = round(VF_EDGE_S * FS), round(NOT_VF_GAP_S * FS)
    vf = spans(rhythm, n_samples, VF_RHYTHMS)
    others = spans(rhythm, n_samples, {n for _, n in rhythm} - set(NOT_VF_SKIPPED))
    in_other = np.zeros(len(peaks), bool)
    for s, e in others:
        in_other |= (peaks >= s + edge) & (peaks < e - edge)
    near_vf = np.zeros(len(peaks), bool)
    in_vf = np.zeros(len(peaks), bool)
    for s, e in vf:
        in_vf |= (peaks >= s + edge) & (peaks < e - edge)
        near_vf |= (peaks >= s - gap) & (peaks < e + gap)
    labels[in_other & ~near_vf] = NOT_VF
    reasons[in_other & ~near_vf] = "other rhythm"
    reasons[in_other & near_vf] = "other rhythm within 2 s of VF"
    labels[in_vf] = CLASS_INDEX["VF"]
    reasons[in_vf] = "VF span"
    return _finish(labels, reasons, peaks, n_samples)


# --- shape and timing ---------------------------------------------------------------------

def _qrs(windows, r_index, lag=0, fs=FS):
    """The QRS part (+-100 ms around the R peak, moved by ``lag`` samples) of (n, leads, t)
    windows, or of per-beat lags when ``lag`` is an array."""
    half = round(QRS_HALF_S * fs)
    if np.ndim(lag) == 0:
        return windows[:, :, r_index - half + lag: r_index + half + lag]
    idx = r_index - half + np.asarray(lag)[:, None] + np.arange(2 * half)[None, :]
    return np.take_along_axis(windows, idx[:, None, :].repeat(windows.shape[1], 1), axis=2)


def _unit(x):
    """Rows of ``x`` (n, leads, samples) flattened, each lead's mean removed, unit length."""
    x = x - x.mean(axis=-1, keepdims=True)
    x = x.reshape(len(x), -1)
    return x / (np.sqrt((x * x).sum(axis=1, keepdims=True)) + 1e-12)


def aligned_corr(windows, r_index, references, fs=FS):
    """(corr, lag), each (beats, references): the best correlation of each beat's QRS (every
    lead together) with each reference QRS (m, leads, samples) over shifts of the beat of up to
    MAX_LAG_S, and that shift. The detector may centre a biphasic QRS on either lobe; aligning
    first compares shapes, not positions."""
    max_lag = round(MAX_LAG_S * fs)
    lags = np.arange(-max_lag, max_lag + 1)
    refs = _unit(np.asarray(references))
    c = np.stack([_unit(_qrs(windows, r_index, int(lag), fs)) @ refs.T for lag in lags])
    best = c.argmax(axis=0)
    return np.take_along_axis(c, best[None], axis=0)[0], lags[best]


def qrs_slope(qrs):
    """Steepest slope per beat, over leads together (sqrt of the summed squared slopes)."""
    d = np.diff(qrs, axis=-1)
    return np.sqrt((d * d).sum(axis=1)).max(axis=1)


def rr_intervals(peaks, fs=FS):
    """(before, after): each beat's RR intervals in seconds (NaN where there is none)."""
    peaks = np.asarray(peaks, np.float64)
    before = np.full(len(peaks), np.nan)
    after = np.full(len(peaks), np.nan)
    if len(peaks) >= 2:
        rr = np.diff(peaks) / fs
        before[1:] = rr
        after[:-1] = rr
    return before, after


def timing(before, after, reference):
    """Each beat's timing: "premature", "normal", "undecided", "first" or "first, pause after"
    (the first beat has no RR before it), "last" (not premature, no RR after it), from its RR
    intervals and the record's ``reference`` RR (the median RR before its dominant beats)."""
    pre, post = before / reference, after / reference
    with np.errstate(invalid="ignore"):
        normal = ((pre >= NORMAL_TIMING[0]) & (pre <= NORMAL_TIMING[1])
                  & (before >= EARLY_VS_NEXT * after))
        return np.where(np.isnan(pre), np.where(post >= PAUSE_MIN, "first, pause after", "first"),
                        np.where(pre <= PREMATURE_MAX, "premature",
                                 np.where(np.isnan(post), "last",
                                          np.where(normal, "normal", "undecided"))))


def dominant_beats(windows, r_index, before, usable, fs=FS):
    """(indices, template): the record's dominant beats and their median QRS (aligned).

    The dominant beats are the largest group of beats whose QRS (every lead together)
    correlates >= DOMINANT_CORR with one of them after alignment; between groups of equal size
    the later-timed one wins (a bigeminy's conducted beats follow the pause, its extrasystoles
    come early)."""
    idx = np.flatnonzero(usable)
    if len(idx) == 0:
        return idx, None
    w = windows[idx]
    corr, lags = aligned_corr(w, r_index, _qrs(w, r_index, 0, fs), fs)
    # corr[i, j]: beat i shifted against beat j; the group of j is column j.
    corr, lags = corr.T, lags.T
    groups = corr >= DOMINANT_CORR
    size = groups.sum(axis=1)
    later = np.array([np.nanmedian(before[idx][g]) if np.any(np.isfinite(before[idx][g]))
                      else 0.0 for g in groups])
    best = max(range(len(idx)), key=lambda i: (size[i], later[i], -i))
    members = groups[best]
    template = np.median(_qrs(w[members], r_index, lags[best][members], fs), axis=0)
    return idx[members], template


@dataclass
class Marks:
    """LUDB's marks per detected beat: whether a cardiologist marked a QRS there, and whether a
    P wave was marked just before it (in any lead)."""

    qrs: np.ndarray  # (n,) bool
    p_before: np.ndarray  # (n,) bool


def ludb_beat_marks(peaks, waves_by_lead, ann_fs, fs=FS):
    """Marks of beats at ``peaks`` (360 Hz) from ``sources.ludb_marks`` (at ``ann_fs``)."""
    peaks = np.asarray(peaks, np.int64)
    scale = fs / ann_fs
    qrs = [w for waves in waves_by_lead.values() for w in waves if w.kind == "N"]
    ps = np.array([w.peak for waves in waves_by_lead.values() for w in waves if w.kind == "p"])
    has_qrs = np.zeros(len(peaks), bool)
    p_before = np.zeros(len(peaks), bool)
    tol = MATCH_TOLERANCE_S * fs
    onsets = {}
    for w in qrs:
        peak = w.peak * scale
        near = np.flatnonzero(np.abs(peaks - peak) <= tol)
        for k in near:
            has_qrs[k] = True
            onsets.setdefault(k, []).append(w.onset)
    for k, values in onsets.items():
        onset = float(np.median(values))
        if len(ps):
            p_before[k] = np.any((ps < onset) & (ps >= onset - P_BEFORE_S * ann_fs))
    return Marks(has_qrs, p_before)


def decide(shape, when, facts):
    """(class code or None, reason) of one beat of a 12-lead record: ``shape`` is "dominant",
    "different", "undecided" or "no QRS"; ``when`` is "premature", "normal", "undecided",
    "first" or "first, pause after" (the first beat, no RR before it); ``facts`` the
    record's RecordFacts. This is the table of ml/training/LABELS.md."""
    bbb = ("L" if facts.lbbb else "R") if facts.lbbb != facts.rbbb else None
    if shape == "no QRS":
        return None, "QRS slope too small (not a QRS)"
    if shape == "undecided":
        return None, "shape undecided"
    if shape == "different":
        if when in ("premature", "first, pause after"):
            if facts.pvc:
                return "V", "premature, different shape, PVC record"
            return None, "premature, different shape, no PVC reported"
        return None, "different shape, not premature"
    # The dominant shape: the record's conducted beats.
    if when.startswith("first"):
        return None, "first beat, timing unknown"
    if when == "last" and facts.rhythm != "fibrillation":
        return None, "last beat, timing unknown"
    if facts.rhythm == "fibrillation":
        # No sinus timing to compare with, and no atrial premature beats in AF/flutter.
        if bbb:
            return bbb, f"conducted beat, complete {bbb}BBB"
        return None, "conducted beat in AF/flutter, no bundle branch block"
    if when == "premature":
        if facts.pac and facts.rhythm == "sinus":
            return "A", "premature, dominant shape, PAC record"
        return None, "premature, dominant shape, no PAC in sinus rhythm"
    if when == "normal":
        if bbb:
            return bbb, f"conducted beat, complete {bbb}BBB"
        if facts.n_eligible:
            return "N", "conducted beat, normal record"
        return None, "conducted beat, record not eligible for N/L/R"
    return None, "dominant shape, timing undecided"


def label_by_rules(facts, peaks, n_samples, windows, r_index, marks=None, fs=FS):
    """Labels of a ludb or ptbxl record's beats from its ``facts`` (RecordFacts).

    ``windows`` (n, leads, samples) hold every present lead of the cleaned signal around each
    beat, the R peak at ``r_index``. Per beat:

    timing  against the reference RR, the median RR before the record's dominant beats:
            premature: RR before <= 0.85 x reference (the first beat, which has no RR before
            it, counts as premature for V when the RR after is >= 1.15 x reference, a pause);
            normal: RR before 0.90-1.60 x reference and >= 0.85 x the RR after; the last
            beat, with no RR after, is undecided unless premature; otherwise undecided.
    shape   dominant: QRS correlation with the dominant beat (all leads together, aligned by up
            to 40 ms) >= 0.90; different: < 0.80; otherwise undecided. A wider QRS shows as a
            lower correlation. A QRS with less than 0.4 of the dominant beat's steepest slope
            is no QRS (a detected T wave or noise): unscored.

    dominant + normal timing     -> L (complete LBBB), R (complete RBBB), N (sinus rhythm,
                                    conduction normal), else unscored
    dominant, AF/flutter record  -> L / R whatever the timing (no sinus timing to compare)
    dominant + premature         -> A in a PAC record in sinus rhythm, else unscored
    different + premature        -> V in a PVC record, else unscored
    anything else                -> unscored
    ludb (``marks``): a beat needs a cardiologist's QRS mark; A needs a P wave marked just
    before it and V needs none, otherwise unscored.
    """
    peaks = np.asarray(peaks, np.int64)
    n = len(peaks)
    labels, reasons = _unscored(n, "undecided")
    if n < 3:
        reasons[:] = "fewer than 3 beats"
        return _finish(labels, reasons, peaks, n_samples)
    inside = window_inside(peaks, n_samples, fs)
    before, after = rr_intervals(peaks, fs)
    windows = np.asarray(windows, np.float64)
    dom, template = dominant_beats(windows, r_index, before, inside, fs)
    if len(dom) < 2:
        reasons[:] = "no dominant beat"
        return _finish(labels, reasons, peaks, n_samples)
    # The reference RR is that of the dominant beats: in a bigeminy the median of all
    # intervals would be the short coupling interval.
    known = before[dom][np.isfinite(before[dom])]
    reference = float(np.median(known if len(known) else before[np.isfinite(before)]))
    corr, lag = (a[:, 0] for a in aligned_corr(windows, r_index, template[None], fs))
    q = _qrs(windows, r_index, lag, fs)
    slope = qrs_slope(q) / max(float(qrs_slope(template[None])[0]), 1e-12)

    shape = np.where(slope < MIN_SLOPE, "no QRS", np.where(
        corr >= DOMINANT_CORR, "dominant", np.where(corr < DIFFERENT_CORR, "different",
                                                    "undecided")))
    when = timing(before, after, reference)
    for k in range(n):
        code, reasons[k] = decide(shape[k], when[k], facts)
        if code is not None:
            labels[k] = CLASS_INDEX[code]

    if marks is not None:
        no_mark = ~marks.qrs & (labels != UNSCORED)
        labels[no_mark], reasons[no_mark] = UNSCORED, "ludb: no QRS marked here"
        a_no_p = (labels == CLASS_INDEX["A"]) & ~marks.p_before
        labels[a_no_p], reasons[a_no_p] = UNSCORED, "ludb: premature beat without a marked P"
        v_p = (labels == CLASS_INDEX["V"]) & marks.p_before
        labels[v_p], reasons[v_p] = UNSCORED, "ludb: different beat with a marked P before it"

    features = {"pre": (before / reference).astype(np.float32),
                "post": (after / reference).astype(np.float32),
                "corr": corr.astype(np.float32), "slope": slope.astype(np.float32)}
    return _finish(labels, reasons, peaks, n_samples, features)
