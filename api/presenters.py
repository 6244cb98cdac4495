"""Diagnoses, patients and the model as the API shows them (dictionaries the serializers in
api.serializers describe). Built from the same pieces as the result page: diagnosis.presenters,
diagnosis.reliability, diagnosis.urgency, care's reviews."""
from dataclasses import asdict

from django.conf import settings
from django.urls import reverse

from articles.model_card import card_figures
from articles.services import learn_more
from care.panels import review_states
from diagnosis import inference, urgency
from diagnosis import presenters as site
from diagnosis.models import Diagnosis
from diagnosis.reliability import finding_reliability, model_dir_for
from ml.card import cached_card, mode_figures
from ml.registry import CLASSES, MODES


def _url(request, name, *args):
    return request.build_absolute_uri(reverse(name, args=args))


def links(request, d):
    signal = d.kind == Diagnosis.Kind.SIGNAL
    return {
        "self": _url(request, "api:diagnosis", d.pk),
        "status": _url(request, "api:diagnosis-status", d.pk),
        "beats": _url(request, "api:diagnosis-beats", d.pk) if signal else None,
        "fhir": _url(request, "api:diagnosis-fhir", d.pk),
        "web": request.build_absolute_uri(d.get_absolute_url()),
    }


def status(request, d):
    """The site's status JSON (diagnosis.presenters.status_json) with the API's links."""
    data = site.status_json(d)
    for site_only in ("url", "status_url"):
        data.pop(site_only)
    data["links"] = links(request, d)
    return data


def _advice(d):
    advice = urgency.assess(d)
    if advice is None:
        return None
    return {"level": advice.level, "label": advice.label, "headline": advice.headline,
            "steps": list(advice.steps)}


def _reliability(d):
    reliability = finding_reliability(d)
    if reliability is None:
        return None
    return {
        "name": reliability.name, "precision": reliability.precision,
        "recall": reliability.recall, "support": reliability.support, "n": reliability.n,
        "single_images": reliability.single_images, "unreliable": reliability.unreliable,
        "hidden": [{"name": h.name, "share": h.share} for h in reliability.hidden],
    }


def _recording(d):
    if d.kind != Diagnosis.Kind.SIGNAL:
        return None
    used = inference.leads_used(d)
    return {
        "duration_s": d.duration_s,
        "fs": d.fs,
        "beat_count": d.beat_count,
        "heart_rate_bpm": d.heart_rate_bpm,
        "counts": [{k: row[k] for k in ("code", "name", "count", "percent")}
                   for row in site.count_rows(d)],
        "vf_episodes": [{"start_s": start, "end_s": end} for start, end in d.vf_episodes or []],
        "leads": list(used[0]) if used else None,
        "lead_used": used[1] if used else None,
    }


def review(r):
    return {
        "doctor": r.doctor.display_name if r.doctor else None,
        "agrees": r.agrees,
        "original_label": r.original_label,
        "label": r.reviewed_label,
        "label_name": r.reviewed_label_name,
        "notes": r.notes,
        "created_at": r.created_at,
        "updated_at": r.updated_at,
    }


def _learn(request, d):
    if d.status != Diagnosis.Status.DONE or not d.label:
        return None
    article = learn_more(d.label)["article"]
    if article is None:
        return None
    return {"title": article.title, "url": request.build_absolute_uri(article.get_absolute_url())}


def detail(request, d):
    return {
        **status(request, d),
        "input_format": d.input_format,
        "model_version": d.model_version,
        "analysis_mode": d.analysis_mode,
        "leads_used": list(d.leads_used or []),
        "seconds_shown": d.seconds_shown,
        "probabilities": [{"code": code, "name": name, "probability": p}
                          for code, name, p in d.sorted_probabilities()]
        if d.probabilities else [],
        "advice": _advice(d),
        "reliability": _reliability(d),
        "recording": _recording(d),
        "reviews": [review(r) for r in d.reviews.select_related("doctor")],
        "learn": _learn(request, d),
    }


def history_rows(request, diagnoses):
    reviewed = review_states(diagnoses)
    return [{
        "id": d.pk, "status": d.status, "kind": d.kind, "name": d.original_name,
        "queued_at": d.queued_at, "finished_at": d.finished_at, "label": d.label or None,
        "label_name": d.label_name or None, "confidence": d.confidence,
        "low_confidence": d.low_confidence, "beat_count": d.beat_count,
        "heart_rate_bpm": d.heart_rate_bpm, "reviewed": reviewed.get(d.pk),
        "url": _url(request, "api:diagnosis", d.pk),
    } for d in diagnoses]


def beats(result, fs, first, rows):
    """Rows of per-beat results: ``rows`` beats from index ``first`` of a SignalResult."""
    last = min(first + rows, len(result.samples))
    return [{
        "index": i, "sample": result.samples[i], "time_s": round(result.samples[i] / fs, 3),
        "label": result.labels[i], "confidence": result.confidences[i],
    } for i in range(first, last)]


def patient(request, person):
    return {
        "id": person.pk, "name": person.display_name, "email": person.email,
        "date_of_birth": person.date_of_birth, "shared_since": person.shared_since,
        "result_count": person.result_count, "last_upload": person.last_upload,
        "to_review": person.to_review,
        "diagnoses": _url(request, "api:patient-diagnoses", person.pk),
    }


def classes(request):
    return [{
        "code": c.code, "name": c.name, "short_name": c.short_name, "colour": c.colour,
        "urgency": c.urgency.level,
        "snomed_code": c.snomed[0] if c.snomed else None,
        "snomed_display": c.snomed[1] if c.snomed else None,
        "article": _url(request, "articles:detail", c.article_slug) if c.article_slug else None,
    } for c in CLASSES]


def _mode_figures():
    """The figures per mode (several leads, one lead, picture), each from the card of the model
    that reads that kind of input (recordings: the recordings model; pictures: the image
    model); a mode without measured figures is left out."""
    modes = []
    for mode in MODES:
        figures = mode_figures(cached_card(model_dir_for(mode)) or {}, mode)
        if figures is None:
            continue
        modes.append({
            "mode": mode, "model_version": figures.model_version,
            "macro_f1": figures.macro_f1, "split": figures.split, "source": figures.source,
            "per_class": [{"code": c.code, "f1": c.f1, "precision": c.precision,
                           "recall": c.recall, "beats": c.beats, "patients": c.patients}
                          for c in figures.per_class.values()],
        })
    return modes


def model_card():
    figures = card_figures(settings.ECG_MODEL_DIR)
    created = figures.created
    return {
        "modes": _mode_figures(),
        "status": figures.status,
        "model_version": figures.model_version,
        "created": created.isoformat() if hasattr(created, "isoformat") else created,
        "splits": [{
            **{k: v for k, v in asdict(split).items()
               if k not in ("per_class", "has_baseline", "has_image_only")},
            "per_class": [{k: row[k] for k in ("code", "name", "f1", "precision", "recall",
                                               "support", "image_f1", "baseline_f1")}
                          for row in split.per_class],
        } for split in figures.splits],
    }
