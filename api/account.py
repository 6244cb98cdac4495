"""The account page's API tokens: create (shown once), list with their last use, revoke.

A user with two-factor authentication creates a token only after a fresh 2FA check: a token
is a lasting credential that skips sign-in and its second factor, so a stolen session must
not be enough to make one. Without a recent check the request is put aside, the user enters
a code on allauth's reauthentication page, and allauth then replays the request here.
"""
import time

from allauth.account import app_settings as account_settings
from allauth.account.authentication import get_authentication_records
from allauth.account.internal.flows.reauthentication import suspend_request
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from .forms import TokenForm
from .models import ApiToken

NEW_SECRET_SESSION_KEY = "api_token_secret"


def fresh_second_factor(request):
    """True when the user has no 2FA, or has entered a 2FA code to re-authenticate within
    allauth's reauthentication timeout (ACCOUNT_REAUTHENTICATION_TIMEOUT)."""
    if not is_mfa_enabled(request.user):
        return True
    now = time.time()
    return any(
        r.get("method") == "mfa" and r.get("reauthenticated")
        and now - r.get("at", 0) < account_settings.REAUTHENTICATION_TIMEOUT
        for r in get_authentication_records(request, request.user)
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def tokens(request):
    form = TokenForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST":
        if not fresh_second_factor(request):
            return suspend_request(request, reverse("mfa_reauthenticate"))
        if form.is_valid():
            token, secret = form.save()
            # Shown once, on the next page (not kept anywhere else).
            request.session[NEW_SECRET_SESSION_KEY] = {"id": token.pk, "secret": secret}
            return redirect("api_tokens:index")
    new = request.session.pop(NEW_SECRET_SESSION_KEY, None)
    return render(request, "api/tokens.html", {
        "form": form,
        "tokens": ApiToken.objects.filter(user=request.user),
        "new": new,
        "needs_2fa": is_mfa_enabled(request.user) and not fresh_second_factor(request),
    }, status=400 if form.errors else 200)


@login_required
@require_POST
def revoke(request, pk):
    token = get_object_or_404(ApiToken.objects.filter(user=request.user), pk=pk)
    token.revoke()
    messages.success(request, f"The token “{token.name}” was revoked; requests with it are "
                              "refused from now on.")
    return redirect("api_tokens:index")
