"""Pieces the diagnosis pages include: doctors' reviews on the result page and the
reviewed/corrected state in the history list."""
from django import template

from ..forms import ReviewForm
from ..models import Review
from ..workspace import can_review

register = template.Library()


@register.inclusion_tag("care/_review_panel.html", takes_context=True)
def review_panel(context, diagnosis):
    """The reviews of ``diagnosis`` for whoever may see it; for a doctor the patient shares
    with, also their review form."""
    request = context["request"]
    user = request.user
    reviews = list(diagnosis.reviews.select_related("doctor"))
    mine = next((r for r in reviews if user.is_authenticated and r.doctor_id == user.pk), None)
    reviewer = diagnosis.is_finished and can_review(user, diagnosis)
    return {
        "diagnosis": diagnosis,
        "reviews": reviews,
        "corrected": any(not r.agrees for r in reviews),
        "form": ReviewForm.for_review(diagnosis, mine) if reviewer else None,
        "mine": mine,
        "is_owner": user.pk == diagnosis.owner_id,
        "csrf_token": context.get("csrf_token"),
    }


@register.simple_tag
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


@register.inclusion_tag("care/_review_badge.html")
def review_badge(states, diagnosis):
    return {"state": states.get(diagnosis.pk), "diagnosis": diagnosis}


@register.filter
def percent(value, digits=1):
    """A ratio in [0, 1] as "12.5%", or "–" when there is nothing to divide."""
    if value is None:
        return "–"
    return f"{100 * value:.{int(digits)}f}%"


@register.filter
def seconds(value):
    """A duration in seconds, readable: "0.8 s", "42 s", "3 min 5 s", "2 h 4 min"."""
    if value is None:
        return "–"
    if value < 10:
        return f"{value:.1f} s"
    whole = round(value)
    if whole < 60:
        return f"{whole} s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} min {secs} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"
