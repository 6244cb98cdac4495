"""R-peak detection measured against the MIT-BIH reference annotations (50 ms window, beats
matched one to one), plus its behaviour on vfdb, short uploads and in VF."""

import numpy as np
import pytest

from ml.detect import detect_r_peaks
from ml.preprocess import clean
from ml.reports.detect_eval import evaluate_record, match_beats, score, summarize
from ml.training import records

FS = 360
TOL = 18  # 50 ms at 360 Hz

# Bounds per record: full evaluation (python -m ml.reports.detect_eval) measured
#   100: Se 99.96 PPV 100.00   105: Se 99.57 PPV 98.73 (muscle noise)
#   119: Se 100.00 PPV 99.95   208: Se 99.19 PPV 99.39 (many multiform PVCs, fusion beats)
# Bounds sit ~0.3-0.5 points below, so a regression fails while noise in tuning does not.
# wfdb's XQRS on the same cleaned signal fails them: 119 84.95/84.95, 208 69.10/76.51.
BOUNDS = {"100": (99.8, 99.8), "105": (99.3, 97.9), "119": (99.8, 99.6), "208": (98.7, 98.9)}


@pytest.mark.parametrize("name", sorted(BOUNDS))
def test_detector_finds_the_annotated_beats_of_real_records(name, data_dir):
    result = evaluate_record(name, data_dir)
    a = result["all"]
    se = 100 * a["tp"] / (a["tp"] + a["fn"])
    ppv = 100 * a["tp"] / (a["tp"] + a["fp"])
    min_se, min_ppv = BOUNDS[name]
    assert se >= min_se and ppv >= min_ppv, (name, se, ppv)


def test_detected_peaks_sit_on_the_annotations(record_cache):
    record = record_cache("mitdb", "119")
    y, _ = clean(record.main_signal, FS)
    peaks = detect_r_peaks(y, FS)
    ref, _ = record.beat_annotations()
    offsets = score(ref, peaks, TOL)["offsets"]
    assert abs(np.median(offsets)) <= 2  # samples (5.6 ms)


def test_detector_is_deterministic(record_cache):
    y, _ = clean(record_cache("mitdb", "105").main_signal[: 300 * FS], FS)
    assert np.array_equal(detect_r_peaks(y, FS), detect_r_peaks(y.copy(), FS))


def test_detector_returns_sorted_distinct_int_indices(record_cache):
    y, _ = clean(record_cache("mitdb", "203").main_signal[: 300 * FS], FS)
    peaks = detect_r_peaks(y, FS)
    assert peaks.dtype == np.int64
    assert np.all(np.diff(peaks) > 0) and peaks[0] >= 0 and peaks[-1] < len(y)


def test_detector_works_on_a_ten_second_upload(record_cache):
    record = record_cache("mitdb", "100")
    start = 600 * FS
    x = record.main_signal[start: start + 10 * FS]
    y, fs = clean(x, FS)
    peaks = detect_r_peaks(y, fs)
    ref, _ = record.beat_annotations()
    ref = ref[(ref >= start + TOL) & (ref < start + 10 * FS - TOL)] - start
    inner = peaks[(peaks >= TOL) & (peaks < 10 * FS - TOL)]
    result = score(ref, inner, TOL)
    assert result["fn"] == 0 and result["fp"] == 0 and result["tp"] == len(ref) >= 10


def test_detector_finds_the_beats_of_a_250_hz_vfdb_record(record_cache):
    """vfdb has no beat labels; in its first minute of normal rhythm the detected rate must
    match the rate of the QRS complexes counted by XQRS on the same signal."""
    from wfdb import processing

    record = record_cache("vfdb", "418")
    x = record.main_signal[: 60 * 250]
    y, fs = clean(x, record.fs)
    peaks = detect_r_peaks(y, fs)
    xq = processing.XQRS(sig=y, fs=fs)
    xq.detect(verbose=False)
    result = score(xq.qrs_inds, peaks, int(0.15 * fs))  # same beats; XQRS places them ~35 ms early
    assert result["tp"] >= 0.97 * len(xq.qrs_inds)
    assert result["fp"] <= 0.03 * len(peaks)


def test_detector_returns_the_waves_of_ventricular_fibrillation(record_cache):
    """In VF there are no QRS complexes, but the CNN needs windows: the detector must keep
    returning the dominant waves (vfdb VF runs at about 3-5 Hz), not fall silent."""
    record = record_cache("vfdb", "430")
    y, fs = clean(record.main_signal, record.fs)
    peaks = detect_r_peaks(y, fs)
    rates = []
    for start, end in records.vf_spans(record):
        s, e = int(start * fs / record.fs), int(end * fs / record.fs)
        if e - s > 10 * fs:
            rates.append(np.sum((peaks >= s) & (peaks < e)) / ((e - s) / fs))
    assert rates and min(rates) >= 1.5 and max(rates) <= 6.0


@pytest.mark.parametrize("x", [np.zeros(10 * FS), np.zeros(100), np.ones(10 * FS)])
def test_detector_returns_nothing_for_a_flat_or_tiny_signal(x):
    assert len(detect_r_peaks(x, FS)) == 0


def test_matching_is_one_to_one_and_nearest_first():
    ref = np.array([100, 200, 300])
    test = np.array([95, 104, 215, 290, 500])
    r, t = match_beats(ref, test, 18)
    pairs = sorted(zip(ref[r].tolist(), test[t].tolist(), strict=True))
    assert pairs == [(100, 104), (200, 215), (300, 290)]
    s = score(ref, test, 18)
    assert (s["tp"], s["fp"], s["fn"]) == (3, 2, 0)


def test_matching_never_counts_one_detection_twice():
    s = score(np.array([100, 110]), np.array([105]), 18)
    assert (s["tp"], s["fp"], s["fn"]) == (1, 0, 1)


def test_the_ec57_figures_leave_out_the_flutter_of_record_207(data_dir):
    result = evaluate_record("207")
    spans = records.mitdb_vf_spans(records.load_record("mitdb", "207", data_dir))
    assert len(spans) == 6
    assert result["ec57"]["tp"] + result["ec57"]["fn"] < result["beats"] - 400
    gross = summarize([result])
    assert gross["ec57"]["se"] >= gross["all"]["se"]
