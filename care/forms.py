from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from diagnosis.forms import DateRangeMixin, optional_date_field
from diagnosis.models import Diagnosis

from .models import REVIEW_LABEL_CHOICES, Review
from .workspace import needs_attention, reviewed_by


class PatientHistoryFilterForm(DateRangeMixin, forms.Form):
    abnormal = forms.BooleanField(label="Abnormal only", required=False)
    unreviewed = forms.BooleanField(label="Not yet reviewed by me", required=False)
    date_from = optional_date_field("From")
    date_to = optional_date_field("To")

    def filter(self, queryset, doctor):
        if not self.is_bound or not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data["abnormal"]:
            queryset = queryset.filter(needs_attention())
        if data["unreviewed"]:
            queryset = queryset.filter(
                status__in=[Diagnosis.Status.DONE, Diagnosis.Status.FAILED]
            ).exclude(reviewed_by(doctor))
        if data["date_from"]:
            queryset = queryset.filter(queued_at__date__gte=data["date_from"])
        if data["date_to"]:
            queryset = queryset.filter(queued_at__date__lte=data["date_to"])
        return queryset


class ReviewForm(forms.Form):
    AGREE, CORRECT = "agree", "correct"

    verdict = forms.ChoiceField(
        label="Your reading",
        choices=[(AGREE, "I agree with the finding"), (CORRECT, "I correct the finding")],
        widget=forms.RadioSelect,
    )
    label = forms.ChoiceField(
        label="Correct finding", required=False,
        choices=[("", "Choose…"), *REVIEW_LABEL_CHOICES],
        help_text="Only when you correct the finding.",
    )
    notes = forms.CharField(
        label="Notes for the patient", required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Plain language: the patient reads this on their result page.",
    )

    def __init__(self, *args, diagnosis, **kwargs):
        self.diagnosis = diagnosis
        super().__init__(*args, **kwargs)

    @classmethod
    def for_review(cls, diagnosis, review=None, data=None):
        initial = {}
        if review is not None:
            initial = {"verdict": cls.AGREE if review.agrees else cls.CORRECT,
                       "label": "" if review.agrees else review.reviewed_label,
                       "notes": review.notes}
        return cls(data, diagnosis=diagnosis, initial=initial)

    def clean(self):
        cleaned = super().clean()
        verdict, label = cleaned.get("verdict"), cleaned.get("label")
        model_label = self.diagnosis.label
        if verdict == self.AGREE and not model_label:
            raise ValidationError("This analysis failed, so there is no finding to agree "
                                  "with. Choose the correct finding instead.")
        if verdict == self.CORRECT:
            if not label:
                self.add_error("label", "Choose the correct finding.")
            elif label == model_label:
                self.add_error("label", "That is the model's own finding: choose “I agree” "
                                        "instead.")
        return cleaned

    def save(self, doctor):
        """Create or replace ``doctor``'s review of the diagnosis; returns it.

        ``is_news`` says afterwards whether the patient has something new to read: a first
        review, or another verdict or other notes (see care.notifications).
        """
        d = self.diagnosis
        before = (Review.objects.filter(diagnosis=d, doctor=doctor)
                  .values_list("reviewed_label", "agrees", "notes").first())
        agrees = self.cleaned_data["verdict"] == self.AGREE
        now = timezone.now()
        fields = {
            "original_label": d.label,
            "reviewed_label": d.label if agrees else self.cleaned_data["label"],
            "agrees": agrees,
            "notes": self.cleaned_data["notes"].strip(),
            "model_version": d.model_version,
            "updated_at": now,
        }
        review, _ = Review.objects.update_or_create(
            diagnosis=d, doctor=doctor, defaults=fields,
            create_defaults={**fields, "created_at": now},
        )
        self.is_news = before != (review.reviewed_label, review.agrees, review.notes)
        return review
