"""Turning diagnoses into what pages, JSON and CSV show (kept out of views and templates)."""
import itertools

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone

from ml.registry import BASELINE_CLASS, CLASS_CODES, CLASS_NAMES, CLASSES

from . import beatview, readings, trace, urgency
from .models import Diagnosis
from .reliability import finding_reliability


def upload_context(form, error=None):
    from ml.formats import limits as ml_limits

    return {
        "min_seconds": ml_limits.MIN_SECONDS,
        "min_fs": ml_limits.MIN_FS,
        "max_fs": ml_limits.MAX_FS,
        "form": form,
        "error": error,
        "max_bytes": settings.ECG_UPLOAD_MAX_BYTES,
        "max_size": filesizeformat(settings.ECG_UPLOAD_MAX_BYTES),
        "max_pixels": settings.ECG_IMAGE_MAX_PIXELS,
        "classes": [(c.code, c.name) for c in CLASSES],
    }


def percent_text(share):
    """0.9828814814814815 -> "98.3%"; a share short of 1 never reads "100.0%"; None -> "-"."""
    if share is None:
        return "-"
    percent = round(100 * share, 1)
    if percent >= 100 and share < 1:
        percent = 99.9
    return f"{percent:.1f}%"


def _iso(value):
    return value.isoformat() if value else None


def status_json(d):
    from .services import queue_position

    return {
        "id": d.pk,
        "status": d.status,
        "status_display": d.get_status_display(),
        "finished": d.is_finished,
        "queue_position": queue_position(d),
        "kind": d.kind,
        "name": d.original_name,
        "label": d.label or None,
        "label_name": d.label_name or None,
        "confidence": d.confidence,
        "low_confidence": d.low_confidence,
        "error": d.error_message or None,
        "queued_at": _iso(d.queued_at),
        "started_at": _iso(d.started_at),
        "finished_at": _iso(d.finished_at),
        "url": d.get_absolute_url(),
        "status_url": reverse("diagnosis:status", args=[d.pk]),
        # Where the owner gives the sampling rate of a kept CSV file (Status.NEEDS_RATE).
        "rate_url": (reverse("diagnosis:rate", args=[d.pk])
                     if d.status == d.Status.NEEDS_RATE else None),
    }


def clock(seconds):
    """12.5 -> "0:12", 3725 -> "1:02:05"."""
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def probability_bars(d):
    """Rows of the probability chart: labels and the bar width in percent."""
    return [
        {"code": code, "name": name, "value": p, "percent": round(100 * p, 1),
         "width": max(0.3, round(100 * p, 2)), "top": code == d.label}
        for code, name, p in d.sorted_probabilities()
    ]


def count_rows(d):
    if not d.counts:
        return []
    total = d.beat_count or sum(d.counts.values()) or 1
    return [
        {"code": code, "name": CLASS_NAMES[code], "count": d.counts.get(code, 0),
         "percent": round(100 * d.counts.get(code, 0) / total, 1)}
        for code in CLASS_CODES
    ]


def vf_rows(d):
    return [
        {"start": clock(start), "end": clock(end), "seconds": round(end - start, 1),
         "start_s": start}
        for start, end in (d.vf_episodes or [])
    ]


def learn_links(code):
    if not code:
        return None
    from articles.services import learn_more

    links = learn_more(code)
    # No article for this finding (none published yet, or all unpublished): no "Learn more"
    # card at all, rather than an empty one.
    if not any(links[key] for key in ("article", "diseases", "prevention", "guides")):
        return None
    return links


def has_plot(d):
    return d.kind == Diagnosis.Kind.SIGNAL and d.status == Diagnosis.Status.DONE


def plot_config(d):
    """What static/js/ecg_strip.js needs to draw ``d``'s rhythm strip (json_script)."""
    return {
        "url": reverse("diagnosis:signal", args=[d.pk]),
        # The strip reads the CSS variables; these are the fallback (and the same values).
        "colours": {c.code: c.colour for c in CLASSES},
        "names": CLASS_NAMES,
        "baseline": BASELINE_CLASS,
        "paper": {"mm_per_s": trace.PAPER_MM_PER_S, "mm_per_mv": trace.PAPER_MM_PER_MV},
    }


def result_context(d, viewer=None):
    """What the result page shows of ``d`` to ``viewer``; a verified doctor is not told to
    ask a doctor to read the ECG (``for_doctor``)."""
    for_doctor = bool(viewer is not None and viewer.is_authenticated
                      and viewer.is_verified_doctor)
    done = d.status == Diagnosis.Status.DONE
    reading = readings.reading_of(d) if done else None
    return {
        "diagnosis": d,
        "for_doctor": for_doctor,
        "status": status_json(d),
        "reading": reading,
        "advice": urgency.assess(d, for_doctor=for_doctor, reading=reading),
        "reliability": finding_reliability(d),
        # "Learn more" explains the reading shown: a doctor's, where there is one.
        "learn": learn_links(reading.code if reading.code in CLASS_NAMES else None)
        if done else None,
        "bars": probability_bars(d) if d.probabilities else [],
        "confidence_percent": None if d.confidence is None else round(100 * d.confidence),
        "counts": count_rows(d),
        "vf_rows": vf_rows(d),
        "inputs": d.input_files,
        "class_names": CLASS_NAMES,
        "plot": plot_config(d),
        "has_plot": has_plot(d),
        "beat": beatview.beat_view(d) if has_plot(d) else None,
        "duration": clock(d.duration_s) if d.duration_s else None,
        "time_span": time_span_shown(d),
        "red_flags": urgency.RED_FLAGS,
        "disclaimer": urgency.DISCLAIMER,
        "references": urgency.REFERENCES,
    }


def time_span_shown(d):
    """What the result page and the PDF say of the time span a picture's trace shows (None
    for a recording): given with the upload, or judged by the reader."""
    if d.kind != Diagnosis.Kind.IMAGE:
        return None
    if d.seconds_shown:
        return (f"{round(d.seconds_shown, 3):g} s, given with the upload: the picture "
                "was read at that time scale")
    return "not given: the reader judged the time scale from the beat's shape"


def history_row(d, marks=(), reading=None):
    """One row of the history list; ``marks``: HTML other apps add beside the finding
    (diagnosis.hooks.HISTORY_MARKS); ``reading``: its readings.Reading (a doctor's first)."""
    reading = reading or readings.reading_of(d)
    return {
        "diagnosis": d,
        "reading": reading,
        "finding": reading.name,
        "badge": reading.code if reading.code in CLASS_NAMES else "",
        # The honest number first, as on the result page (None: no measured figure).
        "right_percent": None if reading.by_doctor or not reading.code
        else getattr(finding_reliability(d), "precision_percent", None),
        "confidence": None if d.confidence is None else round(100 * d.confidence),
        "marks": list(marks),
    }


CSV_HEADER = [
    # finding: the reading shown (a doctor's where one reviewed it, read_by says whose);
    # model_finding: what the model said, which confidence is about.
    "id", "uploaded", "status", "kind", "file", "finding_code", "finding", "read_by",
    "model_finding_code", "model_finding", "confidence",
    "low_confidence", "beats", *[f"beats_{c}" for c in CLASS_CODES], "heart_rate_bpm",
    "vf_episodes", "duration_s", "model_version", "finished", "message",
]


def _cell(value):
    """Neutralise spreadsheet formulas in user-controlled text (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_row(d, reading=None):
    counts = d.counts or {}
    local = timezone.localtime
    reading = reading or readings.reading_of(d)
    return [
        d.pk,
        local(d.queued_at).isoformat(timespec="seconds"),
        d.status,
        d.kind,
        _cell(d.original_name),
        reading.code,
        reading.name,
        reading.source,
        d.label,
        d.label_name,
        "" if d.confidence is None else f"{d.confidence:.4f}",
        "yes" if d.low_confidence else "no",
        "" if d.beat_count is None else d.beat_count,
        *["" if not d.counts else counts.get(c, 0) for c in CLASS_CODES],
        "" if d.heart_rate_bpm is None else f"{d.heart_rate_bpm:.1f}",
        "" if d.vf_episodes is None else len(d.vf_episodes),
        "" if d.duration_s is None else f"{d.duration_s:.1f}",
        d.model_version,
        local(d.finished_at).isoformat(timespec="seconds") if d.finished_at else "",
        _cell(d.error_message),
    ]


def csv_rows(queryset, chunk=500):
    """The CSV rows of ``queryset``, read in chunks, with the readings of each chunk looked
    up at once."""
    rows = queryset.iterator(chunk_size=chunk)
    while batch := list(itertools.islice(rows, chunk)):
        shown = readings.readings_of(batch)
        for d in batch:
            yield csv_row(d, shown[d.pk])
