"""The site's own notices by e-mail (allauth sends the account mails: codes, password reset).

Every notice follows the same rules:

- it goes to one user, only while their preference for that kind of notice is on (fields
  ``email_*`` of the User, all on by default, turned off on the "E-mail notices" page);
- it is sent after the transaction that caused it commits (``transaction.on_commit``): a
  rolled-back review or upload sends nothing;
- sending never breaks what caused it: a mail server that is down or slow (EMAIL_TIMEOUT) is
  logged, and the request or the worker's task carries on;
- it carries no health data: no finding, no patient's name, only a link to the page, which
  needs signing in (e-mail travels and is stored in the clear);
- headers are built from single-line text: line breaks in a name cannot add a header.

Apps above accounts word their notices in their own templates and call ``notify``.
"""
import logging
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

logger = logging.getLogger(__name__)

# Kinds of notice: the User field that turns each on or off.
PATIENT_RESULTS = "email_patient_results"
REVIEWS = "email_reviews"
DOCTOR_VERIFIED = "email_doctor_verified"


def site_url(path):
    """An absolute link for an e-mail sent outside a request (the worker, the admin)."""
    protocol = getattr(settings, "ACCOUNT_DEFAULT_HTTP_PROTOCOL", "http")
    return f"{protocol}://{settings.SITE_DOMAIN}{path}"


def one_line(text):
    """``text`` with every run of white space, line breaks included, made one space."""
    return " ".join(str(text).split())


def notify(user, kind, template, context=None):
    """E-mail ``user`` the notice ``template`` (``<template>_subject.txt`` and
    ``<template>_message.txt``) once the current transaction commits, if they want this
    ``kind`` of notice; returns whether it was queued."""
    if not (user.is_active and user.email and getattr(user, kind)):
        return False
    context = {
        "SITE_NAME": settings.SITE_NAME,
        "settings_link": site_url(reverse("accounts:notifications")),
        **(context or {}),
    }
    transaction.on_commit(partial(_send, user.pk, user.email, template, context), robust=True)
    return True


def _send(user_id, address, template, context):
    try:
        subject = render_to_string(f"{template}_subject.txt", context)
        body = render_to_string(f"{template}_message.txt", context)
        send_mail(one_line(settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject), body, None,
                  [address])
    except Exception:  # any mail or template failure: the cause of the notice stands
        logger.exception("The %s notice to user %s could not be sent", template, user_id)


def doctor_verified(user):
    """Tell ``user`` that an administrator verified their doctor account."""
    return notify(user, DOCTOR_VERIFIED, "accounts/email/doctor_verified", {
        "name": user.get_full_name(),
        "link": site_url(reverse("accounts:doctor_status")),
    })
