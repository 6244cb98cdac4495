from django.contrib import admin, messages

from sharing import audit
from sharing.admin_audit import AuditedAdminMixin

from . import hooks, presenters, services
from .models import Diagnosis, DiagnosisFile


class DiagnosisFileInline(admin.TabularInline):
    model = DiagnosisFile
    extra = 0
    can_delete = False
    fields = ("role", "original_name", "content_type", "size")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Diagnosis)
class DiagnosisAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Diagnoses, read-only, with the re-queue action. Apps above diagnosis add inlines and
    list filters through ``diagnosis.hooks``. The list and each diagnosis are recorded in the
    patients' access log like any other view of their data."""

    list_display = ("id", "owner", "kind", "status", "label", "confidence_shown", "low_confidence",
                    "queued_at", "finished_at", "attempts", "model_version")
    list_filter = ("status", "kind", "label", "low_confidence", "model_version")
    search_fields = ("owner__email", "original_name")
    date_hierarchy = "queued_at"
    list_select_related = ("owner",)
    inlines = [DiagnosisFileInline]
    actions = ["retry_failed"]
    # The confidence is shown as a percentage (confidence_shown), not as 0.9828814814814815.
    exclude = ("confidence",)
    readonly_fields = [("confidence_shown" if f.name == "confidence" else f.name)
                       for f in Diagnosis._meta.fields]

    @admin.display(description="Confidence", ordering="confidence")
    def confidence_shown(self, obj):
        return presenters.percent_text(obj.confidence)

    def get_inlines(self, request, obj):
        return [*super().get_inlines(request, obj), *hooks.ADMIN_INLINES]

    def get_list_filter(self, request):
        return [*super().get_list_filter(request), *hooks.ADMIN_LIST_FILTERS]

    def has_add_permission(self, request):
        return False  # diagnoses come from uploads only

    def audit_change_view(self, request, obj):
        audit.record(request, obj, audit.What.ADMIN)

    @admin.action(description="Queue the selected failed diagnoses again")
    def retry_failed(self, request, queryset):
        count = services.retry_failed(queryset)
        self.message_user(request, f"{count} failed diagnoses queued again.", messages.SUCCESS)
