"""Diagnosis pages. Every view that shows a diagnosis goes through
``Diagnosis.objects.visible_to(user)`` and answers 404 to anyone it does not cover."""
import csv

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from ecgsite.paging import page_context
from sharing import audit

from . import hooks, presenters, readings, services, trace
from .forms import HistoryFilterForm, RateForm, UploadForm
from .models import Diagnosis, DiagnosisFile, SignalResult
from .validators import UploadRejected, request_too_large


def _visible(request, pk):
    return get_object_or_404(Diagnosis.objects.visible_to(request.user), pk=pk)


def _wants_json(request):
    return "application/json" in request.headers.get("Accept", "")


# --- Upload -------------------------------------------------------------------------------


@login_required
@csrf_exempt  # CSRF is checked by _upload below, after the size check that must come first
def upload(request):
    if request.method == "POST":
        # Refuse an oversized body before it is read (the CSRF check would read it).
        message = request_too_large(request.META.get("CONTENT_LENGTH"))
        if message:
            return _upload_refused(request, UploadForm(), message, status=413)
        try:
            request.FILES  # noqa: B018 - parse the body here, where a bad one gets a message
        except (TooManyFilesSent, TooManyFieldsSent, RequestDataTooBig,
                MultiPartParserError) as exc:
            return _upload_refused(request, UploadForm(), _unreadable_body_message(exc))
    return _upload(request)


def _unreadable_body_message(exc):
    if isinstance(exc, TooManyFilesSent):
        return (f"This upload holds more than {settings.DATA_UPLOAD_MAX_NUMBER_FILES} files. "
                "Upload one record at a time: a picture, a signal file, or a WFDB header with "
                "its data files.")
    if isinstance(exc, RequestDataTooBig):
        return (f"This upload is too large; the limit is "
                f"{filesizeformat(settings.ECG_UPLOAD_MAX_BYTES)} per file.")
    return "The upload could not be read (the request was damaged). Please try again."


@csrf_protect
def _upload(request):
    form = UploadForm()
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES, rate_later=True)
        if not form.is_valid():
            errors = [e for field_errors in form.errors.values() for e in field_errors]
            return _upload_refused(request, form, " ".join(errors))
        try:
            diagnosis = services.submit_upload(
                request.user, form.cleaned_data["checked"], form.cleaned_data["sampling_rate"],
                seconds_shown=form.cleaned_data["seconds_shown"],
            )
        except UploadRejected as exc:
            return _upload_refused(request, form, str(exc), status=exc.status)
        if _wants_json(request):
            # ``?wait=<seconds>``: a picture's answer carries its result (upload page, API).
            diagnosis = services.picture_result(diagnosis, request.GET.get("wait"))
            return JsonResponse(presenters.status_json(diagnosis), status=201)
        return redirect(diagnosis)
    return render(request, "diagnosis/upload.html", presenters.upload_context(form))


def _upload_refused(request, form, message, status=400):
    if _wants_json(request):
        return JsonResponse({"error": message}, status=status)
    context = presenters.upload_context(form, error=message)
    return render(request, "diagnosis/upload.html", context, status=status)


# --- One diagnosis ---------------------------------------------------------------------------


@login_required
@never_cache
@require_GET
def result(request, pk):
    diagnosis = _visible(request, pk)
    audit.record(request, diagnosis, audit.What.RESULT)
    asks_rate = (diagnosis.status == Diagnosis.Status.NEEDS_RATE
                 and diagnosis.owner_id == request.user.pk)
    return render(request, "diagnosis/result.html", {
        **presenters.result_context(diagnosis, viewer=request.user),
        "panels": hooks.result_panels(request, diagnosis),
        "rate_form": RateForm() if asks_rate else None,
    })


@login_required
@never_cache
@require_GET
def status(request, pk):
    """The status; with ``?since=<status>&wait=<seconds>`` it answers when the status is no
    longer ``since`` or when the wait is over (long-polling, diagnosis/live.py)."""
    diagnosis = _visible(request, pk)
    audit.record(request, diagnosis, audit.What.STATUS)
    diagnosis = services.status_after(diagnosis, request.GET.get("since"),
                                      request.GET.get("wait"))
    if diagnosis is None:
        raise Http404("This result was deleted")
    return JsonResponse(presenters.status_json(diagnosis))


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def rate(request, pk):
    """The sampling rate of a kept CSV upload that did not give one; its owner only."""
    diagnosis = get_object_or_404(Diagnosis.objects.owned_by(request.user), pk=pk)
    if diagnosis.status != Diagnosis.Status.NEEDS_RATE:
        if _wants_json(request):
            return JsonResponse(presenters.status_json(diagnosis))
        return redirect(diagnosis)
    form = RateForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            if _wants_json(request):
                message = " ".join(form.errors.get("sampling_rate", ["Check the rate."]))
                return JsonResponse({"error": message}, status=400)
            return render(request, "diagnosis/rate.html",
                          {"diagnosis": diagnosis, "form": form}, status=400)
        diagnosis = services.give_rate(diagnosis, form.cleaned_data["sampling_rate"])
        if diagnosis is None:
            raise Http404("This result was deleted")
        if _wants_json(request):
            return JsonResponse(presenters.status_json(diagnosis))
        return redirect(diagnosis)
    return render(request, "diagnosis/rate.html", {"diagnosis": diagnosis, "form": form})


@login_required
@never_cache
@require_GET
def signal_page(request, pk):
    diagnosis = _visible(request, pk)
    result = SignalResult.objects.filter(diagnosis=diagnosis).first()
    trace_file = diagnosis.files.filter(role=DiagnosisFile.Role.TRACE).first()
    if result is None or trace_file is None:
        raise Http404("No signal plot for this diagnosis")
    try:
        page = int(request.GET.get("page", 0))
    except ValueError:
        page = 0
    audit.record(request, diagnosis, audit.What.SIGNAL, detail=f"page {page}")
    page_seconds = settings.ECG_PLOT_PAGE_SECONDS
    with default_storage.open(trace_file.file.name, "rb") as fh:
        data = trace.read_page(fh, result, page, page_seconds, diagnosis.fs,
                               diagnosis.vf_episodes)
    # Doctors' labels of single beats, keyed by sample index (JSON keys are strings).
    relabels = {str(sample): code for sample, code in
                hooks.beat_labels(request, diagnosis).items()}
    data["relabels"] = {str(s): relabels[str(s)] for s in data["samples"] if str(s) in relabels}
    if request.GET.get("overview"):
        data["overview"] = trace.overview(result, diagnosis.fs, diagnosis.duration_s,
                                          page_seconds, diagnosis.vf_episodes)
        data["overview"]["relabels"] = relabels
    return JsonResponse(data)


@login_required
@never_cache
@require_GET
def input_file(request, pk, file_pk):
    diagnosis = _visible(request, pk)
    stored = get_object_or_404(diagnosis.files, pk=file_pk, role=DiagnosisFile.Role.INPUT)
    audit.record(request, diagnosis, audit.What.FILE, detail=stored.original_name)
    response = FileResponse(
        default_storage.open(stored.file.name, "rb"),
        content_type=stored.content_type,
        as_attachment=not stored.is_image,
        filename=stored.original_name or stored.file.name.rsplit("/", 1)[-1],
    )
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@never_cache
@require_GET
def report(request, pk):
    from .pdf import render_report

    diagnosis = _visible(request, pk)
    if not diagnosis.is_finished:
        raise Http404("The report is ready when the analysis has finished")
    audit.record(request, diagnosis, audit.What.REPORT)
    response = HttpResponse(render_report(diagnosis, viewer=request.user),
                            content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="ecg-report-{diagnosis.pk}.pdf"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def delete(request, pk):
    diagnosis = get_object_or_404(Diagnosis.objects.owned_by(request.user), pk=pk)
    if request.method == "POST":
        diagnosis.delete()
        messages.success(request, "The result and its files were deleted.")
        return redirect("diagnosis:history")
    return render(request, "diagnosis/confirm_delete.html", {"diagnosis": diagnosis})


# --- History -------------------------------------------------------------------------------


def _history_queryset(request):
    form = HistoryFilterForm(request.GET or None)
    queryset = form.filter(Diagnosis.objects.owned_by(request.user))
    return form, queryset


@login_required
@require_GET
def history(request):
    form, queryset = _history_queryset(request)
    paging = page_context(request, queryset)
    diagnoses = paging["page"].object_list
    marks = hooks.history_marks(request, diagnoses)
    shown = readings.readings_of(diagnoses)
    return render(request, "diagnosis/history.html", {
        "form": form,
        **paging,
        "rows": [presenters.history_row(d, marks.get(d.pk, ()), shown[d.pk])
                 for d in diagnoses],
    })


@login_required
@never_cache
@require_GET
def history_csv(request):
    form, queryset = _history_queryset(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="ecg-history-{stamp}.csv"'
    writer = csv.writer(response)
    writer.writerow(presenters.CSV_HEADER)
    writer.writerows(presenters.csv_rows(queryset))
    return response

