"""The API's endpoints. Thin: access goes through Diagnosis.objects.visible_to and the share
rules, uploads through the upload form and diagnosis.services, reviews through care's form;
every read of another person's data is written to the access log (sharing.audit), as the
pages do."""
import json

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import filesizeformat
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from care import workspace
from care.forms import PatientHistoryFilterForm, ReviewForm
from care.models import Review
from diagnosis import services
from diagnosis.forms import HistoryFilterForm, UploadForm
from diagnosis.models import Diagnosis, SignalResult
from diagnosis.validators import UploadLimited, UploadRejected, request_too_large
from ml.errors import InputRejected
from ml.formats import arrays
from ml.registry import CLASS_CODES
from sharing import audit

from . import fhir, idempotency, presenters
from . import serializers as s
from .pagination import BeatPagination, HistoryPagination
from .permissions import IsVerifiedDoctor
from .problems import Problem
from .renderers import FHIRJSONRenderer, JSONRenderer, ProblemJSONRenderer
from .schema import problems
from .throttling import RequestRateThrottle, SubmitRateThrottle

VIA_API = "through the API"


def _visible(request, pk):
    return get_object_or_404(Diagnosis.objects.visible_to(request.user), pk=pk)


def _form_problem(form, code="invalid"):
    """A bound form's errors as a 400 problem (a field's messages under its name)."""
    errors = {field: list(messages) for field, messages in form.errors.items()}
    messages = [m for field_messages in errors.values() for m in field_messages]
    return Problem(" ".join(messages), code=code, errors=errors)


def _page(name, item):
    return type(name, (serializers.Serializer,), {
        "count": serializers.IntegerField(),
        "next": serializers.URLField(allow_null=True),
        "previous": serializers.URLField(allow_null=True),
        "results": item(many=True),
    })


HistoryPage = _page("HistoryPage", s.HistoryRowSerializer)
BeatPage = _page("BeatPage", s.BeatSerializer)

PAGE_PARAMETERS = [
    OpenApiParameter("page", int, description="Page number, from 1."),
    OpenApiParameter("page_size", int, description="Results per page (at most 100)."),
]
DATE_PARAMETERS = [
    OpenApiParameter("date_from", OpenApiTypes.DATE, description="Uploaded on or after."),
    OpenApiParameter("date_to", OpenApiTypes.DATE, description="Uploaded on or before."),
]
DIAGNOSIS_ID = OpenApiParameter("id", int, OpenApiParameter.PATH,
                                description="The diagnosis's id.")


class DiagnosisList(APIView):
    parser_classes = [JSONParser, MultiPartParser]
    throttle_classes = [RequestRateThrottle, SubmitRateThrottle]

    def initial(self, request, *args, **kwargs):
        # Before authentication: the session's CSRF check would read (parse) the body.
        if request.method == "POST":
            self._refuse_large_body(request)
        super().initial(request, *args, **kwargs)

    @staticmethod
    def _refuse_large_body(request):
        length = request.META.get("CONTENT_LENGTH")
        message = request_too_large(length)
        if not message and not request.content_type.startswith("multipart/"):
            limit = settings.ECG_UPLOAD_MAX_BYTES
            size = int(length) if (length or "").isdigit() else 0
            if size > limit:
                message = (f"This request is {filesizeformat(size)}; leads sent as JSON may "
                           f"take at most {filesizeformat(limit)}. Send a long recording as a "
                           "file instead.")
        if message:
            raise Problem(message, status_code=413, code="too_large")

    @extend_schema(
        operation_id="diagnoses_list",
        summary="Your history",
        description="Your own diagnoses, newest first, with the history page's filters.",
        parameters=[
            OpenApiParameter("label", str, enum=list(CLASS_CODES),
                             description="Only this finding (a class code)."),
            OpenApiParameter("status", str, enum=Diagnosis.Status.values),
            *DATE_PARAMETERS, *PAGE_PARAMETERS,
        ],
        responses={200: HistoryPage, **problems(400, 404)},
    )
    def get(self, request):
        form = HistoryFilterForm(request.query_params or None)
        if form.is_bound and not form.is_valid():
            raise _form_problem(form)
        queryset = form.filter(Diagnosis.objects.owned_by(request.user))
        paginator = HistoryPagination()
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(presenters.history_rows(request, page))

    @extend_schema(
        operation_id="diagnoses_create",
        summary="Submit an ECG",
        description=(
            "A file (multipart/form-data, as on the upload page) or leads of samples "
            "(application/json). The diagnosis is queued; follow links.status. Send "
            "an Idempotency-Key so that a retry does not create a second diagnosis."),
        parameters=[OpenApiParameter(
            idempotency.HEADER, str, OpenApiParameter.HEADER, required=False,
            description="Any text up to 255 printable ASCII characters, e.g. a UUID.")],
        request={"multipart/form-data": s.FileSubmissionSerializer,
                 "application/json": s.LeadsSubmissionSerializer},
        responses={
            201: OpenApiResponse(s.StatusSerializer, description="Queued."),
            200: OpenApiResponse(s.StatusSerializer, description=(
                "A retry: the diagnosis made by the first request with this Idempotency-Key "
                "(header Idempotent-Replayed: true).")),
            **problems(400, 413, 415, 422, 429),
        },
    )
    def post(self, request):
        key = idempotency.key_of(request)
        if request.content_type.startswith("multipart/form-data"):
            content_hash, submit = self._files(request)
        else:
            content_hash, submit = self._leads(request)
        try:
            diagnosis, replayed = idempotency.submit_once(request.user, key, content_hash,
                                                          submit)
        except UploadLimited as exc:
            # Over the person's upload limits (the same as the upload page's): a later retry
            # may pass, so it is a 429 like the API's own request limits.
            raise Problem(str(exc), status_code=429, code="upload_limited",
                          headers={"Retry-After": "60"}) from None
        except UploadRejected as exc:
            raise Problem(str(exc), code="upload_rejected") from None
        body = presenters.status(request, diagnosis)
        headers = {"Location": body["links"]["self"]}
        if replayed:
            headers["Idempotent-Replayed"] = "true"
        return Response(body, status=status.HTTP_200_OK if replayed else status.HTTP_201_CREATED,
                        headers=headers)

    def _files(self, request):
        """The upload form, as the upload page uses it."""
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            rejected = any(e.code == "rejected" for e in form.errors.as_data().get("__all__", []))
            raise _form_problem(form, "upload_rejected" if rejected else "invalid")
        checked, fs = form.cleaned_data["checked"], form.cleaned_data["sampling_rate"]
        seconds = form.cleaned_data["seconds_shown"]
        # The span joins the fingerprint only when given: retries without it match as before.
        spans = () if seconds is None else (f"seconds_shown={seconds!r}",)
        content_hash = idempotency.fingerprint(
            fs, *spans, *[x for p in checked.parts for x in (p.original_name, p.content)])
        return content_hash, lambda: services.submit_upload(request.user, checked, fs,
                                                            seconds_shown=seconds)

    def _leads(self, request):
        """Leads of samples: the JSON reader in ml.formats makes the Recording the worker
        reads, with the same checks as a recording read from a file."""
        serializer = s.LeadsSubmissionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        leads = [(lead["name"], lead["samples"]) for lead in data["leads"]]
        try:
            recording = arrays.from_leads(leads, data["sampling_rate"], data["units"])
        except InputRejected as exc:
            raise Problem(str(exc), code="upload_rejected") from None
        names = ", ".join(name for name, _ in leads)
        name = data.get("name") or f"Leads {names} sent through the API"
        content_hash = idempotency.fingerprint(json.dumps(request.data, sort_keys=True))
        return content_hash, lambda: services.submit_recording(request.user, recording, name)


class DiagnosisDetail(APIView):
    @extend_schema(operation_id="diagnosis_read", summary="A diagnosis and its result",
                   description="What the result page shows. Doctors the owner shares with "
                               "may read it too (the owner sees that in their access log).",
                   parameters=[DIAGNOSIS_ID],
                   responses={200: s.DiagnosisSerializer, **problems(404)})
    def get(self, request, pk):
        diagnosis = _visible(request, pk)
        audit.record(request, diagnosis, audit.What.RESULT, detail=VIA_API)
        return Response(presenters.detail(request, diagnosis))

    @extend_schema(operation_id="diagnosis_delete", summary="Delete a diagnosis",
                   description="The result and its files. Only the person who uploaded it.",
                   parameters=[DIAGNOSIS_ID],
                   responses={204: OpenApiResponse(description="Deleted."),
                              **problems(403, 404)})
    def delete(self, request, pk):
        diagnosis = _visible(request, pk)
        if diagnosis.owner_id != request.user.pk:
            raise exceptions.PermissionDenied(
                "Only the person who uploaded a result can delete it.")
        diagnosis.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class DiagnosisStatus(APIView):
    @extend_schema(operation_id="diagnosis_status", summary="Where a diagnosis is",
                   description="A light answer for polling: the status and the finding. "
                               "With `since` (the status last seen) and `wait` (seconds, at "
                               "most ECG_STATUS_MAX_WAIT_S) it answers as soon as the status "
                               "is no longer `since`, or when the wait is over "
                               "(long-polling: call it again at once with the new status).",
                   parameters=[DIAGNOSIS_ID,
                               OpenApiParameter("since", str,
                                                description="The status last seen."),
                               OpenApiParameter("wait", float,
                                                description="Seconds to wait for a change.")],
                   responses={200: s.StatusSerializer, **problems(404)})
    def get(self, request, pk):
        diagnosis = _visible(request, pk)
        audit.record(request, diagnosis, audit.What.STATUS, detail=VIA_API)
        diagnosis = services.status_after(diagnosis, request.query_params.get("since"),
                                          request.query_params.get("wait"))
        if diagnosis is None:
            raise exceptions.NotFound("This diagnosis was deleted.")
        return Response(presenters.status(request, diagnosis))


class DiagnosisBeats(APIView):
    @extend_schema(operation_id="diagnosis_beats", summary="Per-beat results of a recording",
                   description="Every beat found, in time order, with its class and "
                               "confidence; 500 a page unless page_size says otherwise.",
                   parameters=[DIAGNOSIS_ID,
                               OpenApiParameter("page", int, description="From 1."),
                               OpenApiParameter("page_size", int,
                                                description="Beats per page (at most 5000).")],
                   responses={200: BeatPage, **problems(404, 409)})
    def get(self, request, pk):
        diagnosis = _visible(request, pk)
        if diagnosis.kind != Diagnosis.Kind.SIGNAL:
            raise exceptions.NotFound("A beat picture has no per-beat results; recordings do.")
        if not diagnosis.is_finished:
            raise Problem("The per-beat results are there when the analysis has finished.",
                          status_code=409, code="not_finished")
        result = SignalResult.objects.filter(diagnosis=diagnosis).first()
        if result is None:
            raise exceptions.NotFound("This recording could not be analysed, so it has no "
                                      "per-beat results.")
        paginator = BeatPagination()
        indices = paginator.paginate_queryset(range(len(result.samples)), request, view=self)
        audit.record(request, diagnosis, audit.What.SIGNAL,
                     detail=f"beats page {paginator.page.number} {VIA_API}")
        rows = presenters.beats(result, diagnosis.fs, indices[0], len(indices)) if indices else []
        return paginator.get_paginated_response(rows)


class DiagnosisFHIR(APIView):
    renderer_classes = [FHIRJSONRenderer, JSONRenderer, ProblemJSONRenderer]

    @extend_schema(operation_id="diagnosis_fhir", summary="The result as a FHIR R4 Bundle",
                   description=fhir.__doc__, parameters=[DIAGNOSIS_ID],
                   responses={(200, "application/fhir+json"): OpenApiTypes.OBJECT,
                              **problems(404)})
    def get(self, request, pk):
        diagnosis = _visible(request, pk)
        audit.record(request, diagnosis, audit.What.REPORT, detail=f"FHIR bundle {VIA_API}")
        site = request.build_absolute_uri("/").rstrip("/")
        return Response(fhir.bundle(diagnosis, site))


class DiagnosisReview(APIView):
    permission_classes = [IsAuthenticated, IsVerifiedDoctor]

    def _reviewable(self, request, pk):
        diagnosis = _visible(request, pk)
        if not workspace.can_review(request.user, diagnosis):
            raise exceptions.NotFound("Only a doctor the patient shares with can review this "
                                      "result.")
        return diagnosis

    @extend_schema(operation_id="review_read", summary="Your review of a result",
                   parameters=[DIAGNOSIS_ID],
                   responses={200: s.ReviewSerializer, **problems(403, 404)})
    def get(self, request, pk):
        diagnosis = self._reviewable(request, pk)
        mine = Review.objects.filter(diagnosis=diagnosis, doctor=request.user).first()
        audit.record(request, diagnosis, audit.What.REVIEW, detail=VIA_API)
        if mine is None:
            raise exceptions.NotFound("You have not reviewed this result yet.")
        return Response(presenters.review(mine))

    @extend_schema(operation_id="review_write", summary="Review a result",
                   description="Agree with the finding, or correct it; replaces your earlier "
                               "review. The patient sees it on their result page.",
                   parameters=[DIAGNOSIS_ID], request=s.ReviewInputSerializer,
                   responses={200: s.ReviewSerializer, **problems(400, 403, 404, 409, 415)})
    def put(self, request, pk):
        diagnosis = self._reviewable(request, pk)
        if not diagnosis.is_finished:
            raise Problem("A result can be reviewed once its analysis has finished.",
                          status_code=409, code="not_finished")
        if not isinstance(request.data, dict):
            raise Problem("Send a JSON object with verdict, label and notes.", code="invalid")
        mine = Review.objects.filter(diagnosis=diagnosis, doctor=request.user).first()
        form = ReviewForm.for_review(diagnosis, mine, data=request.data)
        if not form.is_valid():
            raise _form_problem(form)
        review = form.save(request.user)
        audit.record(request, diagnosis, audit.What.REVIEW, detail=f"saved {VIA_API}")
        return Response(presenters.review(review))


class PatientList(APIView):
    permission_classes = [IsAuthenticated, IsVerifiedDoctor]

    @extend_schema(operation_id="patients_list", summary="Patients who share with you",
                   responses={200: s.PatientSerializer(many=True), **problems(403)})
    def get(self, request):
        return Response([presenters.patient(request, p)
                         for p in workspace.patients_of(request.user)])


class PatientDiagnoses(APIView):
    permission_classes = [IsAuthenticated, IsVerifiedDoctor]

    @extend_schema(
        operation_id="patient_diagnoses", summary="A patient's results",
        description="The results of a patient who shares with you, with the workspace's "
                    "filters.",
        parameters=[
            OpenApiParameter("patient_id", int, OpenApiParameter.PATH),
            OpenApiParameter("abnormal", bool, description="Only results needing attention."),
            OpenApiParameter("unreviewed", bool, description="Only those you have not "
                                                             "reviewed."),
            *DATE_PARAMETERS, *PAGE_PARAMETERS,
        ],
        responses={200: HistoryPage, **problems(400, 403, 404)})
    def get(self, request, patient_id):
        person = workspace.patient_for(request.user, patient_id)
        if person is None:
            raise exceptions.NotFound("No patient shares with you under this number.")
        form = PatientHistoryFilterForm(request.query_params or None)
        if form.is_bound and not form.is_valid():
            raise _form_problem(form)
        queryset = form.filter(workspace.history_of(person, request.user), request.user)
        paginator = HistoryPagination()
        page = paginator.paginate_queryset(queryset, request, view=self)
        audit.record(request, what=audit.What.HISTORY, patient=person,
                     detail=f"{VIA_API} {request.query_params.urlencode()}".strip())
        return paginator.get_paginated_response(presenters.history_rows(request, page))


class ClassList(APIView):
    permission_classes = [AllowAny]

    @extend_schema(operation_id="classes_list", summary="The beat classes",
                   description="The classes the model tells apart, from the class registry.",
                   responses={200: s.ClassSerializer(many=True), **problems(public=True)})
    def get(self, request):
        return Response(presenters.classes(request))


class ModelCard(APIView):
    permission_classes = [AllowAny]

    @extend_schema(operation_id="model_card", summary="The model card",
                   description="The figures measured on held-out data, from the card "
                               "shipped with the model.",
                   responses={200: s.ModelCardSerializer, **problems(public=True)})
    def get(self, request):
        return Response(presenters.model_card())


class NotFound(APIView):
    """Any other path under /api/: a problem, not the site's HTML 404 page."""

    permission_classes = [AllowAny]
    schema = None

    def handle(self, request, *args, **kwargs):
        raise exceptions.NotFound("There is no API endpoint here. The endpoints are listed "
                                  "at /api/v1/docs/.")

    get = post = put = patch = delete = head = options = handle
