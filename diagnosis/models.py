"""Diagnoses: one upload (a picture of one heartbeat or a recorded signal) and its result.

Life of a row: the upload view writes it ``queued`` together with its files (or
``needs_rate``: a CSV file that does not say its sampling rate waits for its owner to give
one, services.give_rate); after the transaction commits, its pk is sent to the Celery
worker; the worker *claims* it with a conditional update (``queued -> running``), analyses
it and writes ``done`` or ``failed``.
A claim is a lease of ECG_DIAGNOSIS_LEASE_S that the worker renews while it works
(``renew_lease``, from the task's heartbeat): a row whose worker died is claimable again
within one lease (by the sweep or a redelivered message), while a duplicate message for a row
that is being worked on finds nothing to claim.
"""
import uuid
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q
from django.db.models.sql import UpdateQuery
from django.urls import reverse
from django.utils import timezone

from ml.registry import CLASS_CODES, CLASS_NAMES
from sharing.models import Share

from . import events, live

LABEL_CHOICES = [(code, CLASS_NAMES[code]) for code in CLASS_CODES]
# Support staff may read every patient's results, files and reports only with this
# permission (granted in the admin, to a user or a group); every such view is logged.
VIEW_PATIENT_DATA = "diagnosis.view_patient_data"


def claim_seconds():
    """How long a claim lasts unless the worker holding it renews it."""
    return settings.ECG_DIAGNOSIS_LEASE_S


def announce_state(pk, status):
    """Wake the pages waiting on this diagnosis (diagnosis.live) once the change is
    committed: a page woken earlier would read the old row."""
    transaction.on_commit(partial(live.publish, pk, status), robust=True)


class DiagnosisQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The diagnoses ``user`` may see. The single access rule for patient data.

        - the owner;
        - a verified doctor, while the owner has an active share with them (sharing.Share,
          read on every call: revoking ends access with the next request);
        - staff holding the ``diagnosis.view_patient_data`` permission (superusers hold
          every permission), read-only for support (views only show; delete and review need
          more); being staff alone gives no access to patient data.
        Every view by anybody but the owner is written to the access log (sharing.audit).
        """
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_staff and user.has_perm(VIEW_PATIENT_DATA):
            return self.all()
        if user.is_verified_doctor:
            return self.filter(Q(owner=user) | Q(owner__in=Share.objects.patient_ids_for(user)))
        return self.filter(owner=user)

    def owned_by(self, user):
        """The user's own diagnoses: what their history lists and what they may delete."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(owner=user)

    def finished(self):
        return self.filter(status__in=[Diagnosis.Status.DONE, Diagnosis.Status.FAILED])

    def stale(self, now=None):
        """Rows the sweep should send to the worker again.

        Queued rows whose message was never sent (broker down at upload) or was sent long
        ago without being picked up (lost with a broker restart), and running rows whose
        claim has expired (their worker died).
        """
        now = now or timezone.now()
        cutoff = now - timedelta(seconds=settings.ECG_DIAGNOSIS_REQUEUE_AFTER_S)
        queued = Q(status=Diagnosis.Status.QUEUED) & (
            Q(enqueued_at__isnull=True, queued_at__lt=cutoff) | Q(enqueued_at__lt=cutoff)
        )
        abandoned = Q(status=Diagnosis.Status.RUNNING, lease_expires_at__lt=now)
        return self.filter(queued | abandoned)

    def claim(self, pk, now=None):
        """Take the row for one run; returns the claim token, or None if it is not claimable."""
        row = self.claim_row(pk, now)
        return None if row is None else row.claim_token

    def claim_row(self, pk, now=None):
        """Take the row for one run; returns it as claimed (its ``claim_token`` set), or None
        if it is not claimable.

        The conditional UPDATE is atomic in the database, so of two workers holding the same
        message only one gets the row. It returns the row it wrote (UPDATE ... RETURNING,
        which QuerySet.update cannot do), so the worker does not read it again.
        """
        now = now or timezone.now()
        claimable = Q(status=Diagnosis.Status.QUEUED) | Q(
            status=Diagnosis.Status.RUNNING, lease_expires_at__lt=now
        )
        query = self.filter(claimable, pk=pk).query.chain(UpdateQuery)
        query.add_update_values({
            "status": Diagnosis.Status.RUNNING,
            "started_at": now,
            "lease_expires_at": now + timedelta(seconds=claim_seconds()),
            "claim_token": uuid.uuid4(),
            "attempts": F("attempts") + 1,
        })
        sql, params = query.get_compiler(self.db).as_sql()
        row = next(iter(self.raw(f"{sql} RETURNING *", params)), None)
        if row is not None:
            announce_state(pk, Diagnosis.Status.RUNNING)
        return row

    def renew_lease(self, pk, token, now=None):
        """Extend the claim ``token`` holds by a lease from ``now``; False if it holds none."""
        now = now or timezone.now()
        return bool(self.filter(pk=pk, status=Diagnosis.Status.RUNNING, claim_token=token)
                    .update(lease_expires_at=now + timedelta(seconds=claim_seconds())))


class Diagnosis(models.Model):
    class Kind(models.TextChoices):
        IMAGE = "image", "Beat image"
        SIGNAL = "signal", "ECG signal"

    class Status(models.TextChoices):
        # A CSV file kept without a sampling rate (no time column, no rate in its heading
        # lines): it waits for its owner to give one (services.give_rate), then is queued.
        NEEDS_RATE = "needs_rate", "Needs the sampling rate"
        QUEUED = "queued", "Waiting"
        RUNNING = "running", "Analysing"
        DONE = "done", "Done"
        FAILED = "failed", "Could not be analysed"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="diagnoses"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    input_format = models.CharField(max_length=8, help_text="Detected from the content.")
    original_name = models.CharField(max_length=255, blank=True, help_text="For display only.")
    input_fs = models.FloatField(
        null=True, blank=True, help_text="Sampling rate given with a CSV file without times."
    )
    seconds_shown = models.FloatField(
        null=True, blank=True,
        help_text="Time span a picture's trace shows (left end to right end), when its owner "
                  "gave it; the picture reader then uses it instead of judging the time scale.",
    )
    content_hash = models.CharField(
        max_length=64, blank=True, editable=False,
        help_text="SHA-256 of the uploaded files and rate: the same upload sent twice at once "
                  "becomes one diagnosis.",
    )

    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    queued_at = models.DateTimeField(default=timezone.now)
    enqueued_at = models.DateTimeField(
        null=True, blank=True, help_text="Last time the task was handed to the broker."
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    attempts = models.PositiveSmallIntegerField(default=0)

    model_version = models.CharField(max_length=64, blank=True)
    label = models.CharField(max_length=2, choices=LABEL_CHOICES, blank=True, db_index=True)
    probabilities = models.JSONField(null=True, blank=True)
    confidence = models.FloatField(null=True, blank=True)
    low_confidence = models.BooleanField(default=False)
    error_message = models.TextField(blank=True)
    # Which model read the input and how (ml.predictor): a picture, or a recording read from
    # one lead or several; the lead names (["II", "V1"]) for recordings, [] for pictures.
    analysis_mode = models.CharField(max_length=16, blank=True)
    leads_used = models.JSONField(default=list, blank=True)

    # Signals only.
    counts = models.JSONField(null=True, blank=True)
    beat_count = models.PositiveIntegerField(null=True, blank=True)
    heart_rate_bpm = models.FloatField(null=True, blank=True)
    vf_episodes = models.JSONField(null=True, blank=True, help_text="[[start_s, end_s], ...]")
    duration_s = models.FloatField(null=True, blank=True)
    fs = models.FloatField(null=True, blank=True)

    objects = DiagnosisQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "diagnoses"
        ordering = ["-queued_at", "-pk"]
        permissions = [
            ("view_patient_data", "Can view any patient's results, files and reports"),
        ]
        indexes = [
            models.Index(fields=["owner", "-queued_at"], name="diag_owner_recent"),
            models.Index(fields=["status", "queued_at"], name="diag_status_age"),
            models.Index(fields=["owner", "content_hash"], name="diag_owner_content"),
        ]

    def __str__(self):
        return f"Diagnosis {self.pk} ({self.get_status_display()})"

    def get_absolute_url(self):
        return reverse("diagnosis:result", args=[self.pk])

    @property
    def rate_deadline(self):
        """When a kept upload still without its sampling rate is deleted
        (services.forget_unrated)."""
        return self.queued_at + timedelta(hours=settings.ECG_NEEDS_RATE_KEEP_HOURS)

    def can_view(self, user):
        return type(self).objects.visible_to(user).filter(pk=self.pk).exists()

    @property
    def is_finished(self):
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def label_name(self):
        return CLASS_NAMES.get(self.label, "")

    @property
    def input_files(self):
        return [f for f in self.files.all() if f.role == DiagnosisFile.Role.INPUT]

    def sorted_probabilities(self):
        """(code, name, probability) for every class, in the registry's order."""
        probs = self.probabilities or {}
        return [(code, CLASS_NAMES[code], probs.get(code, 0.0)) for code in CLASS_CODES]

    def _finish(self, token, status, **fields):
        """Write the outcome if ``token`` still holds the claim; True when it did. Apps
        above hear of it (events.finished) once the outcome is committed."""
        fields.update(status=status, finished_at=timezone.now(), lease_expires_at=None)
        updated = type(self).objects.filter(
            pk=self.pk, status=self.Status.RUNNING, claim_token=token
        ).update(**fields)
        if updated:
            for name, value in fields.items():
                setattr(self, name, value)
            transaction.on_commit(partial(events.announce_finished, self), robust=True)
            announce_state(self.pk, status)
        return bool(updated)

    def mark_done(self, token, **result_fields):
        return self._finish(token, self.Status.DONE, error_message="", **result_fields)

    def mark_failed(self, token, message):
        return self._finish(token, self.Status.FAILED, error_message=message)

    def release(self, token):
        """Give a claimed row back to the queue (before a retry); True when it did."""
        released = bool(
            type(self)
            .objects.filter(pk=self.pk, status=self.Status.RUNNING, claim_token=token)
            .update(status=self.Status.QUEUED, lease_expires_at=None, claim_token=None)
        )
        if released:
            announce_state(self.pk, self.Status.QUEUED)
        return released


class DiagnosisFile(models.Model):
    """A stored file of a diagnosis: an uploaded input, or what the worker derived from it.

    A WFDB record has two inputs (header and data). The worker decodes a recording once and
    keeps its leads (an ``ml.formats.Recording`` as .npz) for the plot and any later run; the
    trace is the signal the plot draws. Files live in the default storage under random names
    and are deleted with their row (see signals.py).
    """

    class Role(models.TextChoices):
        INPUT = "input", "Uploaded input"
        LEADS = "leads", "Decoded leads"
        TRACE = "trace", "Plot trace"

    diagnosis = models.ForeignKey(Diagnosis, on_delete=models.CASCADE, related_name="files")
    role = models.CharField(max_length=8, choices=Role.choices, default=Role.INPUT)
    # The name is chosen by diagnosis.storage (random, per-user folder), never by upload_to.
    file = models.FileField(max_length=255)
    original_name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return self.original_name or self.file.name

    def get_absolute_url(self):
        return reverse("diagnosis:file", args=[self.diagnosis_id, self.pk])

    @property
    def is_image(self):
        return self.content_type.startswith("image/")


class SignalResult(models.Model):
    """Per-beat results of a signal, stored column-wise.

    A 30-minute record has about 2,500 beats. One row with three parallel arrays (sample
    index, class code, confidence) is ~45 kB of JSON, is read in one query for the plot (a
    page is found by bisecting the sorted sample indices) and keeps the diagnoses table and
    its history queries small. Nothing queries a single beat, which is what a table with a
    row per beat would be good for. Beats keep their class *code* ("V"), never a position in
    the registry, so reordering or adding classes leaves old results as they were.
    """

    diagnosis = models.OneToOneField(
        Diagnosis, on_delete=models.CASCADE, primary_key=True, related_name="signal"
    )
    samples = models.JSONField(help_text="R-peak sample index of each beat, ascending.")
    labels = models.JSONField(help_text='Class code of each beat (ml.registry), e.g. ["N", "V"].')
    confidences = models.JSONField(help_text="Confidence of each beat's label, 3 decimals.")
    trace_fs = models.FloatField(help_text="Sampling rate of the stored plot trace.")
    trace_length = models.PositiveIntegerField()
    trace_scale_mv = models.FloatField(help_text="Millivolts per stored int16 unit.")

    def __str__(self):
        return f"Beats of diagnosis {self.diagnosis_id}"

    def beat_labels(self):
        """The class code of each beat, in time order."""
        return list(self.labels)
