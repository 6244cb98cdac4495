from django import forms
from django.core.exceptions import ValidationError

from ml.errors import InputRejected
from ml.formats import MAX_FS, MIN_FS, PICTURE_MAX_SECONDS, PICTURE_MIN_SECONDS, check_seconds
from ml.registry import CLASS_CODES, CLASS_NAMES

from .models import Diagnosis
from .validators import UploadRejected, check_upload

ACCEPT = ".png,.jpg,.jpeg,.bmp,.gif,.tif,.tiff,.hea,.dat,.zip,.csv,.edf"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class UploadForm(forms.Form):
    """One upload: one file, or a WFDB header with its data file(s).

    The page sends each selected file (or .hea/.dat pair) as its own request, so each gets
    its own progress bar and its own diagnosis.
    """

    files = MultipleFileField(
        label="ECG file(s)",
        allow_empty_file=True,  # refused by check_upload with a message naming the file
        widget=MultipleFileInput(attrs={"accept": ACCEPT, "multiple": True}),
    )
    sampling_rate = forms.FloatField(
        label="Sampling rate (Hz), for CSV files without a time column",
        required=False, min_value=1, max_value=10_000,
    )
    # Never required: people who upload a picture of one beat rarely know its span, and the
    # reader works without it (issue 15). Given, it replaces the reader's guess.
    seconds_shown = forms.FloatField(
        label="Seconds shown (optional)",
        required=False,
        help_text="For a picture of one beat: the time its trace spans from the left end to the "
                  "right end, if you know it (for example 0.8); fill it in before choosing the "
                  "pictures it applies to. Leave it empty if you do not know it: the picture is "
                  "read without it. Recordings carry their own time and ignore it.",
        error_messages={"invalid": "Seconds shown must be a number of seconds, for example 0.8, "
                                   "or left empty."},
        widget=forms.NumberInput(attrs={
            "step": "any", "inputmode": "decimal", "min": f"{PICTURE_MIN_SECONDS:g}",
            "max": f"{PICTURE_MAX_SECONDS:g}", "placeholder": "not known"}),
    )

    def __init__(self, *args, rate_later=False, **kwargs):
        """``rate_later``: a CSV file that does not give its rate is kept and its owner asked
        for the rate afterwards (the upload page); otherwise (the API) it is refused."""
        super().__init__(*args, **kwargs)
        self.rate_later = rate_later

    def clean_seconds_shown(self):
        """The span as the picture reader takes it (its range and message: ml.formats)."""
        value = self.cleaned_data["seconds_shown"]
        if value is None:
            return None
        try:
            return check_seconds(value)
        except InputRejected as exc:
            raise ValidationError(str(exc), code="seconds_shown") from None

    def clean(self):
        cleaned = super().clean()
        files = cleaned.get("files")
        if files is not None:  # [] when none was sent: check_upload says to choose one
            try:
                cleaned["checked"] = check_upload(files, fs=cleaned.get("sampling_rate"),
                                                  rate_later=self.rate_later)
            except UploadRejected as exc:
                raise ValidationError(str(exc), code="rejected") from None
            if cleaned["checked"].kind != Diagnosis.Kind.IMAGE:
                cleaned["seconds_shown"] = None  # a recording has its own time
        return cleaned


class RateForm(forms.Form):
    """The sampling rate of a kept CSV file that did not give one (Status.NEEDS_RATE)."""

    sampling_rate = forms.FloatField(
        label="Sampling rate (samples per second, Hz)",
        min_value=MIN_FS, max_value=MAX_FS,
        help_text="The recorder's settings or the export's documentation give it: for "
                  "example 250, 360, 500 or 512. A wrong rate gives wrong results.",
        error_messages={
            "required": "Enter the sampling rate, for example 360.",
            "invalid": "The sampling rate must be a number of samples per second, for "
                       "example 360.",
            "min_value": f"We analyse recordings sampled at {MIN_FS:g} to {MAX_FS:g} Hz; "
                         "%(limit_value)s Hz is the lowest.",
            "max_value": f"We analyse recordings sampled at {MIN_FS:g} to {MAX_FS:g} Hz; "
                         "%(limit_value)s Hz is the highest.",
        },
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )


STATUS_CHOICES = [("", "Any status"), *Diagnosis.Status.choices]
LABEL_CHOICES = [("", "Any finding"), *((c, CLASS_NAMES[c]) for c in CLASS_CODES)]


def optional_date_field(label):
    return forms.DateField(label=label, required=False,
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class DateRangeMixin:
    """For forms with optional ``date_from`` and ``date_to``: refuses a reversed range."""

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise ValidationError("“From” must not be after “To”.")
        return cleaned


class HistoryFilterForm(DateRangeMixin, forms.Form):
    label = forms.ChoiceField(label="Finding", choices=LABEL_CHOICES, required=False)
    status = forms.ChoiceField(choices=STATUS_CHOICES, required=False)
    date_from = forms.DateField(label="From", required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="To", required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))

    def filter(self, queryset):
        """``queryset`` narrowed by the filters: all of it if the form is unbound, none of it
        if the filters are invalid (the page shows why; a list that ignored them would look
        filtered and not be)."""
        if not self.is_bound:
            return queryset
        if not self.is_valid():
            return queryset.none()
        data = self.cleaned_data
        if data["label"]:
            queryset = queryset.filter(label=data["label"])
        if data["status"]:
            queryset = queryset.filter(status=data["status"])
        if data["date_from"]:
            queryset = queryset.filter(queued_at__date__gte=data["date_from"])
        if data["date_to"]:
            queryset = queryset.filter(queued_at__date__lte=data["date_to"])
        return queryset

