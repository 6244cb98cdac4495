"""Rows the tests need, made the way the product leaves them: users (with a confirmed
address), two-factor set-up, diagnoses with their stored files, shares with doctors.

Fixtures that hand these out live in the conftest.py files; anything a test module imports
comes from here or from ``tests.inputs`` (the ECG inputs), never from a conftest.
"""
import base64
import hashlib
import hmac
import re
import struct
import time
from datetime import timedelta

import numpy as np
from django.utils import timezone

from sharing.models import Share, hash_token, new_token
from tests.inputs import beat_png

# --- Users ---------------------------------------------------------------------------------

PASSWORD = "correct horse battery staple 42"


def make_user(email, *, role="patient", verified_doctor=False, is_staff=False, **extra):
    """A user whose e-mail address is already confirmed, as after a finished sign-up."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(
        email=email, password=PASSWORD, role=role, is_staff=is_staff, **extra
    )
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    if verified_doctor:
        user.verify_as_doctor()
    return user


# allauth's one-time codes: 8 letters from RFC 8628's unambiguous alphabet, dashed 4-4.
CODE_RE = re.compile(r"\b[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}\b")


def code_in(message):
    """The one-time code in an e-mail (fails the test if there is none)."""
    match = CODE_RE.search(message.body)
    assert match, f"no code in the e-mail:\n{message.body}"
    return match.group(0)


def logged_in_user_id(client):
    """The id of the user the test client's session is signed in as, or None."""
    from django.contrib.auth import SESSION_KEY

    value = client.session.get(SESSION_KEY)
    return int(value) if value is not None else None


# --- Two-factor authentication -------------------------------------------------------------


def totp_now(secret_b32, at=None):
    """RFC 6238 code (SHA-1, 6 digits, 30 s), written out here rather than borrowed from
    allauth so the test checks allauth against the standard an authenticator app follows."""
    counter = int((at or time.time()) // 30)
    key = base64.b32decode(secret_b32, casefold=True)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def sign_in(client, user):
    from django.urls import reverse

    return client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})


def enable_totp(client, user):
    """Signs in, turns on TOTP the way a person does, and returns (secret, recovery codes)."""
    from django.urls import reverse

    sign_in(client, user)
    # Security settings ask for the password again, however recent the sign-in.
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    client.post(response["Location"], {"password": PASSWORD})
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = client.session["mfa.totp.secret"]
    assert secret in page.content.decode()  # shown for manual entry beside the QR code

    response = client.post(reverse("mfa_activate_totp"), {"code": totp_now(secret)})
    assert response.status_code == 302

    codes_page = client.get(reverse("mfa_view_recovery_codes")).content.decode()
    textarea = re.search(r"<textarea[^>]*>(.*?)</textarea>", codes_page, re.S).group(1)
    recovery_codes = textarea.split()
    return secret, recovery_codes


# --- Diagnoses -----------------------------------------------------------------------------


def make_diagnosis(owner, *, kind="image", status="done", label="N", when=None, **fields):
    """A diagnosis row with stored input files, as the worker would leave it (no model run).

    For signals: 60 s of a synthetic 360 Hz trace with one beat a second, beat 30 labelled
    V, and the trace file the plot reads.
    """
    from diagnosis import storage
    from diagnosis.models import Diagnosis, DiagnosisFile, SignalResult
    from diagnosis.trace import make_trace
    from ml.registry import CLASS_CODES

    when = when or timezone.now()
    probs = {c: (0.9 if c == label else 0.02) for c in CLASS_CODES}
    done = status == "done"
    base = dict(owner=owner, kind=kind, status=status, queued_at=when,
                input_format="png" if kind == "image" else "wfdb",
                original_name="beat.png" if kind == "image" else "100.hea + 100.dat",
                started_at=when if status in ("running", "done", "failed") else None,
                finished_at=when if status in ("done", "failed") else None,
                model_version="abc123def456" if done else "",
                label=label if done else "", probabilities=probs if done else None,
                confidence=0.9 if done else None,
                error_message="" if status != "failed" else "This image is blank.")
    fs, seconds = 360.0, 60
    if kind == "signal" and done:
        counts = {c: 0 for c in CLASS_CODES}
        counts["N"], counts["V"] = seconds - 1, 1
        base.update(counts=counts, beat_count=seconds, heart_rate_bpm=60.0, vf_episodes=[],
                    duration_s=float(seconds), fs=fs)
    base.update(fields)
    diagnosis = Diagnosis.objects.create(**base)
    stem = storage.new_stem()
    if kind == "image":
        name = storage.save_exact(storage.path_for(owner.pk, stem, "png"), beat_png())
        DiagnosisFile.objects.create(diagnosis=diagnosis, file=name, original_name="beat.png",
                                     content_type="image/png", size=len(beat_png()))
    else:
        for ext in ("hea", "dat"):
            content = (f"{stem} 1 360 {int(fs * seconds)}\n{stem}.dat 16 200 16 0 0 0 0 MLII\n"
                       .encode() if ext == "hea" else bytes(int(fs * seconds) * 2))
            name = storage.save_exact(storage.path_for(owner.pk, stem, ext), content)
            DiagnosisFile.objects.create(diagnosis=diagnosis, file=name,
                                         original_name=f"100.{ext}",
                                         content_type="text/plain", size=len(content))
    if kind == "signal" and done:
        t = np.arange(int(fs * seconds)) / fs
        samples = np.exp(-((t % 1.0) - 0.5) ** 2 / 0.0002)
        trace = make_trace(samples, fs)
        name = storage.save_exact(storage.path_for(owner.pk, storage.new_stem(), "trace"),
                                  trace.data)
        DiagnosisFile.objects.create(diagnosis=diagnosis, role="trace", file=name,
                                     content_type="application/octet-stream",
                                     size=len(trace.data))
        labels = ["V" if i == 30 else "N" for i in range(seconds)]
        SignalResult.objects.create(
            diagnosis=diagnosis, samples=[int((i + 0.5) * fs) for i in range(seconds)],
            labels=labels, confidences=[0.95] * seconds, trace_fs=trace.fs,
            trace_length=trace.length, trace_scale_mv=trace.scale_mv)
    return diagnosis


# --- Shares --------------------------------------------------------------------------------


def share_between(patient, doctor, *, status=Share.Status.ACTIVE, **fields):
    """A share as it is after the invitation flow (the flow itself is tested in
    tests/sharing/test_invitations.py)."""
    now = timezone.now()
    values = dict(patient=patient, email=doctor.email.lower(), doctor=doctor, status=status,
                  token_hash=hash_token(new_token()), expires_at=now + timedelta(days=14),
                  accepted_at=now if status == Share.Status.ACTIVE else None)
    values.update(fields)
    return Share.objects.create(**values)


# What a doctor gives when asking for a doctor account, as a form posts it.
DOCTOR_DETAILS = {
    "doctor_licence_number": "GMC 7654321",
    "doctor_country": "United Kingdom",
    "doctor_institution": "St Elsewhere Hospital",
}


def admin_login(client, user):
    """Sign ``client`` in as staff ``user`` the way the admin requires: the user has an
    authenticator app (TOTP) and this session used it (as allauth records a second factor)."""
    import time

    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP

    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, "JBSWY3DPEHPK3PXP")
    client.force_login(user)
    session = client.session
    session["account_authentication_methods_user"] = str(user.pk)
    session["account_authentication_methods"] = [
        {"method": "mfa", "type": "totp", "at": time.time()}]
    session.save()
    return client
