"""Figures for the staff metrics page: pure functions over querysets.

Definitions (the page repeats them):
- Date range: whole days ``start``..``end`` inclusive in the site's time zone (TIME_ZONE).
  Diagnoses belong to the day they were uploaded (``queued_at``); reviews to the day they
  were first written.
- Active user: an active account that signed in (``last_login``) or uploaded an ECG
  (a diagnosis ``queued_at``) within the last 7 or 30 days before now, whatever the range.
- Low-confidence share: low-confidence results among the results that finished as done.
- Failure rate: failed analyses among finished ones (done + failed); queued and running
  rows are still open and count in neither.
- Queue wait: ``started_at - queued_at`` (the last attempt, for rows that were retried);
  processing time: ``finished_at - started_at`` of finished rows. Percentiles interpolate
  linearly between the two nearest values (numpy's default).
- Agreement rate: reviews in which the doctor agreed with the model's finding, among all
  reviews written in the range.
- Model version in use: the card shipped with the model the workers load
  (``settings.ECG_MODEL_DIR``), read as JSON: TensorFlow is never loaded by the web process.
"""
import math
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, DurationField, Exists, ExpressionWrapper, F, OuterRef, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from care.models import Review
from diagnosis.models import Diagnosis
from ml.registry import CLASS_CODES


@dataclass(frozen=True)
class DateRange:
    start: object  # date
    end: object  # date, inclusive

    @property
    def since(self):
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def until(self):
        """Midnight after the last day (exclusive bound)."""
        return timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))

    def days(self):
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]

    def filter(self, queryset, field):
        return queryset.filter(**{f"{field}__gte": self.since, f"{field}__lt": self.until})


def percentile(values, q):
    """The ``q``-th percentile (0..100) of ``values`` with linear interpolation, or None."""
    data = sorted(values)
    if not data:
        return None
    position = (len(data) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return data[low] + (data[high] - data[low]) * (position - low)


def ratio(part, whole):
    return part / whole if whole else None


# --- Users -----------------------------------------------------------------------------


def users_by_role(users=None):
    """Registered accounts: patients, verified doctors, doctors awaiting verification, and
    staff. A staff account (a superuser made with createsuperuser has the default patient
    role) is not counted as a patient; a staff doctor is counted as a doctor too."""
    users = users if users is not None else get_user_model().objects.all()
    doctor = Q(role="doctor")
    return users.aggregate(
        total=Count("pk"),
        patients=Count("pk", filter=Q(role="patient", is_staff=False)),
        doctors=Count("pk", filter=doctor & Q(doctor_verified_at__isnull=False)),
        doctors_awaiting=Count("pk", filter=doctor & Q(doctor_verified_at__isnull=True)),
        staff=Count("pk", filter=Q(is_staff=True)),
    )


def active_users(days, now=None, users=None):
    """How many active accounts signed in or uploaded within ``days`` days before ``now``."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=days)
    users = users if users is not None else get_user_model().objects.all()
    uploaded = Exists(Diagnosis.objects.filter(owner=OuterRef("pk"), queued_at__gte=cutoff))
    return users.filter(is_active=True).filter(Q(last_login__gte=cutoff) | uploaded).count()


# --- Diagnoses -------------------------------------------------------------------------


def diagnoses_per_day(diagnoses, days):
    """[(date, uploads, failed)] for every day in ``days``, zeros included."""
    rows = (diagnoses.annotate(day=TruncDate("queued_at")).values("day")
            .annotate(n=Count("pk"), failed=Count("pk", filter=Q(status=Diagnosis.Status.FAILED))))
    by_day = {r["day"]: (r["n"], r["failed"]) for r in rows}
    return [(day, *by_day.get(day, (0, 0))) for day in days]


def class_distribution(diagnoses):
    """{code: number of done results with that finding} for every class."""
    rows = (diagnoses.filter(status=Diagnosis.Status.DONE).values("label")
            .annotate(n=Count("pk")))
    counts = {code: 0 for code in CLASS_CODES}
    for row in rows:
        if row["label"] in counts:
            counts[row["label"]] = row["n"]
    return counts


def outcome_counts(diagnoses):
    return diagnoses.aggregate(
        total=Count("pk"),
        done=Count("pk", filter=Q(status=Diagnosis.Status.DONE)),
        failed=Count("pk", filter=Q(status=Diagnosis.Status.FAILED)),
        open=Count("pk", filter=Q(status__in=[Diagnosis.Status.QUEUED,
                                              Diagnosis.Status.RUNNING])),
        low_confidence=Count("pk", filter=Q(status=Diagnosis.Status.DONE, low_confidence=True)),
    )


def _seconds(diagnoses, end_field, start_field):
    span = ExpressionWrapper(F(end_field) - F(start_field), output_field=DurationField())
    values = (diagnoses.filter(**{f"{end_field}__isnull": False, f"{start_field}__isnull": False})
              .annotate(span=span).values_list("span", flat=True))
    return [v.total_seconds() for v in values]


def timings(diagnoses):
    """Median and 95th percentile (seconds) of queue wait and processing time."""
    wait = _seconds(diagnoses, "started_at", "queued_at")
    work = _seconds(diagnoses.filter(status__in=[Diagnosis.Status.DONE,
                                                 Diagnosis.Status.FAILED]),
                    "finished_at", "started_at")
    return {
        "queue_wait": {"n": len(wait), "median": percentile(wait, 50),
                       "p95": percentile(wait, 95)},
        "processing": {"n": len(work), "median": percentile(work, 50),
                       "p95": percentile(work, 95)},
    }


def model_versions(diagnoses):
    """[(model_version, finished results)] most used first."""
    return list(diagnoses.exclude(model_version="").values_list("model_version")
                .annotate(n=Count("pk")).order_by("-n", "model_version"))


def model_in_use(model_dir=None):
    """Version and date of the model card shipped with the workers' model, or None."""
    from ml.card import load_card

    try:
        card = load_card(model_dir or settings.ECG_MODEL_DIR)
    except (OSError, ValueError):
        return None
    if not card:
        return None
    inter = card.get("evaluations", {}).get("inter", {}).get("model", {})
    return {"version": card.get("model_version"), "created": card.get("created"),
            "macro_f1": inter.get("macro_f1"), "accuracy": inter.get("accuracy")}


# --- Reviews ---------------------------------------------------------------------------


def agreement(reviews):
    counts = reviews.aggregate(total=Count("pk"), agree=Count("pk", filter=Q(agrees=True)))
    return {**counts, "rate": ratio(counts["agree"], counts["total"])}


# --- Everything for one range ------------------------------------------------------------


def summary(date_range, now=None):
    """Every figure of the metrics page for ``date_range`` (a DateRange)."""
    diagnoses = date_range.filter(Diagnosis.objects.all(), "queued_at")
    outcomes = outcome_counts(diagnoses)
    finished = outcomes["done"] + outcomes["failed"]
    return {
        "range": date_range,
        "users": users_by_role(),
        "new_users": users_by_role(date_range.filter(get_user_model().objects.all(),
                                                     "date_joined")),
        "active_7": active_users(7, now),
        "active_30": active_users(30, now),
        "outcomes": outcomes,
        "failure_rate": ratio(outcomes["failed"], finished),
        "low_confidence_share": ratio(outcomes["low_confidence"], outcomes["done"]),
        "per_day": diagnoses_per_day(diagnoses, date_range.days()),
        "classes": class_distribution(diagnoses),
        "timings": timings(diagnoses),
        "agreement": agreement(date_range.filter(Review.objects.all(), "created_at")),
        "model_versions": model_versions(diagnoses),
        "model": model_in_use(),
    }
