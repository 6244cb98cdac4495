from django.apps import AppConfig


class SharingConfig(AppConfig):
    """Patients sharing results with doctors (invitations, shares) and the access log: what
    the access rule for patient data needs. Below diagnosis: it imports no app above it."""

    name = "sharing"
    verbose_name = "Sharing and access log"
