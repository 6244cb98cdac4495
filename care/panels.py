"""What the care app adds to the diagnosis pages, through ``diagnosis.hooks`` (registered in
``CareConfig.ready``): doctors' reviews on the result page, the reviewed/corrected mark in
the patient's history list, and doctors' labels of single beats on the rhythm strip."""
from django.db.models import Count
from django.template.loader import render_to_string
from django.utils.html import format_html

from .forms import ReviewForm
from .models import BeatLabel, Review
from .workspace import can_review

# state: (badge class, title, text)
HISTORY_MARKS = {
    "corrected": ("badge-warning", "A doctor corrected this finding", "corrected by doctor"),
    "confirmed": ("badge-success", "A doctor confirmed this finding", "reviewed"),
}


def review_panel(request, diagnosis):
    """The reviews of ``diagnosis`` for whoever may see it; for a doctor the patient shares
    with, also their review form."""
    user = request.user
    reviews = list(diagnosis.reviews.select_related("doctor")
                   .annotate(beats_labelled=Count("beat_labels")))
    mine = next((r for r in reviews if user.is_authenticated and r.doctor_id == user.pk), None)
    reviewer = diagnosis.is_finished and can_review(user, diagnosis)
    return render_to_string("care/_review_panel.html", {
        "diagnosis": diagnosis,
        "reviews": reviews,
        "corrected": any(not r.agrees for r in reviews),
        "form": ReviewForm.for_review(diagnosis, mine) if reviewer else None,
        "mine": mine,
        "is_owner": user.pk == diagnosis.owner_id,
    }, request=request)


def review_states(diagnoses):
    """{diagnosis id: "corrected" | "confirmed"} for a page of the history, in one query.

    A result counts as corrected when any doctor corrected it."""
    ids = [d.pk for d in diagnoses]
    states = {}
    for diagnosis_id, agrees in (Review.objects.filter(diagnosis_id__in=ids)
                                 .values_list("diagnosis_id", "agrees")):
        if not agrees or diagnosis_id not in states:
            states[diagnosis_id] = "confirmed" if agrees else "corrected"
    return states


def review_marks(request, diagnoses):
    return {
        pk: format_html('<span class="badge {}" title="{}">{}</span>', *HISTORY_MARKS[state])
        for pk, state in review_states(diagnoses).items()
    }


def beat_labels(request, diagnosis):
    """{sample: label} the doctors' reviews of ``diagnosis`` gave single beats, for the strip.
    Where doctors differ on a beat, the viewer's own label wins, else the latest review's."""
    viewer = request.user.pk if request.user.is_authenticated else None
    rows = (BeatLabel.objects.filter(review__diagnosis=diagnosis)
            .values_list("review__doctor_id", "review__updated_at", "review_id", "sample",
                         "label"))
    ordered = sorted(rows, key=lambda r: (r[0] == viewer, r[1], r[2]))
    return {sample: label for _, _, _, sample, label in ordered}


def doctor_readings(diagnoses):
    """{diagnosis id: DoctorReading} of the latest review of each diagnosis (one query)."""
    from diagnosis.readings import DoctorReading

    latest = {}
    for review in (Review.objects.filter(diagnosis_id__in=[d.pk for d in diagnoses])
                   .select_related("doctor").order_by("updated_at", "pk")):
        latest[review.diagnosis_id] = review
    return {
        pk: DoctorReading(code=r.reviewed_label, when=r.updated_at, agrees=r.agrees,
                          doctor=r.doctor.display_name if r.doctor else "", notes=r.notes)
        for pk, r in latest.items()
    }
