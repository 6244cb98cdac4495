"""Who may enter the Django admin: active staff who have an authenticator app (TOTP) and used
a second factor in this session. Staff without one are sent to set it up; staff who signed in
without it (a session from before they set it up) confirm with a code first."""
from functools import wraps

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode


def has_totp(user):
    return is_mfa_enabled(user, types=[Authenticator.Type.TOTP])


def second_factor_used(request):
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)


def may_enter_admin(request):
    """admin.site.has_permission: staff with TOTP who used a second factor in this session."""
    user = request.user
    return (user.is_active and user.is_staff and has_totp(user)
            and second_factor_used(request))


def require_second_factor(login_view):
    """Wraps the admin's login view: staff lacking the second factor are sent where they get
    it; everybody else gets the login view as before."""

    @wraps(login_view)
    def view(request, extra_context=None):
        user = request.user
        if user.is_authenticated and user.is_active and user.is_staff \
                and not may_enter_admin(request):
            if not has_totp(user):
                messages.warning(request, "The administration requires two-factor "
                                          "authentication: set up an authenticator app first.")
                return redirect("mfa_activate_totp")
            wanted = request.GET.get("next", "")
            if not url_has_allowed_host_and_scheme(wanted, {request.get_host()},
                                                   require_https=request.is_secure()):
                wanted = reverse("admin:index")
            messages.info(request, "Enter a code from your authenticator app to open the "
                                   "administration.")
            return redirect(f"{reverse('mfa_reauthenticate')}?{urlencode({'next': wanted})}")
        return login_view(request, extra_context)

    return view
