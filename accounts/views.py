from allauth.core import ratelimit
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from .forms import DeleteAccountForm, NotificationSettingsForm, ProfileForm


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    user = request.user
    was_doctor = user.is_doctor
    form = ProfileForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        if user.is_doctor and not was_doctor:
            messages.info(
                request,
                "Thank you. An administrator will check that you are a doctor; doctor "
                "features open once they have verified your account.",
            )
        messages.success(request, "Your profile has been saved.")
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request):
    user = request.user
    form = DeleteAccountForm(request.POST or None, user=user)
    if request.method == "POST":
        # Guessing the password here must be as slow as guessing it at sign-in.
        if not ratelimit.consume(request, action="reauthenticate", user=user):
            form.add_error(None, "Too many attempts. Please wait a minute and try again.")
        elif form.is_valid():
            # Everything the user owns (e-mail addresses, social logins, 2FA devices,
            # uploads and results) is tied to the user row with on_delete=CASCADE; the
            # diagnosis app removes the stored files in its post_delete handler.
            with transaction.atomic():
                logout(request)
                user.delete()
            messages.success(request, "Your account and all its data have been deleted.")
            return redirect("home")
    return render(request, "accounts/delete.html", {"form": form})


@login_required
def doctor_status(request):
    """Where a doctor sees whether an administrator has verified them yet."""
    return render(request, "accounts/doctor_status.html")


@login_required
@require_http_methods(["GET", "POST"])
def notification_settings(request):
    """The account's "E-mail notices" page: turn each kind of notice on or off."""
    # Unticking every box posts no field at all: the form is bound whenever it is posted.
    form = NotificationSettingsForm(request.POST if request.method == "POST" else None,
                                    instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your e-mail settings have been saved.")
        return redirect("accounts:notifications")
    return render(request, "accounts/notifications.html", {"form": form})
