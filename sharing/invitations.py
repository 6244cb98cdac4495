"""What patients and doctors do with shares: invite, accept, decline, revoke.

An invitation is sent to an e-mail address. It can be accepted only by a doctor verified by
an administrator, signed in with an account that has confirmed that address, before the
link expires, and only once. Revoking ends access at once: the access rule reads the
share on every request.
"""
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .models import Share, hash_token

# A patient can send this many invitations (new or re-sent) per day: enough for anybody's
# doctors, too few to use the site as a mail cannon.
INVITATIONS_PER_DAY = 20


class SharingError(Exception):
    """Something the person asked for that cannot be done; the message says why."""


class InvitationUnusable(SharingError):
    """The link is expired, already used or withdrawn (HTTP 410)."""


class NotAllowedToAccept(SharingError):
    """This account may not accept (HTTP 403); ``reason`` picks the explanation shown."""

    def __init__(self, message, reason):
        super().__init__(message)
        self.reason = reason


def normalise(email):
    return email.strip().lower()


def addresses_of(user):
    """The confirmed e-mail addresses of ``user`` (lower case)."""
    return {
        normalise(e) for e in
        EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    }


def account_for(email):
    """The account that owns ``email`` (as a confirmed or primary address), or None."""
    User = get_user_model()
    confirmed = EmailAddress.objects.filter(email__iexact=email, verified=True).first()
    if confirmed is not None:
        return confirmed.user
    return User.objects.filter(email__iexact=email).first()


# --- Patient side ------------------------------------------------------------------------


def invite(patient, email, build_url):
    """Invite ``email``; returns (share, was_resent). ``build_url(path)`` makes absolute links.

    The e-mail is sent inside the transaction: if sending fails, no invitation is left
    behind and the patient is told to try again.
    """
    email = normalise(email)
    now = timezone.now()
    if email == normalise(patient.email) or email in addresses_of(patient):
        raise SharingError("That is your own address. Enter your doctor's e-mail address.")
    recipient = account_for(email)
    if recipient is not None and Share.objects.between(patient, recipient).exists():
        raise SharingError(f"You already share your results with {email}.")
    sent_today = Share.objects.filter(patient=patient, sent_at__gte=now - timedelta(days=1))
    if sent_today.count() >= INVITATIONS_PER_DAY:
        raise SharingError(
            "You have sent many invitations today. Please try again tomorrow."
        )
    with transaction.atomic():
        share = (Share.objects.select_for_update()
                 .filter(patient=patient, email=email, status=Share.Status.PENDING).first())
        resent = share is not None
        if share is None:
            share = Share(patient=patient, email=email, created_at=now)
        token = share.set_new_token(now)
        share.save()
        _send_invitation(share, token, recipient, build_url)
    return share, resent


def _send_invitation(share, token, recipient, build_url):
    link = build_url(reverse("sharing:invitation", args=[token]))
    context = {
        "share": share,
        "patient_name": share.patient.display_name,
        "link": link,
        "signup_link": build_url(reverse("account_signup") + "?next=" +
                                 reverse("sharing:invitation", args=[token])),
        "recipient": recipient,
        "is_doctor": recipient is not None and recipient.is_verified_doctor,
        "days": (share.expires_at - share.sent_at).days,
        "SITE_NAME": settings.SITE_NAME,
    }
    template = "known" if recipient is not None else "signup"
    # One line: a name with a line break in it (from an old profile, or the admin) must not
    # become a header of its own (send_mail refuses that with BadHeaderError).
    subject = " ".join(render_to_string("sharing/email/invitation_subject.txt", context).split())
    body = render_to_string(f"sharing/email/invitation_{template}.txt", context)
    send_mail(settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject, body, None, [share.email])


def share_of(patient, share_id):
    """The patient's share ``share_id``, or None when they have no such share."""
    return Share.objects.select_related("doctor").filter(pk=share_id, patient=patient).first()


def revoke(patient, share_id):
    """End a share or withdraw an invitation; the doctor loses access with their next
    request. Returns the share, or None if the patient has no such share."""
    with transaction.atomic():
        share = (Share.objects.select_for_update()
                 .filter(pk=share_id, patient=patient).first())
        if share is None:
            return None
        if share.can_be_revoked:
            share.status = Share.Status.REVOKED
            share.ended_at = timezone.now()
            share.save(update_fields=["status", "ended_at"])
    return share


# --- Doctor side -------------------------------------------------------------------------


def find_invitation(token):
    """The share a link's token belongs to, or None (never issued, or replaced by a newer
    link)."""
    if not token:
        return None
    return Share.objects.select_related("patient").filter(token_hash=hash_token(token)).first()


def check_usable(share):
    """Raise InvitationUnusable unless the invitation can still be accepted."""
    if share.status == Share.Status.ACTIVE:
        raise InvitationUnusable("This invitation has already been accepted; a link works "
                                 "only once.")
    if share.status in (Share.Status.REVOKED, Share.Status.DECLINED):
        raise InvitationUnusable("This invitation was withdrawn or declined.")
    if share.is_expired:
        raise InvitationUnusable("This invitation has expired. Ask the patient to send a "
                                 "new one from their sharing page.")


def check_can_accept(share, user):
    """Raise unless ``user`` may accept ``share`` (which must be usable)."""
    check_usable(share)
    if user.pk == share.patient_id:
        raise NotAllowedToAccept("You cannot accept your own invitation.", "self")
    if not user.is_doctor:
        raise NotAllowedToAccept(
            "Only doctors can accept invitations, and your account is a patient account.",
            "patient",
        )
    if not user.is_verified_doctor:
        raise NotAllowedToAccept(
            "Your doctor account is awaiting verification by an administrator. You can "
            "accept once it is verified.", "unverified",
        )
    if share.email not in addresses_of(user):
        raise NotAllowedToAccept(
            f"This invitation was sent to {share.email}. Sign in with the account that uses "
            "that address, or add and confirm it under E-mail addresses in your account.",
            "address",
        )


def accept(share_id, user):
    """Make the invitation an active share for doctor ``user``; returns the share."""
    with transaction.atomic():
        share = Share.objects.select_for_update().get(pk=share_id)
        check_can_accept(share, user)
        existing = Share.objects.between(share.patient_id, user).first()
        if existing is not None:
            # A second invitation to another address of the same doctor: nothing to add.
            share.delete()
            return existing
        share.status = Share.Status.ACTIVE
        share.doctor = user
        share.accepted_at = timezone.now()
        share.save(update_fields=["status", "doctor", "accepted_at"])
    return share


def decline(share_id, user):
    with transaction.atomic():
        share = Share.objects.select_for_update().get(pk=share_id)
        check_can_accept(share, user)
        share.status = Share.Status.DECLINED
        share.doctor = user
        share.ended_at = timezone.now()
        share.save(update_fields=["status", "doctor", "ended_at"])
    return share


def pending_for(doctor):
    """Invitations addressed to any confirmed address of ``doctor``, still open."""
    addresses = addresses_of(doctor)
    return (Share.objects.pending().filter(email__in=addresses)
            .exclude(patient=doctor).select_related("patient"))


def shares_of(patient):
    return Share.objects.filter(patient=patient).select_related("doctor")
