from django.apps import AppConfig


class MetricsConfig(AppConfig):
    """The staff metrics page: figures over users, diagnoses and reviews. At the top: it
    reads diagnosis and care, and no app imports it."""

    name = "metrics"
    verbose_name = "Metrics"
