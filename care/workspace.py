"""Queries behind the doctor's workspace: their patients and each patient's results."""
from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, IntegerField, Max, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from diagnosis.models import Diagnosis
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


def patients_of(doctor):
    """The patients sharing with ``doctor``, with what the list shows about each."""
    User = get_user_model()
    mine = Diagnosis.objects.filter(owner=OuterRef("pk"))
    to_review = (mine.filter(needs_attention()).exclude(reviews__doctor=doctor)
                 .values("owner").annotate(n=Count("pk")).values("n"))
    shares = Share.objects.active().filter(doctor=doctor, patient=OuterRef("pk"))
    return (
        User.objects.filter(pk__in=Share.objects.patient_ids_for(doctor))
        .annotate(
            result_count=Count("diagnoses"),
            last_upload=Max("diagnoses__queued_at"),
            to_review=Coalesce(Subquery(to_review, output_field=IntegerField()), Value(0)),
            shared_since=Subquery(shares.values("accepted_at")[:1]),
        )
        .order_by("last_name", "first_name", "email")
    )


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
