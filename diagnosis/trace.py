"""The rhythm-strip plot data: a compact stored trace of the signal and pages cut from it.

The worker draws the trace from the recording's stored leads (the .npz it decoded once): the
lead the model reads, with baseline wander removed by the same filter the classifier uses
(``ml.preprocess.remove_baseline``), as little-endian int16 (2 bytes a sample: a 30-minute
record at 360 Hz is 1.3 MB). The plot asks for one page (ECG_PLOT_PAGE_SECONDS) at a time; the
page is read by seeking into the file and reduced to at most MAX_POINTS points by keeping each
bucket's minimum and maximum, so QRS peaks survive the reduction.
"""
import bisect
import math
from dataclasses import dataclass

import numpy as np
from scipy import signal as sps

from ml.formats import Recording
from ml.preprocess import remove_baseline

MAX_TRACE_FS = 500.0
MAX_POINTS = 2000
# Standard ECG paper, which the web strip draws at a true scale relation: 25 mm a second and
# 10 mm a millivolt, so one 1 mm box is 40 ms by 0.1 mV.
PAPER_MM_PER_S = 25
PAPER_MM_PER_MV = 10


@dataclass
class Trace:
    data: bytes
    fs: float
    length: int
    scale_mv: float


def trace_of_leads(leads):
    """The trace of a recording's stored leads (``ml.formats.Recording`` .npz bytes or file)."""
    recording = Recording.from_npz(leads)
    return make_trace(recording.main_lead(), recording.fs)


def make_trace(samples, fs):
    x = np.nan_to_num(np.asarray(samples, dtype=np.float64))
    if len(x) > 12:
        x = remove_baseline(x, fs)
    step = max(1, math.ceil(fs / MAX_TRACE_FS))
    if step > 1:
        x = sps.decimate(x, step, ftype="fir", zero_phase=True)
        fs = fs / step
    peak = float(np.max(np.abs(x))) if len(x) else 0.0
    scale = max(0.001, peak / 32000.0)  # 1 µV steps unless the signal needs more range
    data = np.clip(np.round(x / scale), -32767, 32767).astype("<i2").tobytes()
    return Trace(data=data, fs=float(fs), length=len(x), scale_mv=scale)


def page_count(duration_s, page_seconds):
    return max(1, math.ceil(duration_s / page_seconds - 1e-9))


def read_page(fh, result, page, page_seconds, fs, vf_episodes=()):
    """One page of the plot as a JSON-safe dict.

    ``fh``: the stored trace file; ``result``: the SignalResult; ``fs``: the sampling rate
    the beat sample indices refer to.
    """
    duration = result.trace_length / result.trace_fs
    pages = page_count(duration, page_seconds)
    page = min(max(0, page), pages - 1)
    start_s = page * page_seconds
    end_s = min(duration, start_s + page_seconds)
    first = int(round(start_s * result.trace_fs))
    last = min(result.trace_length, int(round(end_s * result.trace_fs)))
    fh.seek(first * 2)
    raw = fh.read(max(0, last - first) * 2)
    values = np.frombuffer(raw, dtype="<i2").astype(np.float64) * result.trace_scale_mv
    points, dt = _reduce(values, 1.0 / result.trace_fs)

    lo = bisect.bisect_left(result.samples, start_s * fs)
    hi = bisect.bisect_left(result.samples, end_s * fs)
    beats = [
        [round(result.samples[i] / fs, 3), result.labels[i], result.confidences[i]]
        for i in range(lo, hi)
    ]
    # Each beat's R-peak sample index (at ``fs``), in the order of ``beats``: what a
    # doctor's beat label is keyed by.
    samples = list(result.samples[lo:hi])
    return {
        "page": page,
        "pages": pages,
        "page_seconds": page_seconds,
        "start_s": round(start_s, 3),
        "end_s": round(end_s, 3),
        "dt": dt,
        "values": [round(v, 4) for v in points.tolist()],
        "beats": beats,
        "samples": samples,
        "vf_episodes": [e for e in (vf_episodes or []) if e[1] > start_s and e[0] < end_s],
    }


def _reduce(values, dt):
    """At most MAX_POINTS points: each bucket's min and max in time order.

    The buckets cover the samples and no more: padding a page up to MAX_POINTS // 2 full
    buckets stretched a 10-s page over up to 11 s of plot (the strip ran past its end)."""
    if len(values) <= MAX_POINTS:
        return values, dt
    size = math.ceil(len(values) / (MAX_POINTS // 2))
    buckets = math.ceil(len(values) / size)
    # Only the last bucket is padded, with its own last value: its min and max are unchanged.
    padded = np.pad(values, (0, size * buckets - len(values)), mode="edge")
    grid = padded.reshape(buckets, size)
    lo_idx, hi_idx = grid.argmin(axis=1), grid.argmax(axis=1)
    first_is_min = lo_idx <= hi_idx
    mins, maxs = grid.min(axis=1), grid.max(axis=1)
    pairs = np.where(first_is_min[:, None], np.stack([mins, maxs], 1), np.stack([maxs, mins], 1))
    # Two points a bucket, spread so that the last one falls on the last sample.
    return pairs.reshape(-1), dt * (len(values) - 1) / (2 * buckets - 1)


def overview(result, fs, duration_s, page_seconds, vf_episodes=()):
    """Every beat's time and class for the whole-record strip that pages are picked from."""
    return {
        "vf_episodes": list(vf_episodes or []),
        "duration_s": round(duration_s, 3),
        "pages": page_count(duration_s, page_seconds),
        "page_seconds": page_seconds,
        "times": [round(s / fs, 2) for s in result.samples],
        "samples": list(result.samples),
        "labels": result.labels,
    }
