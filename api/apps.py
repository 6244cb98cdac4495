from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The JSON API at /api/v1/: a second front door to the same services, rules and queue
    as the pages (uploads go through diagnosis.validators and diagnosis.services, access
    through Diagnosis.objects.visible_to, reviews through care's form). The top layer: it may
    import every app, and no app imports it."""

    name = "api"
    verbose_name = "API"
