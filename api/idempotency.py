"""Idempotency keys on submissions: a client that retries a request (after a timeout, a lost
connection) with the same ``Idempotency-Key`` gets the diagnosis its first request made.

The key's row is inserted first, in the transaction that creates the diagnosis: a second
request with the same key waits on the unique index until the first commits, then finds its
row (or, if the first failed and rolled back, makes the diagnosis itself). So two concurrent
retries never create two diagnoses.
"""
import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from diagnosis import storage

from .models import IdempotencyKey
from .problems import Problem

HEADER = "Idempotency-Key"
MAX_LENGTH = 255


def key_of(request):
    """The request's idempotency key, or None; a malformed one is a 400."""
    key = request.headers.get(HEADER)
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > MAX_LENGTH or not key.isprintable() or not key.isascii():
        raise Problem(f"The {HEADER} header must be 1 to {MAX_LENGTH} printable ASCII "
                      "characters (a UUID is a good choice).", code="invalid_idempotency_key")
    return key


def fingerprint(*parts):
    """SHA-256 over the submitted content (bytes or text), to tell a retry from a reuse."""
    digest = hashlib.sha256()
    for part in parts:
        data = part if isinstance(part, bytes) else str(part).encode("utf-8")
        digest.update(hashlib.sha256(data).digest())
    return digest.hexdigest()


def submit_once(owner, key, content_hash, submit):
    """``submit()`` unless ``key`` already made a diagnosis; returns (diagnosis, replayed)."""
    if key is None:
        return submit(), False
    stored = []
    try:
        with transaction.atomic():
            cutoff = timezone.now() - timedelta(hours=settings.ECG_API_IDEMPOTENCY_HOURS)
            IdempotencyKey.objects.filter(owner=owner, key=key, created_at__lt=cutoff).delete()
            row, created = IdempotencyKey.objects.select_related("diagnosis").get_or_create(
                owner=owner, key=key, defaults={"fingerprint": content_hash})
            if not created:
                if row.fingerprint != content_hash:
                    raise Problem(
                        f"This {HEADER} was already used for a different submission. Use a "
                        "new key for new content.", status_code=422,
                        code="idempotency_key_reused")
                return row.diagnosis, True
            diagnosis = submit()
            stored = [f.file.name for f in diagnosis.files.all()]
            row.diagnosis = diagnosis
            row.save(update_fields=["diagnosis"])
    except BaseException:
        # The diagnosis row went with the rolled-back transaction: its files go too.
        storage.delete_quietly(stored)
        raise
    return diagnosis, False
