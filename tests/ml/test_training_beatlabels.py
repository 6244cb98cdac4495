"""The beat-label rules (ml.training.beatlabels) on synthetic beat trains, where the answer is
known by construction, and on real records of ludb and PTB-XL."""
import numpy as np
import pytest

from ml.registry import CLASS_INDEX, NOT_VF
from ml.training import beatlabels, beattable, sources
from ml.training.beatlabels import UNSCORED, RecordFacts

FS = 360


def _gauss(t, centre, width, amp):
    return amp * np.exp(-0.5 * ((t - centre) / width) ** 2)


def strip(times, kinds, seconds=10.0, leads=3):
    """(peaks, n_samples, windows) of a synthetic multi-lead strip: ``kinds[i]`` is "n" (narrow
    QRS), "v" (wide QRS of another axis) or "t" (a slow low bump, like a T wave picked up)."""
    n = int(seconds * FS)
    t = np.arange(n) / FS
    x = np.zeros((leads, n))
    for time, kind in zip(times, kinds, strict=True):
        for lead in range(leads):
            if kind == "n":
                x[lead] += _gauss(t, time - 0.02, 0.008, -0.2) + _gauss(t, time, 0.012,
                                                                          1.0 + 0.3 * lead)
                x[lead] += _gauss(t, time + 0.25, 0.05, 0.3)
            elif kind == "v":
                sign = -1 if lead == 0 else 1
                x[lead] += _gauss(t, time - 0.03, 0.03, sign * 1.4) + _gauss(t, time + 0.04,
                                                                            0.03, -0.8 * sign)
            elif kind == "t":
                x[lead] += _gauss(t, time, 0.06, 0.1)
    peaks = np.round(np.asarray(times) * FS).astype(np.int64)
    windows = np.stack([beattable.cut(lead, peaks) for lead in x], axis=1)
    return peaks, n, windows


def regular(rr=0.8, start=0.6, count=11):
    return [start + i * rr for i in range(count)]


def label(facts, times, kinds, marks=None):
    peaks, n, windows = strip(times, kinds)
    return beatlabels.label_by_rules(facts, peaks, n, windows, beattable.WIDE_BEFORE, marks)


def codes(result):
    return [beatlabels.LABEL_NAMES[int(k)] for k in result.labels]


SINUS = dict(rhythm="sinus", normal_conduction=True)


def with_premature(kind, at=5):
    """A regular train (RR 0.8 s) with beat ``at`` moved 0.35 s early and drawn as ``kind``."""
    times = regular()
    times[at] -= 0.35
    kinds = ["n"] * len(times)
    kinds[at] = kind
    return times, kinds


def test_premature_beat_of_another_shape_is_v_only_in_a_pvc_record():
    times, kinds = with_premature("v")
    pvc = codes(label(RecordFacts(pvc=True, **SINUS), times, kinds))
    assert pvc[5] == "V"
    assert set(pvc[1:5] + pvc[6:-1]) == {"N"}
    other = label(RecordFacts(**SINUS), times, kinds)
    assert other.labels[5] == UNSCORED
    assert other.reasons[5] == "premature, different shape, no PVC reported"


def test_premature_beat_of_the_dominant_shape_is_a_only_in_a_pac_record_in_sinus_rhythm():
    times, kinds = with_premature("n")
    assert codes(label(RecordFacts(pac=True, **SINUS), times, kinds))[5] == "A"
    assert label(RecordFacts(**SINUS), times, kinds).labels[5] == UNSCORED
    fib = RecordFacts(pac=True, rhythm="fibrillation")
    assert label(fib, times, kinds).labels[5] == UNSCORED
    # A premature beat of the dominant shape is never V, even in a PVC record.
    assert label(RecordFacts(pvc=True, **SINUS), times, kinds).labels[5] == UNSCORED


def test_a_different_beat_on_time_is_unscored_even_in_a_pvc_record():
    times = regular()
    kinds = ["n"] * len(times)
    kinds[5] = "v"
    result = label(RecordFacts(pvc=True, **SINUS), times, kinds)
    assert result.labels[5] == UNSCORED
    assert result.reasons[5] == "different shape, not premature"


def test_conducted_beats_follow_the_record_diagnosis():
    times, kinds = regular(), ["n"] * 11
    lbbb = codes(label(RecordFacts(lbbb=True, rhythm="sinus"), times, kinds))
    assert set(lbbb[1:-1]) == {"L"}
    assert set(codes(label(RecordFacts(rbbb=True, rhythm="sinus"), times, kinds))[1:-1]) == {"R"}
    assert set(codes(label(RecordFacts(**SINUS), times, kinds))[1:-1]) == {"N"}
    # Sinus rhythm with a conduction finding that excludes N (say incomplete RBBB): no label.
    blocked = label(RecordFacts(rhythm="sinus", normal_conduction=False), times, kinds)
    assert set(blocked.labels.tolist()) == {UNSCORED}
    # Both complete blocks reported: the rules cannot tell which, nothing is labelled L or R.
    both = label(RecordFacts(lbbb=True, rbbb=True, rhythm="sinus"), times, kinds)
    assert set(both.labels.tolist()) == {UNSCORED}


def test_the_first_beat_and_beats_whose_window_leaves_the_record_are_unscored():
    ends = label(RecordFacts(**SINUS), regular(), ["n"] * 11)
    assert ends.reasons[0] == "first beat, timing unknown"
    assert ends.reasons[-1] == "last beat, timing unknown"
    assert set(codes(ends)[1:-1]) == {"N"}
    times = [0.2] + regular(start=1.0, count=11)[:-1] + [9.8]
    edges = label(RecordFacts(**SINUS), times, ["n"] * len(times))
    assert edges.reasons[0] == edges.reasons[-1] == "window outside the record"
    assert set(codes(edges)[1:-2]) == {"N"}


def test_in_atrial_fibrillation_bbb_beats_are_labelled_whatever_their_timing_and_n_never():
    rng = np.random.default_rng(0)
    times = list(np.cumsum(rng.uniform(0.5, 1.0, 12)) + 0.4)
    times = [t for t in times if t < 9.5]
    kinds = ["n"] * len(times)
    lbbb = codes(label(RecordFacts(lbbb=True, rhythm="fibrillation"), times, kinds))
    assert set(lbbb[1:]) == {"L"}
    af = label(RecordFacts(rhythm="fibrillation", normal_conduction=True), times, kinds)
    assert set(af.labels.tolist()) == {UNSCORED}


def test_a_pause_after_a_different_first_beat_marks_it_premature():
    times = [0.5] + regular(start=1.5, count=10)
    kinds = ["v"] + ["n"] * 10
    result = label(RecordFacts(pvc=True, **SINUS), times, kinds)
    assert codes(result)[0] == "V"
    assert result.reasons[0] == "premature, different shape, PVC record"


def test_in_bigeminy_the_dominant_beats_are_the_ones_after_the_pause():
    # Equal numbers of both shapes: the group that comes late (after the pause) is dominant.
    times, kinds, t = [], [], 0.5
    for _ in range(6):
        times += [t, t + 0.5]
        kinds += ["n", "v"]
        t += 1.5
    result = codes(label(RecordFacts(pvc=True, **SINUS), times, kinds))
    assert [c for c, k in zip(result, kinds, strict=True) if k == "v"] == ["V"] * 6
    assert set(c for c, k in zip(result[1:], kinds[1:], strict=True) if k == "n") == {"N"}


def test_a_detected_t_wave_is_not_a_beat():
    times = regular()
    times.insert(6, times[5] + 0.3)
    kinds = ["n"] * len(times)
    kinds[6] = "t"
    result = label(RecordFacts(pvc=True, pac=True, **SINUS), times, kinds)
    assert result.reasons[6] == "QRS slope too small (not a QRS)"
    assert result.labels[6] == UNSCORED


def test_ludb_marks_can_only_take_labels_away():
    times, kinds = with_premature("n")
    facts = RecordFacts(pac=True, **SINUS)
    n = len(times)
    all_marked = beatlabels.Marks(np.ones(n, bool), np.ones(n, bool))
    assert codes(label(facts, times, kinds, all_marked))[5] == "A"
    no_p = beatlabels.Marks(np.ones(n, bool), np.zeros(n, bool))
    assert label(facts, times, kinds, no_p).reasons[5] == "ludb: premature beat without a marked P"
    unmarked = beatlabels.Marks(np.zeros(n, bool), np.ones(n, bool))
    assert set(label(facts, times, kinds, unmarked).labels.tolist()) == {UNSCORED}
    times, kinds = with_premature("v")
    pvc = RecordFacts(pvc=True, **SINUS)
    assert label(pvc, times, kinds, all_marked).reasons[5] == (
        "ludb: different beat with a marked P before it")
    assert codes(label(pvc, times, kinds, no_p))[5] == "V"


def test_ludb_beat_marks_match_qrs_and_p_waves():
    W = sources.Wave
    waves = {"II": [W("p", 400, 430, 460), W("N", 480, 500, 530), W("N", 980, 1000, 1030)],
             "V1": [W("N", 482, 501, 535)]}
    peaks = np.round(np.array([500, 1000, 1400]) * FS / 500).astype(np.int64)
    marks = beatlabels.ludb_beat_marks(peaks, waves, 500)
    assert marks.qrs.tolist() == [True, True, False]
    assert marks.p_before.tolist() == [True, False, False]


def ptbxl_meta(scp, report="", extra=None):
    return {"scp": scp, "report": report, "extra_beats": extra}


def test_ptbxl_statements_become_record_facts():
    lbbb = beatlabels.ptbxl_facts(ptbxl_meta({"CLBBB": 100.0, "SR": 0.0}))
    assert lbbb.lbbb and lbbb.rhythm == "sinus" and not lbbb.n_eligible
    assert lbbb.classes == ["L"]
    weak = beatlabels.ptbxl_facts(ptbxl_meta({"CLBBB": 50.0, "SR": 0.0}))
    assert not weak.lbbb and weak.classes == []
    report = "premature ventricular contraction(s). sinus rhythm. right bundle branch block."
    conflict = beatlabels.ptbxl_facts(ptbxl_meta({"CLBBB": 100.0, "PVC": 100.0, "SR": 0.0}, report))
    assert conflict.classes == ["V"]
    swedish = beatlabels.ptbxl_facts(ptbxl_meta({"CRBBB": 100.0, "SR": 0.0},
                                                "sinusrytm högersidigt skänkelblock"))
    assert swedish.classes == ["R"]
    # Ectopy statements have likelihood 0 ("not stated") in PTB-XL: presence counts.
    pac = beatlabels.ptbxl_facts(ptbxl_meta({"NORM": 80.0, "PAC": 0.0, "SR": 0.0}))
    assert pac.classes == ["N", "A"]
    ves = beatlabels.ptbxl_facts(ptbxl_meta({"NORM": 100.0, "SARRH": 0.0}, extra="VES"))
    assert ves.classes == ["N", "V"]
    irbbb = beatlabels.ptbxl_facts(ptbxl_meta({"IRBBB": 100.0, "SR": 0.0}))
    assert irbbb.classes == []
    af = beatlabels.ptbxl_facts(ptbxl_meta({"AFIB": 0.0, "PVC": 100.0, "PAC": 0.0}))
    assert af.rhythm == "fibrillation" and af.classes == ["V"]
    wpw = beatlabels.ptbxl_facts(ptbxl_meta({"CRBBB": 100.0, "SBRAD": 0.0}, "wpw syndrom"))
    assert wpw.classes == []


def ludb_meta(**kinds):
    base = {c: [] for c in sources.LUDB_COLUMNS}
    base.update(kinds)
    return {"by_kind": base}


def test_ludb_diagnoses_become_record_facts():
    f = beatlabels.ludb_facts(ludb_meta(**{"Rhythms": ["Sinus rhythm"]}))
    assert f.classes == ["N"]
    f = beatlabels.ludb_facts(ludb_meta(**{
        "Rhythms": ["Sinus rhythm"],
        "Conduction abnormalities": ["I degree av block"],
        "Extrasystolies": ["Atrial extrasystole, type: single pac"]}))
    assert f.classes == ["N", "A"]
    f = beatlabels.ludb_facts(ludb_meta(**{
        "Rhythms": ["Atrial fibrillation"],
        "Conduction abnormalities": ["Complete left bundle branch block"],
        "Extrasystolies": ["Ventricular extrasystole, type: single pvc"]}))
    assert f.classes == ["L", "V"]
    f = beatlabels.ludb_facts(ludb_meta(**{
        "Rhythms": ["Sinus rhythm"],
        "Conduction abnormalities": ["Left anterior hemiblock"]}))
    assert f.classes == []


def test_mitdb_labels_come_from_the_annotation_matched_within_100_ms():
    n = 20 * FS
    peaks = np.array([1000, 2000, 3000, 4000, 5000, 6000, 7000, n - 10])
    ann = np.array([1010, 2030, 3000, 4000, 5000, 6000 + 35, 7000 + 37, n - 10])
    symbols = ["N", "V", "j", "!", "L", "R", "A", "N"]
    result = beatlabels.label_mitdb(peaks, n, ann, symbols, FS)
    assert codes(result)[:6] == ["N", "V", "unscored", "VF", "L", "R"]
    assert result.reasons[2] == "annotated beat of no class"
    assert result.reasons[6] == "no annotated beat within 100 ms"
    assert result.reasons[7] == "window outside the record"
    # Annotations at another rate are scaled to 360 Hz first.
    at_250 = beatlabels.label_mitdb(peaks[:2], n, np.round(ann[:2] * 250 / FS), symbols[:2], 250)
    assert codes(at_250) == ["N", "V"]


def test_vfdb_labels_follow_the_rhythm_spans():
    n = 60 * FS
    rhythm = [(0, "(N"), (20 * FS, "(VF"), (30 * FS, "(N"), (40 * FS, "(NOISE"),
              (45 * FS, "(VT")]
    seconds = np.array([5, 19.9, 20.1, 25, 29.8, 31, 33, 42, 50])
    result = beatlabels.label_vfdb(np.round(seconds * FS).astype(int), n, rhythm, FS)
    assert result.labels.tolist() == [
        NOT_VF, UNSCORED, UNSCORED, CLASS_INDEX["VF"], UNSCORED, UNSCORED, NOT_VF, UNSCORED,
        NOT_VF]
    assert result.reasons[2] == "no rhythm span (start, edge, or noise)"
    assert result.reasons[5] == "other rhythm within 2 s of VF"
    assert result.reasons[7] == "no rhythm span (start, edge, or noise)"


# --- real records -----------------------------------------------------------------------------

def _info(key):
    db, record = key.split("/")
    return next(i for i in sources.catalog([db]) if i.record == record)


@pytest.mark.slow
@pytest.mark.usefixtures("data_dir")  # reads the records: needs_data
def test_ludb_record_24_with_complete_lbbb_gives_l_beats():
    table = beattable.build_record(_info("ludb/24"))
    names = [beatlabels.LABEL_NAMES[int(k)] for k in table["labels"]]
    assert names.count("L") >= 5
    assert set(names) <= {"L", "unscored"}


@pytest.mark.slow
@pytest.mark.usefixtures("data_dir")  # reads the records: needs_data
def test_a_ptbxl_pvc_record_gives_a_v_beat_and_n_beats():
    table = beattable.build_record(_info("ptbxl/219"))  # NORM, PVC, sinus rhythm
    names = [beatlabels.LABEL_NAMES[int(k)] for k in table["labels"]]
    assert names.count("V") >= 1
    assert names.count("N") >= 5
    assert set(names) <= {"N", "V", "unscored"}


@pytest.mark.slow
@pytest.mark.usefixtures("data_dir")  # reads the records: needs_data
def test_a_normal_ptbxl_record_gives_only_n_or_unscored():
    table = beattable.build_record(_info("ptbxl/1"))  # NORM, sinus rhythm
    names = [beatlabels.LABEL_NAMES[int(k)] for k in table["labels"]]
    assert names.count("N") >= 5
    assert set(names) <= {"N", "unscored"}


@pytest.mark.slow
@pytest.mark.usefixtures("data_dir")  # reads the records: needs_data
def test_on_mitdb_strips_the_rules_mostly_give_the_cardiologists_label(tmp_path):
    # 10-s strips of four records, each strip summarised as a one-line diagnosis would be;
    # the rules' labels are compared with the annotations (ml.training.labelcheck).
    from ml.training import labelcheck

    truth, rule = labelcheck.run(["109", "118", "119", "209"], cache=tmp_path, jobs=2)
    table = labelcheck.confusion(truth, rule)
    for code in ("N", "L", "R", "A", "V"):
        row = table[code]
        assert sum(row.values()) >= 20, f"rules labelled too few {code} beats: {row}"
        assert row[code] / sum(row.values()) >= 0.9, f"{code}: {row}"
