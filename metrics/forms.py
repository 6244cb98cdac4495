from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from diagnosis.forms import DateRangeMixin, optional_date_field

# The metrics page reads at most this much history at once (the queue-time percentiles are
# computed from every row in the range).
MAX_RANGE_DAYS = 366
DEFAULT_RANGE_DAYS = 30


class MetricsRangeForm(DateRangeMixin, forms.Form):
    date_from = optional_date_field("From")
    date_to = optional_date_field("To")

    def clean(self):
        cleaned = super().clean()
        end = cleaned.get("date_to") or timezone.localdate()
        start = cleaned.get("date_from") or end - timedelta(days=DEFAULT_RANGE_DAYS - 1)
        if start > end:
            raise ValidationError("“From” must not be after “To”.")
        if (end - start).days >= MAX_RANGE_DAYS:
            raise ValidationError(f"Choose at most {MAX_RANGE_DAYS} days.")
        cleaned["range"] = (start, end)
        return cleaned

    def dates(self):
        """The chosen (start, end), inclusive; the last 30 days when nothing valid was
        chosen."""
        if self.is_bound and self.is_valid():
            return self.cleaned_data["range"]
        today = timezone.localdate()
        return today - timedelta(days=DEFAULT_RANGE_DAYS - 1), today
