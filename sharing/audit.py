"""The access log: who other than the patient looked at the patient's data.

Views that show patient data call ``record`` after the access check has passed and before
they answer. The owner's own views are not recorded. Failures are not swallowed: a view
whose access could not be logged does not answer.
"""
from allauth.account.adapter import get_adapter

from .models import AuditLog, Share

What = AuditLog.What


def _viewer_role(user, patient_id):
    """Why the viewer got in: a doctor through a share, otherwise staff support access."""
    if user.is_verified_doctor and Share.objects.active().filter(
        patient_id=patient_id, doctor=user
    ).exists():
        return AuditLog.Role.DOCTOR
    return AuditLog.Role.STAFF


def _client_ip(request):
    # allauth's adapter honours ALLAUTH_TRUSTED_PROXY_COUNT, as the rate limits do.
    try:
        return get_adapter(request).get_client_ip(request)
    except Exception:  # no usable address or a malformed X-Forwarded-For: log without it
        return None


def record(request, diagnosis=None, what=What.RESULT, *, patient=None, detail=""):
    """Log that ``request.user`` viewed ``diagnosis`` (or ``patient``'s data); returns the
    row, or None when the viewer is the patient themselves."""
    user = request.user
    patient_id = diagnosis.owner_id if diagnosis is not None else patient.pk
    if not user.is_authenticated or user.pk == patient_id:
        return None
    return AuditLog.objects.create(
        viewer=user,
        viewer_email=user.email,
        viewer_role=_viewer_role(user, patient_id),
        patient_id=patient_id,
        diagnosis=diagnosis,
        diagnosis_ref=diagnosis.pk if diagnosis is not None else None,
        what=what,
        detail=detail[:255],
        ip=_client_ip(request),
    )


def record_list(request, patient_ids, what, *, detail=""):
    """Log that ``request.user`` saw a list naming these patients (one row each; none for
    the viewer themselves); returns the rows."""
    user = request.user
    ids = sorted({pk for pk in patient_ids if pk is not None and pk != user.pk})
    if not user.is_authenticated or not ids:
        return []
    ip = _client_ip(request)
    return AuditLog.objects.bulk_create(
        AuditLog(viewer=user, viewer_email=user.email, viewer_role=_viewer_role(user, pk),
                 patient_id=pk, what=what, detail=detail[:255], ip=ip)
        for pk in ids
    )


def log_people_viewed_in_admin(sender, request, user_ids, detail="", **kwargs):
    """Receiver of accounts.signals.people_viewed_in_admin."""
    record_list(request, user_ids, What.ADMIN, detail=detail)
