"""Sharing with doctors and the log of who looked at a patient's data.

- ``Share``: a patient's invitation to one e-mail address and, once a verified doctor has
  accepted it, the share itself. While a share is ``active`` the doctor sees the patient's
  diagnoses (``diagnosis.models.DiagnosisQuerySet.visible_to`` asks this table on every
  request, so revoking ends access at once).
- ``AuditLog``: one row per view of a patient's data by anybody but the patient.

This app sits below ``diagnosis``: diagnosis imports it for the access rule and the access
log, and nothing here imports diagnosis or the apps above it. The access log points at the
result viewed by a foreign key named as a string (no import), and keeps its number in
``diagnosis_ref`` when the result is deleted.
"""
import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

# How long an invitation link works. A doctor who still has to sign up and be verified
# by an administrator needs some days; the patient can send a fresh link at any time.
INVITATION_VALID_DAYS = 14


def hash_token(token):
    """Only a hash of an invitation token is stored: a database leak gives no usable links."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token():
    return secrets.token_urlsafe(32)


class ShareQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=Share.Status.ACTIVE)

    def pending(self, now=None):
        """Invitations that can still be accepted."""
        return self.filter(status=Share.Status.PENDING, expires_at__gt=now or timezone.now())

    def patient_ids_for(self, doctor):
        """Subquery: the patients who share with ``doctor`` right now."""
        return self.active().filter(doctor=doctor).values("patient_id")

    def between(self, patient, doctor):
        return self.active().filter(patient=patient, doctor=doctor)


class Share(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Invitation sent"
        ACTIVE = "active", "Active"
        REVOKED = "revoked", "Revoked"
        DECLINED = "declined", "Declined"

    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shares_given"
    )
    email = models.EmailField("invited address", help_text="Lower case.")
    doctor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True,
        related_name="shares_received", help_text="Set when a verified doctor accepts.",
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(default=timezone.now, help_text="Last e-mail sent.")
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True, help_text="Revoked or declined.")

    objects = ShareQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        # The "care_" names date from when these tables belonged to the care app; they are
        # only names in the database, kept so that moving the models changed no schema.
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "doctor"], condition=Q(status="active"),
                name="care_one_active_share_per_pair",
            ),
            models.UniqueConstraint(
                fields=["patient", "email"], condition=Q(status="pending"),
                name="care_one_pending_invitation_per_address",
            ),
            models.CheckConstraint(
                condition=~Q(status="active") | Q(doctor__isnull=False),
                name="care_active_share_has_doctor",
            ),
        ]
        indexes = [
            models.Index(fields=["doctor", "status"], name="care_share_doctor"),
            models.Index(fields=["patient", "status"], name="care_share_patient"),
        ]

    def __str__(self):
        return f"{self.patient} → {self.doctor or self.email} ({self.get_status_display()})"

    def set_new_token(self, now=None):
        """A fresh link (the old one stops working); returns the token for the e-mail."""
        now = now or timezone.now()
        token = new_token()
        self.token_hash = hash_token(token)
        self.sent_at = now
        self.expires_at = now + timedelta(days=INVITATION_VALID_DAYS)
        return token

    @property
    def is_expired(self):
        return self.status == self.Status.PENDING and self.expires_at <= timezone.now()

    @property
    def state(self):
        """What the patient's list shows: the status, with "expired" for dead invitations."""
        return "expired" if self.is_expired else self.status

    @property
    def state_display(self):
        return "Invitation expired" if self.is_expired else self.get_status_display()

    @property
    def can_be_revoked(self):
        return self.status in (self.Status.PENDING, self.Status.ACTIVE)


class AuditLog(models.Model):
    """One view of a patient's data by someone else. Rows are only ever added."""

    class What(models.TextChoices):
        RESULT = "result", "Result page"
        STATUS = "status", "Result status"
        SIGNAL = "signal", "Rhythm strip data"
        FILE = "file", "Uploaded file"
        REPORT = "report", "PDF report"
        HISTORY = "history", "List of results"
        PATIENTS = "patients", "List of patients"
        REVIEW = "review", "Review form"
        ADMIN = "admin", "Administration page"

    class Role(models.TextChoices):
        DOCTOR = "doctor", "Doctor you share with"
        STAFF = "staff", "Site administrator (support)"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    # Snapshots as well as links: the record must outlive the viewer's account and the
    # result that was viewed.
    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
        related_name="audit_views",
    )
    viewer_email = models.EmailField()
    viewer_role = models.CharField(max_length=8, choices=Role.choices)
    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="audit_entries"
    )
    diagnosis = models.ForeignKey(
        "diagnosis.Diagnosis", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="audit_entries",
    )
    diagnosis_ref = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="Id of the result viewed (kept if it is deleted)."
    )
    what = models.CharField(max_length=8, choices=What.choices)
    detail = models.CharField(max_length=255, blank=True)
    ip = models.GenericIPAddressField("IP address", null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "access log entry"
        verbose_name_plural = "access log"
        indexes = [
            models.Index(fields=["patient", "-at"], name="care_audit_patient"),
            models.Index(fields=["viewer", "-at"], name="care_audit_viewer"),
        ]

    def __str__(self):
        return f"{self.viewer_email} viewed {self.get_what_display()} of {self.patient_id}"
