from django.apps import AppConfig


class CareConfig(AppConfig):
    """The doctors' workspace: patients who share with a doctor, their results, doctors'
    reviews, and the export of reviews as training data. Above diagnosis: it adds the reviews
    to the diagnosis pages and admin through ``diagnosis.hooks``."""

    name = "care"
    verbose_name = "Doctors' workspace and reviews"

    def ready(self):
        from diagnosis import events, hooks

        from . import admin, notifications, panels

        hooks.register(hooks.RESULT_PANELS, panels.review_panel)
        hooks.register(hooks.HISTORY_MARKS, panels.review_marks)
        hooks.register(hooks.BEAT_LABELS, panels.beat_labels)
        hooks.register(hooks.DOCTOR_READINGS, panels.doctor_readings)
        hooks.register(hooks.ADMIN_INLINES, admin.ReviewInline)
        hooks.register(hooks.ADMIN_LIST_FILTERS, admin.ReviewedFilter)
        events.finished.connect(notifications.tell_doctors_of_new_result,
                                dispatch_uid="care-tell-doctors-of-new-result")
