"""Personal API tokens, and the idempotency keys of API submissions.

A token is shown once, when it is created; only its SHA-256 is stored, so a copy of the
database holds no usable token. Tokens are random (256 bits), so a fast hash is enough: there
is nothing to guess that a slow hash would protect.
"""
import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

TOKEN_PREFIX = "ecg_"
# last_used_at is written at most this often per token, not on every request.
LAST_USED_RESOLUTION = timedelta(seconds=60)


def hash_secret(secret):
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def usable(self, now=None):
        now = now or timezone.now()
        return self.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now),
                           revoked_at__isnull=True)


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="What the owner uses it for.")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(max_length=16, editable=False,
                            help_text="The first characters, to tell tokens apart.")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "API token"

    def __str__(self):
        return f"{self.name} ({self.hint}…) of {self.user}"

    @classmethod
    def issue(cls, user, name, expires_at=None, now=None):
        """A new token for ``user``: returns (row, the secret to show once)."""
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, expires_at=expires_at,
                                   created_at=now or timezone.now(),
                                   key_hash=hash_secret(secret), hint=secret[:10])
        return token, secret

    @classmethod
    def find(cls, secret):
        """The token whose secret this is (revoked and expired ones too), or None."""
        return (cls.objects.select_related("user")
                .filter(key_hash=hash_secret(secret)).first())

    @property
    def is_expired(self):
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def state(self):
        if self.revoked_at:
            return "revoked"
        return "expired" if self.is_expired else "active"

    def revoke(self):
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])

    def touch(self, now=None):
        """Record a use (at most once per LAST_USED_RESOLUTION, with one UPDATE)."""
        now = now or timezone.now()
        if self.last_used_at and now - self.last_used_at < LAST_USED_RESOLUTION:
            return
        type(self).objects.filter(pk=self.pk).update(last_used_at=now)
        self.last_used_at = now


class IdempotencyKey(models.Model):
    """An ``Idempotency-Key`` a client sent with a submission, and the diagnosis it made.

    A retry with the same key (by the same user, with the same content, while the key is
    remembered) gets that diagnosis back instead of a second one. The row goes with its
    diagnosis.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the submitted content.")
    diagnosis = models.ForeignKey(
        "diagnosis.Diagnosis", on_delete=models.CASCADE, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "key"], name="api_one_row_per_key"),
        ]

    def __str__(self):
        return f"Idempotency key {self.key!r} of user {self.owner_id}"
