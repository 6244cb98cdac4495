"""The doctor's workspace: the patients who share with them, each patient's results with
filters, and the review form. Every view is behind ``verified_doctor_required``; a patient
who does not share with the doctor (any more) is a 404."""
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.decorators import verified_doctor_required
from diagnosis import presenters
from diagnosis.models import Diagnosis
from diagnosis.reliability import finding_reliability
from ecgsite.paging import page_context
from ml.registry import CLASS_NAMES
from sharing import audit, invitations
from sharing.models import Share

from . import notifications, workspace
from .forms import PatientHistoryFilterForm, ReviewForm
from .models import REVIEW_LABEL_CHOICES, Review


@verified_doctor_required
@never_cache
def patients(request):
    patients = list(workspace.patients_of(request.user))
    audit.record_list(request, [p.pk for p in patients], audit.What.PATIENTS)
    for person in patients:
        person.urgent = workspace.triage_label(person)
    return render(request, "care/patients.html", {
        "patients": patients,
        "invitations": invitations.pending_for(request.user),
    })


@verified_doctor_required
@never_cache
def patient(request, patient_id):
    person = workspace.patient_for(request.user, patient_id)
    if person is None:
        raise Http404("No patient shares with you under this number")
    form = PatientHistoryFilterForm(request.GET or None)
    queryset = form.filter(workspace.history_of(person, request.user), request.user)
    audit.record(request, what=audit.What.HISTORY, patient=person,
                 detail=request.GET.urlencode())
    return render(request, "care/patient.html", {
        "patient": person, "form": form,
        "share": Share.objects.between(person, request.user).first(),
        **page_context(request, queryset),
    })


def _reviewable(request, pk):
    """The diagnosis if this doctor may review it (an active share from its owner)."""
    diagnosis = get_object_or_404(Diagnosis.objects.visible_to(request.user), pk=pk)
    if not workspace.can_review(request.user, diagnosis):
        raise Http404("Only a doctor the patient shares with can review this result")
    return diagnosis


@verified_doctor_required
@never_cache
@require_http_methods(["GET", "POST"])
def review(request, pk):
    diagnosis = _reviewable(request, pk)
    mine = Review.objects.filter(diagnosis=diagnosis, doctor=request.user).first()
    form = ReviewForm.for_review(diagnosis, mine,
                                 request.POST if request.method == "POST" else None)
    if not diagnosis.is_finished:
        form = None
    elif request.method == "POST" and form.is_valid():
        saved = form.save(request.user)
        if form.is_news:
            notifications.review_posted(saved)
        messages.success(request, "Your review was saved; the patient sees it on their result "
                                  "page.")
        return redirect(diagnosis)
    audit.record(request, diagnosis, audit.What.REVIEW)
    return render(request, "care/review.html", {
        "diagnosis": diagnosis, "form": form, "review": mine,
        "reliability": finding_reliability(diagnosis),
        # The ECG itself: the strip of a recording, or the uploaded picture.
        "has_plot": presenters.has_plot(diagnosis),
        "plot": presenters.plot_config(diagnosis),
        "class_names": CLASS_NAMES,
        "inputs": diagnosis.input_files,
        "label_choices": REVIEW_LABEL_CHOICES,
        "my_beat_labels": _beat_label_rows(diagnosis, mine),
        "for_doctor": True,  # only verified doctors get here: no "ask a doctor" advice
    }, status=400 if form is not None and form.errors else 200)


def _beat_label_rows(diagnosis, review):
    """The beats ``review`` labelled, in time order, as the review page lists them."""
    if review is None or not diagnosis.fs:
        return []
    names = dict(REVIEW_LABEL_CHOICES)
    return [{"time": presenters.clock(b.sample / diagnosis.fs),
             "seconds": round(b.sample / diagnosis.fs, 2),
             "model": names.get(b.original_label, b.original_label),
             "label": names.get(b.label, b.label)}
            for b in review.beat_labels.all()]


@verified_doctor_required
@require_POST
def answer_invitation(request, pk):
    """Accept or decline an invitation listed in the workspace (addressed to one of the
    doctor's confirmed addresses)."""
    share = get_object_or_404(invitations.pending_for(request.user), pk=pk)
    try:
        if request.POST.get("action") == "decline":
            invitations.decline(share.pk, request.user)
            messages.info(request, "You declined the invitation.")
            return redirect("doctors:patients")
        share = invitations.accept(share.pk, request.user)
    except invitations.SharingError as exc:
        messages.error(request, str(exc))
        return redirect("doctors:patients")
    messages.success(request, f"{share.patient.display_name} now shares their results with "
                              "you.")
    return redirect("doctors:patient", share.patient_id)
