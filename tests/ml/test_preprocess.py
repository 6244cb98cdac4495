"""Preprocessing: one rate (360 Hz), baseline wander removed, wavelet denoising that keeps the
QRS complex (checked on real MIT-BIH beats), fast enough for a 30-minute record."""

import numpy as np
import pytest

from ml.preprocess import TARGET_FS, clean, denoise, remove_baseline, resample

FS = 360


def _qrs_windows(signal, samples, half=30):
    """±83 ms around each annotated beat, as rows."""
    samples = samples[(samples > half) & (samples < len(signal) - half)]
    return signal[samples[:, None] + np.arange(-half, half + 1)]


def _row_correlation(a, b):
    a = a - a.mean(axis=1, keepdims=True)
    b = b - b.mean(axis=1, keepdims=True)
    return (a * b).sum(axis=1) / np.sqrt((a * a).sum(axis=1) * (b * b).sum(axis=1))


@pytest.mark.parametrize("name", ["100", "119", "208"])  # normal beats; PVCs (119, 208)
def test_cleaning_keeps_the_shape_and_height_of_real_qrs_complexes(record_cache, name):
    record = record_cache("mitdb", name)
    x = record.main_signal[: 300 * FS]
    samples, _ = record.beat_annotations()
    samples = samples[samples < len(x)]
    before = _qrs_windows(remove_baseline(x, FS), samples)
    after = _qrs_windows(clean(x, FS)[0], samples)
    corr = _row_correlation(before, after)
    # Measured: 1st percentile 0.994-0.996, median 0.997-0.998 on these records.
    assert np.percentile(corr, 1) >= 0.99
    assert np.median(corr) >= 0.995
    # Soft thresholding trims some high-frequency QRS energy: measured median -2..-4 %.
    change = np.ptp(after, axis=1) / np.ptp(before, axis=1) - 1
    assert abs(np.median(change)) <= 0.06
    assert np.percentile(np.abs(change), 95) <= 0.10


def test_denoising_removes_most_of_added_white_noise(record_cache):
    x = remove_baseline(record_cache("mitdb", "100").main_signal[: 120 * FS], FS)
    noise = np.random.default_rng(7).normal(0, 0.05, len(x))
    residual = denoise(x + noise, FS) - denoise(x, FS)
    assert np.sqrt(np.mean(residual**2)) < 0.6 * 0.05  # measured: 0.027 mV of 0.05


def test_baseline_wander_is_removed_without_moving_the_r_peaks(record_cache):
    record = record_cache("mitdb", "100")
    x = record.main_signal[: 60 * FS]
    t = np.arange(len(x)) / FS
    wander = 0.8 * np.sin(2 * np.pi * 0.15 * t) + 0.3 * np.sin(2 * np.pi * 0.3 * t + 1)
    y = remove_baseline(x + wander, FS)
    ref = remove_baseline(x, FS)
    assert np.sqrt(np.mean((y - ref)[FS:-FS] ** 2)) < 0.05
    samples, _ = record.beat_annotations()
    samples = samples[(samples > 20) & (samples < len(x) - 20)]
    win = samples[:, None] + np.arange(-15, 16)
    shift = np.argmax(y[win], axis=1) - np.argmax(ref[win], axis=1)
    assert np.max(np.abs(shift)) <= 1  # samples: a flat-topped R may tip either way


def test_resampling_250_hz_gives_360_hz_and_keeps_a_sine():
    t = np.arange(10 * 250) / 250
    y = resample(np.sin(2 * np.pi * 5 * t), 250)
    assert len(y) == 10 * 360
    t2 = np.arange(len(y)) / 360
    np.testing.assert_allclose(y[360:-360], np.sin(2 * np.pi * 5 * t2)[360:-360], atol=1e-3)


def test_resampling_at_the_target_rate_returns_a_copy():
    x = np.arange(100.0)
    y = resample(x, 360)
    assert np.array_equal(x, y) and y is not x


def test_clean_returns_360_hz_for_any_input_rate(record_cache):
    x = record_cache("vfdb", "418").main_signal[: 20 * 250]
    y, fs = clean(x, 250)
    assert fs == TARGET_FS == 360.0
    assert len(y) == 20 * 360 and y.dtype == np.float64


def test_clean_is_deterministic_on_a_30_minute_record(record_cache):
    # Its speed is part of the 30-minute record figure printed by ml.reports.bench.
    x = record_cache("mitdb", "203").main_signal
    y1, _ = clean(x, FS)
    y2, _ = clean(x, FS)
    assert len(y1) == len(x) and np.array_equal(y1, y2)
