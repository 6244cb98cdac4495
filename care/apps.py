from django.apps import AppConfig


class CareConfig(AppConfig):
    """Patients sharing results with doctors, doctors' reviews, the access log and metrics."""

    name = "care"
    verbose_name = "Sharing, reviews and access log"
