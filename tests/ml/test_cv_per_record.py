"""ml.reports.cv's per-record view (``--per-record``): what the beats of a class were called,
record by record, so a beat-level F1 can be traced to the few patients that carry it."""
from types import SimpleNamespace

import numpy as np

from ml.registry import CLASS_CODES, CLASS_INDEX


def _probs(codes):
    out = np.zeros((len(codes), len(CLASS_CODES)), np.float32)
    out[np.arange(len(codes)), [CLASS_INDEX[c] for c in codes]] = 1.0
    return out


def test_each_record_of_a_class_says_what_its_beats_were_called():
    from ml.reports import cv

    # Beats 0-6 over three records; beat 7 is N in record b and must not appear under L.
    beats = SimpleNamespace(
        keys=np.array(["mitdb/a", "mitdb/b", "ludb/c"]),
        record=np.array([0, 0, 0, 1, 1, 2, 2, 1]),
        labels=np.array([CLASS_INDEX[c] for c in "LLRLLRRN"]))
    idx = np.array([0, 1, 2, 3, 4, 5, 6, 7])
    called = _probs("LNRRRNRN")
    rows = cv.called_per_record(beats, idx, called, ("L", "R"))
    assert rows == [  # class by class, records in name order
        {"record": "mitdb/a", "true": "L", "beats": 2, "called": {"N": 1, "L": 1}},
        {"record": "mitdb/b", "true": "L", "beats": 2, "called": {"R": 2}},
        {"record": "ludb/c", "true": "R", "beats": 2, "called": {"N": 1, "R": 1}},
        {"record": "mitdb/a", "true": "R", "beats": 1, "called": {"R": 1}},
    ]


def test_only_the_scored_beats_given_are_counted():
    from ml.reports import cv

    beats = SimpleNamespace(keys=np.array(["r"]), record=np.zeros(4, int),
                            labels=np.array([CLASS_INDEX["L"]] * 4))
    rows = cv.called_per_record(beats, np.array([1, 3]), _probs("VL"), ("L", "A"))
    assert rows == [{"record": "r", "true": "L", "beats": 2, "called": {"L": 1, "V": 1}}]


def test_calls_are_placed_in_the_rhythm_annotated_at_their_r_peak(data_dir):
    """``--by-rhythm``: mitdb record 201's notes put beats in atrial fibrillation or in sinus
    rhythm; the A calls inside fibrillation are normal beats there, and the bound says what A
    would score without them."""
    from ml.reports import cv
    from ml.training import sources

    info = next(i for i in sources.catalog(("mitdb",)) if i.key == "mitdb/201")
    notes = info.meta["rhythm"]
    af = next(k for k, (_s, n) in enumerate(notes) if n == "(AFIB")
    sinus = next(k for k, (_s, n) in enumerate(notes) if n == "(N")
    # Two beats inside the AF span, two inside the sinus span (360 Hz is mitdb's own rate).
    at = [notes[af][0] + 100, notes[af][0] + 400, notes[sinus][0] + 100, notes[sinus][0] + 400]
    beats = SimpleNamespace(
        keys=np.array(["mitdb/201", "ludb/1"]), record=np.array([0, 0, 0, 0, 1]),
        beat=np.array([0, 1, 2, 3, 0]), peaks=[np.array(at), np.array([50])],
        labels=np.array([CLASS_INDEX[c] for c in "NNANN"]))
    idx = np.arange(5)
    row = cv.calls_by_rhythm(beats, idx, _probs("AAANA"), "A")
    assert row["called_by_rhythm"] == {"atrial fibrillation or flutter": {"N": 2},
                                       "sinus": {"A": 1}, "other databases": {"N": 1}}
    assert row["as_scored"] == {"f1": 0.4, "precision": 0.25, "recall": 1.0}
    assert row["af_calls_as_n"] == {"f1": 0.6667, "precision": 0.5, "recall": 1.0}
