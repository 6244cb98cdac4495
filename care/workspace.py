"""Queries behind the doctor's workspace: their patients and each patient's results."""
from django.contrib.auth import get_user_model
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from diagnosis import urgency
from diagnosis.models import Diagnosis
from ml.registry import EMERGENCY, SOON, URGENCY_ORDER
from sharing.models import Share

from .models import Review


def needs_attention():
    """Q over diagnoses: what "abnormal only" shows.

    A finished result whose finding is not Normal, a Normal finding the model was not
    confident about, or an analysis that failed (the doctor may still read the ECG).
    """
    done = Q(status=Diagnosis.Status.DONE)
    return (Q(status=Diagnosis.Status.FAILED)
            | (done & ~Q(label="N"))
            | (done & Q(low_confidence=True)))


def reviewed_by(doctor):
    return Exists(Review.objects.filter(diagnosis=OuterRef("pk"), doctor=doctor))


# Triage: patients with an unreviewed result at one of these urgency levels (ventricular
# fibrillation, "see a doctor soon") come first, most urgent first; the rest share one rank.
TRIAGE_FIRST = (EMERGENCY, SOON)
TRIAGE_REST = len(TRIAGE_FIRST)


def patients_of(doctor):
    """The patients sharing with ``doctor``, with what the list shows about each, in triage
    order: an unreviewed result at an urgent level first (``triage``: its index in
    TRIAGE_FIRST, else TRIAGE_REST), then patients with results to review, then the most
    recent upload first. "Unreviewed" means not reviewed by this doctor."""
    User = get_user_model()
    mine = Diagnosis.objects.filter(owner=OuterRef("pk"))
    to_review = (mine.filter(needs_attention()).exclude(reviews__doctor=doctor)
                 .values("owner").annotate(n=Count("pk")).values("n"))
    most_urgent = (mine.exclude(reviewed_by(doctor)).annotate(rank=urgency.rank_expression())
                   .filter(rank__isnull=False).order_by("rank").values("rank")[:1])
    shares = Share.objects.active().filter(doctor=doctor, patient=OuterRef("pk"))
    triage = Case(*(When(urgency_rank=URGENCY_ORDER.index(level), then=Value(i))
                    for i, level in enumerate(TRIAGE_FIRST)),
                  default=Value(TRIAGE_REST), output_field=IntegerField())
    return (
        User.objects.filter(pk__in=Share.objects.patient_ids_for(doctor))
        .annotate(
            result_count=Count("diagnoses"),
            last_upload=Max("diagnoses__queued_at"),
            to_review=Coalesce(Subquery(to_review, output_field=IntegerField()), Value(0)),
            shared_since=Subquery(shares.values("accepted_at")[:1]),
            urgency_rank=Subquery(most_urgent, output_field=IntegerField()),
        )
        .annotate(triage=triage,
                  nothing_to_review=Case(When(to_review__gt=0, then=Value(0)),
                                         default=Value(1), output_field=IntegerField()))
        .order_by("triage", "nothing_to_review", F("last_upload").desc(nulls_last=True),
                  "last_name", "first_name", "email")
    )


def triage_label(patient):
    """The wording of a listed patient's urgent level, or "" when none is urgent."""
    if patient.triage >= TRIAGE_REST:
        return ""
    return urgency.LEVEL_LABELS[TRIAGE_FIRST[patient.triage]]


def patient_for(doctor, patient_id):
    """The patient ``patient_id`` if they share with ``doctor`` now, else None."""
    User = get_user_model()
    return User.objects.filter(pk=patient_id, pk__in=Share.objects.patient_ids_for(doctor)).first()


def history_of(patient, doctor):
    """The patient's results, newest first, each marked with whether ``doctor`` reviewed it."""
    return (Diagnosis.objects.filter(owner=patient)
            .annotate(reviewed_by_me=reviewed_by(doctor))
            .prefetch_related("reviews"))


def can_review(user, diagnosis):
    """Only a verified doctor with an active share from the owner reviews; staff's access is
    read-only."""
    return (user.is_authenticated and user.is_verified_doctor
            and Share.objects.between(diagnosis.owner_id, user).exists())
