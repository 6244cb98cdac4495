from django.apps import AppConfig


class SharingConfig(AppConfig):
    """Patients sharing results with doctors (invitations, shares) and the access log: what
    the access rule for patient data needs. Below diagnosis: it imports no app above it."""

    name = "sharing"
    verbose_name = "Sharing and access log"

    def ready(self):
        from accounts.signals import people_viewed_in_admin

        from . import audit

        people_viewed_in_admin.connect(audit.log_people_viewed_in_admin,
                                       dispatch_uid="sharing.audit.people_viewed_in_admin")
