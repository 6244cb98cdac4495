"""What the API takes and gives. The output serializers describe the dictionaries that
api.presenters builds (and so the schema); the input serializers check the shape of a request,
while what the values must be is checked by the same code as the upload form's."""
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from care.models import REVIEW_LABEL_CHOICES
from diagnosis.models import Diagnosis
from ml.formats import limits
from ml.registry import CLASS_CODES

from . import contract

# --- Input ---------------------------------------------------------------------------------


class FileSubmissionSerializer(serializers.Serializer):
    """multipart/form-data (documentation only: the upload form checks it)."""

    files = serializers.ListField(child=serializers.FileField(), help_text=contract.FILES)
    sampling_rate = serializers.FloatField(required=False, help_text=contract.SAMPLING_RATE_CSV)
    seconds_shown = serializers.FloatField(required=False, help_text=contract.SECONDS_SHOWN,
                                           min_value=limits.PICTURE_MIN_SECONDS,
                                           max_value=limits.PICTURE_MAX_SECONDS)


@extend_schema_field({"type": "array", "items": {"type": "number"}, "minItems": 1})
class SamplesField(serializers.Field):
    """A JSON array of numbers, checked by ml.formats.arrays (element by element in NumPy,
    not in Python: a recording has hundreds of thousands of samples)."""

    default_error_messages = {"not_a_list": "Expected a list of numbers."}

    def to_internal_value(self, data):
        if not isinstance(data, list):
            self.fail("not_a_list")
        return data

    def to_representation(self, value):
        return value


class LeadSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=40, help_text=contract.LEAD_NAME)
    samples = SamplesField(help_text=contract.LEAD_SAMPLES)


class LeadsSubmissionSerializer(serializers.Serializer):
    """application/json: leads of samples."""

    sampling_rate = serializers.FloatField(help_text=contract.SAMPLING_RATE)
    units = serializers.ChoiceField(choices=["mV", "uV", "µV", "V"], default="mV",
                                    help_text="Unit of every sample value.")
    name = serializers.CharField(required=False, allow_blank=True, max_length=120,
                                 help_text="Shown in the history (for example the device).")
    leads = LeadSerializer(many=True, help_text=contract.LEADS, min_length=1,
                           max_length=limits.ARRAYS_MAX_LEADS)


class ReviewInputSerializer(serializers.Serializer):
    """Documentation of the review body: care's ReviewForm checks it."""

    verdict = serializers.ChoiceField(choices=["agree", "correct"])
    label = serializers.ChoiceField(
        choices=[c for c, _ in REVIEW_LABEL_CHOICES], required=False, allow_blank=True,
        help_text="The correct finding, when the verdict is “correct”.")
    notes = serializers.CharField(required=False, allow_blank=True, max_length=2000,
                                  help_text="Plain language: the patient reads it.")


# --- Output --------------------------------------------------------------------------------


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details."""

    type = serializers.CharField(help_text="Always about:blank: see status and code.")
    title = serializers.CharField(help_text="The HTTP status phrase.")
    status = serializers.IntegerField()
    detail = serializers.CharField(help_text="What went wrong, for a person.")
    code = serializers.CharField(help_text="What went wrong, for a program.")
    instance = serializers.CharField(allow_null=True, help_text="The path requested.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False,
        help_text="Validation messages by field.")


class DiagnosisLinksSerializer(serializers.Serializer):
    self = serializers.URLField()
    status = serializers.URLField()
    beats = serializers.URLField(allow_null=True, help_text="Recordings only.")
    fhir = serializers.URLField()
    web = serializers.URLField(help_text="The result page on the site.")


class StatusSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Diagnosis.Status.choices)
    status_display = serializers.CharField()
    finished = serializers.BooleanField()
    queue_position = serializers.IntegerField(help_text="Uploads ahead of this one.")
    kind = serializers.ChoiceField(choices=Diagnosis.Kind.choices)
    name = serializers.CharField(help_text="The uploaded file's name (or the name given).")
    label = serializers.ChoiceField(choices=CLASS_CODES, allow_null=True,
                                    help_text="The finding: a class code (see /classes/).")
    label_name = serializers.CharField(allow_null=True)
    confidence = serializers.FloatField(allow_null=True, help_text="0 to 1.")
    low_confidence = serializers.BooleanField()
    error = serializers.CharField(allow_null=True, help_text="Why the analysis failed.")
    queued_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    links = DiagnosisLinksSerializer()


class ProbabilitySerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=CLASS_CODES)
    name = serializers.CharField()
    probability = serializers.FloatField()


class AdviceSerializer(serializers.Serializer):
    level = serializers.CharField(help_text="emergency, soon, routine, none or unclear.")
    label = serializers.CharField()
    headline = serializers.CharField()
    steps = serializers.ListField(child=serializers.CharField())


class HiddenSerializer(serializers.Serializer):
    name = serializers.CharField()
    share = serializers.FloatField()


class ReliabilitySerializer(serializers.Serializer):
    """How often this finding was right on held-out patients (from the model card)."""

    name = serializers.CharField()
    precision = serializers.FloatField()
    recall = serializers.FloatField()
    support = serializers.IntegerField()
    n = serializers.IntegerField()
    single_images = serializers.BooleanField()
    unreliable = serializers.BooleanField(help_text="Right less than half the time.")
    hidden = HiddenSerializer(many=True, help_text=(
        "Beat types the model often gave this finding's label instead of their own."))


class CountSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=CLASS_CODES)
    name = serializers.CharField()
    count = serializers.IntegerField()
    percent = serializers.FloatField()


class EpisodeSerializer(serializers.Serializer):
    start_s = serializers.FloatField()
    end_s = serializers.FloatField()


class RecordingSerializer(serializers.Serializer):
    duration_s = serializers.FloatField(allow_null=True)
    fs = serializers.FloatField(allow_null=True, help_text="Sampling rate of the recording.")
    beat_count = serializers.IntegerField(allow_null=True)
    heart_rate_bpm = serializers.FloatField(allow_null=True)
    counts = CountSerializer(many=True)
    vf_episodes = EpisodeSerializer(many=True)
    leads = serializers.ListField(child=serializers.CharField(), allow_null=True,
                                  help_text="Every lead read from the recording.")
    lead_used = serializers.CharField(
        allow_null=True, help_text="The main lead (heartbeats are found on it); every lead the "
                                   "model read is in leads_used.")


class ReviewSerializer(serializers.Serializer):
    doctor = serializers.CharField(allow_null=True)
    agrees = serializers.BooleanField()
    original_label = serializers.CharField(allow_blank=True)
    label = serializers.CharField(help_text="The doctor's finding (a class code, or "
                                            "“uninterpretable”).")
    label_name = serializers.CharField()
    notes = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class LearnSerializer(serializers.Serializer):
    title = serializers.CharField()
    url = serializers.URLField()


class DiagnosisSerializer(StatusSerializer):
    input_format = serializers.CharField()
    model_version = serializers.CharField(allow_blank=True)
    analysis_mode = serializers.CharField(
        allow_blank=True, help_text="How the input was analysed: “several leads” or “one lead” "
                                    "(a recording, by the recordings model), “picture” (by the "
                                    "image model); empty until analysed.")
    leads_used = serializers.ListField(
        child=serializers.CharField(),
        help_text="The standard leads the recordings model read (e.g. [\"II\", \"V1\"]); "
                  "empty for pictures.")
    seconds_shown = serializers.FloatField(
        allow_null=True,
        help_text="Pictures: the time span the trace shows as given with the upload (the "
                  "reader used it instead of judging the time scale); null when none was given, "
                  "and for recordings.")
    probabilities = ProbabilitySerializer(many=True)
    advice = AdviceSerializer(allow_null=True)
    reliability = ReliabilitySerializer(allow_null=True)
    recording = RecordingSerializer(allow_null=True, help_text="Recordings only.")
    reviews = ReviewSerializer(many=True)
    learn = LearnSerializer(allow_null=True)


class HistoryRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Diagnosis.Status.choices)
    kind = serializers.ChoiceField(choices=Diagnosis.Kind.choices)
    name = serializers.CharField()
    queued_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    label = serializers.ChoiceField(choices=CLASS_CODES, allow_null=True)
    label_name = serializers.CharField(allow_null=True)
    confidence = serializers.FloatField(allow_null=True)
    low_confidence = serializers.BooleanField()
    beat_count = serializers.IntegerField(allow_null=True)
    heart_rate_bpm = serializers.FloatField(allow_null=True)
    reviewed = serializers.ChoiceField(choices=["confirmed", "corrected"], allow_null=True,
                                       help_text="Whether a doctor confirmed or corrected it.")
    url = serializers.URLField()


class BeatSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    sample = serializers.IntegerField(help_text="R peak, in samples of the recording.")
    time_s = serializers.FloatField()
    label = serializers.ChoiceField(choices=CLASS_CODES)
    confidence = serializers.FloatField()


class PatientSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    email = serializers.EmailField()
    date_of_birth = serializers.DateField(allow_null=True)
    shared_since = serializers.DateTimeField(allow_null=True)
    result_count = serializers.IntegerField()
    last_upload = serializers.DateTimeField(allow_null=True)
    to_review = serializers.IntegerField(help_text="Results needing attention you have not "
                                                   "reviewed.")
    diagnoses = serializers.URLField()


class ClassSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    short_name = serializers.CharField()
    colour = serializers.CharField()
    urgency = serializers.CharField()
    snomed_code = serializers.CharField(allow_null=True)
    snomed_display = serializers.CharField(allow_null=True)
    article = serializers.URLField(allow_null=True)


class CardClassSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    f1 = serializers.FloatField(allow_null=True)
    precision = serializers.FloatField(allow_null=True)
    recall = serializers.FloatField(allow_null=True)
    support = serializers.IntegerField(allow_null=True)
    image_f1 = serializers.FloatField(allow_null=True)
    baseline_f1 = serializers.FloatField(allow_null=True)


class CardSplitSerializer(serializers.Serializer):
    key = serializers.CharField()
    description = serializers.CharField()
    model_version = serializers.CharField()
    n = serializers.IntegerField(allow_null=True)
    accuracy = serializers.FloatField(allow_null=True)
    macro_f1 = serializers.FloatField(allow_null=True)
    image_accuracy = serializers.FloatField(allow_null=True)
    image_macro_f1 = serializers.FloatField(allow_null=True)
    baseline_accuracy = serializers.FloatField(allow_null=True)
    baseline_macro_f1 = serializers.FloatField(allow_null=True)
    per_class = CardClassSerializer(many=True)


class ModeClassSerializer(serializers.Serializer):
    code = serializers.CharField()
    f1 = serializers.FloatField()
    precision = serializers.FloatField()
    recall = serializers.FloatField()
    beats = serializers.IntegerField(help_text="Test beats truly of this class.")
    patients = serializers.IntegerField(allow_null=True,
                                        help_text="Patients those beats came from.")


class ModeFiguresSerializer(serializers.Serializer):
    mode = serializers.ChoiceField(choices=["several leads", "one lead", "picture"])
    model_version = serializers.CharField(help_text="The model these figures describe: "
                                          "recordings and pictures are read by two models.")
    macro_f1 = serializers.FloatField(allow_null=True)
    split = serializers.CharField(help_text="Which patients the figures were measured on.")
    source = serializers.CharField(help_text='"cv": patient-grouped cross-validation; '
                                   '"inter": the inter-patient split.')
    per_class = ModeClassSerializer(many=True)


class ModelCardSerializer(serializers.Serializer):
    modes = ModeFiguresSerializer(many=True, help_text="Figures per kind of input, on patients "
                                  "the models never saw: what a result's reliability is read "
                                  "from.")
    status = serializers.ChoiceField(choices=["ok", "missing", "unreadable"])
    model_version = serializers.CharField(allow_blank=True)
    created = serializers.CharField(allow_null=True)
    splits = CardSplitSerializer(many=True)


@extend_schema_field(OpenApiTypes.OBJECT)
class FHIRBundleField(serializers.JSONField):
    pass
