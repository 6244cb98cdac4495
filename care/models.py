"""Doctors' reviews of diagnoses.

``Review``: one doctor's verdict on one diagnosis: agree with the model, or a corrected label
(one of the classes, or "not interpretable"). These rows are the feedback data that
``manage.py export_reviews`` turns into a training set.
"""
from django.conf import settings
from django.db import models
from django.utils import timezone

from ml.registry import CLASS_CODES, CLASS_NAMES

UNINTERPRETABLE = "uninterpretable"
REVIEW_LABEL_CHOICES = [
    *((code, f"{CLASS_NAMES[code]} ({code})") for code in CLASS_CODES),
    (UNINTERPRETABLE, "Not interpretable"),
]


class Review(models.Model):
    """A doctor's verdict on one diagnosis; a doctor has at most one per diagnosis (editing
    it replaces the verdict, ``updated_at`` says when)."""

    diagnosis = models.ForeignKey(
        "diagnosis.Diagnosis", on_delete=models.CASCADE, related_name="reviews"
    )
    # Kept when the doctor's account is deleted: the verdict stays useful training data.
    doctor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
        related_name="reviews",
    )
    original_label = models.CharField(
        max_length=2, blank=True, help_text="The model's finding when reviewed (empty if the "
        "analysis failed).",
    )
    reviewed_label = models.CharField(max_length=16, choices=REVIEW_LABEL_CHOICES)
    agrees = models.BooleanField(help_text="The doctor confirmed the model's finding.")
    notes = models.TextField(blank=True)
    model_version = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["diagnosis", "doctor"], name="care_one_review_each"),
        ]

    def __str__(self):
        return f"Review of diagnosis {self.diagnosis_id} by {self.doctor or 'a deleted account'}"

    @property
    def reviewed_label_name(self):
        if self.reviewed_label == UNINTERPRETABLE:
            return "Not interpretable"
        return CLASS_NAMES.get(self.reviewed_label, self.reviewed_label)

    @property
    def original_label_name(self):
        return CLASS_NAMES.get(self.original_label, "")


class BeatLabel(models.Model):
    """A doctor's label for one beat of a recording, part of their review.

    A beat is named by its R-peak sample index (at the diagnosis's sampling rate, as
    ``SignalResult.samples`` stores it) and labels are class codes or "uninterpretable",
    never positions in a list: a re-analysis or a new class order cannot shift them onto
    other beats. Only beats the doctor labelled differently from the model are stored.
    """

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="beat_labels")
    sample = models.PositiveBigIntegerField(help_text="The beat's R-peak sample index.")
    label = models.CharField(max_length=16, choices=REVIEW_LABEL_CHOICES)
    original_label = models.CharField(
        max_length=2, help_text="The model's label of this beat when the doctor relabelled it.",
    )

    class Meta:
        ordering = ["review", "sample"]
        constraints = [
            models.UniqueConstraint(fields=["review", "sample"], name="care_one_label_per_beat"),
        ]

    def __str__(self):
        return f"Beat at sample {self.sample}: {self.label} (model: {self.original_label})"
