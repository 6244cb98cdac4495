"""Access gates for doctor-only features.

``verified_doctor_required`` is the gate every doctor feature (the patients list, reviews)
puts in front of its views:

- not signed in: redirected to the sign-in page, then back;
- signed in as a patient, or as a doctor an administrator has not verified yet: HTTP 403
  with a page that says why and what to do (templates/accounts/doctor_required.html);
- a verified doctor: the view runs.

A 403 (not 404) is right here because the feature's existence is no secret; views that show
one patient's data still answer 404 to anyone without access to that patient.
"""
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import render


def verified_doctor_required(view_func):
    @wraps(view_func)
    @login_required
    def wrapper(request, *args, **kwargs):
        if request.user.is_verified_doctor:
            return view_func(request, *args, **kwargs)
        return render(request, "accounts/doctor_required.html", status=403)

    return wrapper
