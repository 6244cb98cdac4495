import json

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from diagnosis.forms import DateRangeMixin, optional_date_field
from diagnosis.models import Diagnosis, SignalResult

from .models import REVIEW_LABEL_CHOICES, BeatLabel, Review
from .workspace import needs_attention, reviewed_by

LABEL_CODES = {code for code, _ in REVIEW_LABEL_CHOICES}
BEAT_LABELS_UNREADABLE = ("The beat labels could not be read. Reload the page and label the "
                          "beats again.")


class PatientHistoryFilterForm(DateRangeMixin, forms.Form):
    abnormal = forms.BooleanField(label="Abnormal only", required=False)
    unreviewed = forms.BooleanField(label="Not yet reviewed by me", required=False)
    date_from = optional_date_field("From")
    date_to = optional_date_field("To")

    def filter(self, queryset, doctor):
        """As HistoryFilterForm.filter: invalid filters show nothing, never everything."""
        if not self.is_bound:
            return queryset
        if not self.is_valid():
            return queryset.none()
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
    # The doctor's labels of single beats, as JSON {"<sample index>": "<code>"}: all of them,
    # replacing those saved before. The review page's strip fills it in (care_review.js);
    # a form that does not post it leaves the saved beat labels as they are.
    beat_labels = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, diagnosis, **kwargs):
        self.diagnosis = diagnosis
        super().__init__(*args, **kwargs)

    @classmethod
    def for_review(cls, diagnosis, review=None, data=None):
        initial = {"beat_labels": "{}"}
        if review is not None:
            initial = {"verdict": cls.AGREE if review.agrees else cls.CORRECT,
                       "label": "" if review.agrees else review.reviewed_label,
                       "notes": review.notes,
                       "beat_labels": json.dumps({str(b.sample): b.label
                                                  for b in review.beat_labels.all()})}
        return cls(data, diagnosis=diagnosis, initial=initial)

    def model_beat_labels(self):
        """{sample index: the model's class code} of the recording's beats ({} for a
        picture or a failed analysis)."""
        if not hasattr(self, "_model_beats"):
            row = (SignalResult.objects.filter(diagnosis=self.diagnosis)
                   .values_list("samples", "labels").first())
            self._model_beats = dict(zip(*row, strict=True)) if row else {}
        return self._model_beats

    def clean_beat_labels(self):
        """{sample: code} of the beats labelled differently from the model, or None when the
        form did not post the field."""
        if "beat_labels" not in self.data:
            return None
        text = self.cleaned_data["beat_labels"].strip()
        try:
            posted = json.loads(text) if text else {}
        except ValueError:
            raise ValidationError(BEAT_LABELS_UNREADABLE) from None
        if not isinstance(posted, dict):
            raise ValidationError(BEAT_LABELS_UNREADABLE)
        model = self.model_beat_labels()
        labels = {}
        for key, code in posted.items():
            try:
                sample = int(key)
            except (TypeError, ValueError):
                raise ValidationError(BEAT_LABELS_UNREADABLE) from None
            if sample not in model:
                raise ValidationError(f"There is no beat at sample {sample} in this recording: "
                                      "reload the page and label the beats again.")
            if code not in LABEL_CODES:
                raise ValidationError(f"{code!r} is not a beat label; choose one of the classes "
                                      "or “not interpretable”.")
            if code != model[sample]:
                labels[sample] = code
        return labels

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
        beats = self.cleaned_data.get("beat_labels")
        with transaction.atomic():
            review, _ = Review.objects.update_or_create(
                diagnosis=d, doctor=doctor, defaults=fields,
                create_defaults={**fields, "created_at": now},
            )
            if beats is not None:
                model = self.model_beat_labels()
                review.beat_labels.all().delete()
                BeatLabel.objects.bulk_create(
                    BeatLabel(review=review, sample=sample, label=code,
                              original_label=model[sample])
                    for sample, code in sorted(beats.items())
                )
        self.is_news = before != (review.reviewed_label, review.agrees, review.notes)
        return review
