"""Patients' side: invite a doctor, see and revoke shares, see who viewed their data; and
the page an invitation link opens."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Max
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.forms import DoctorRequestForm

from . import invitations
from .forms import InviteForm
from .models import INVITATION_VALID_DAYS, AuditLog

ACCESS_LOG_PAGE_SIZE = 50


@login_required
@require_http_methods(["GET", "POST"])
def index(request):
    form = InviteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            share, resent = invitations.invite(request.user, form.cleaned_data["email"],
                                                 request.build_absolute_uri)
        except invitations.SharingError as exc:
            form.add_error("email", str(exc))
        except OSError:  # the mail server refused or is down: nothing was saved
            form.add_error(None, "The invitation e-mail could not be sent. Please try again "
                                 "in a few minutes.")
        else:
            verb = "sent again to" if resent else "sent to"
            messages.success(request, f"Invitation {verb} {share.email}. The link works for "
                                      f"{(share.expires_at - share.sent_at).days} days.")
            return redirect("sharing:index")
    shares = invitations.shares_of(request.user)
    return render(request, "sharing/sharing.html", {
        "form": form,
        "current": [s for s in shares if s.state in ("active", "pending")],
        "past": [s for s in shares if s.state not in ("active", "pending")],
        "views_count": AuditLog.objects.filter(patient=request.user).count(),
        "valid_days": INVITATION_VALID_DAYS,
    }, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def revoke(request, pk):
    """Stopping a share asks first: GET (and a POST without ``confirm``) shows what ends; a
    POST with ``confirm`` ends it."""
    if request.method == "GET" or not request.POST.get("confirm"):
        share = invitations.share_of(request.user, pk)
        if share is None or not share.can_be_revoked:
            messages.error(request, "There is no such share.")
            return redirect("sharing:index")
        return render(request, "sharing/confirm_revoke.html", {"share": share})
    share = invitations.revoke(request.user, pk)
    if share is None:
        messages.error(request, "There is no such share.")
    elif share.doctor_id:
        messages.success(request, f"{share.doctor.display_name} can no longer see your "
                                  "results.")
    else:
        messages.success(request, f"The invitation to {share.email} was withdrawn; its link "
                                  "no longer works.")
    return redirect("sharing:index")


@login_required
@never_cache
def access_log(request):
    entries = AuditLog.objects.filter(patient=request.user)
    roles = dict(AuditLog.Role.choices)
    viewers = [
        {**v, "role": roles.get(v["viewer_role"], v["viewer_role"])}
        for v in entries.values("viewer_email", "viewer_role")
        .annotate(views=Count("pk"), last=Max("at")).order_by("-last")
    ]
    page = Paginator(entries, ACCESS_LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "sharing/access_log.html", {"viewers": viewers, "page": page})


# --- The invitation link -------------------------------------------------------------------


def _refused(request, share, exc):
    reason = getattr(exc, "reason", "unusable")
    return render(request, "sharing/invitation_refused.html", {
        "share": share, "message": str(exc), "reason": reason,
        "doctor_form": DoctorRequestForm(instance=request.user) if reason == "patient" else None,
    }, status=410 if isinstance(exc, invitations.InvitationUnusable) else 403)


@never_cache
@require_http_methods(["GET", "POST"])
def invitation(request, token):
    share = invitations.find_invitation(token)
    if share is None:
        return render(request, "sharing/invitation_invalid.html", status=404)
    user = request.user
    if share.status == share.Status.ACTIVE and user.is_authenticated \
            and share.doctor_id == user.pk:
        messages.info(request, "You have already accepted this invitation.")
        return redirect("doctors:patient", share.patient_id)
    try:
        if not user.is_authenticated:
            invitations.check_usable(share)
            return render(request, "sharing/invitation_signin.html", {
                "share": share, "here": request.get_full_path()})
        invitations.check_can_accept(share, user)
    except invitations.SharingError as exc:
        return _refused(request, share, exc)

    if request.method == "POST":
        if request.POST.get("action") == "decline":
            invitations.decline(share.pk, user)
            messages.info(request, "You declined the invitation.")
            return redirect("doctors:patients")
        share = invitations.accept(share.pk, user)
        messages.success(request, f"{share.patient.display_name} now shares their results "
                                  "with you.")
        return redirect("doctors:patient", share.patient_id)
    return render(request, "sharing/invitation.html", {"share": share})


@login_required
@require_POST
def request_doctor(request, token):
    """From an invitation page: a patient-role account asks to become a doctor, with the
    details an administrator checks (licence number, country, institution)."""
    share = invitations.find_invitation(token)
    if share is None:
        return render(request, "sharing/invitation_invalid.html", status=404)
    user = request.user
    if not user.is_doctor and user.pk != share.patient_id:
        form = DoctorRequestForm(request.POST, instance=user)
        if not form.is_valid():
            return render(request, "sharing/invitation_refused.html", {
                "share": share, "reason": "patient", "doctor_form": form,
                "message": "Please give the details below: an administrator checks them "
                           "before verifying a doctor account.",
            }, status=400)
        form.save()
        messages.info(request, "Thank you. An administrator will check that you are a doctor. "
                               "Open the invitation link again once your account is verified.")
    return redirect(reverse("sharing:invitation", args=[token]))
