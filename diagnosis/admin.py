from django.contrib import admin, messages

from . import services
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
class DiagnosisAdmin(admin.ModelAdmin):
    list_display = ("id", "owner", "kind", "status", "label", "confidence", "low_confidence",
                    "queued_at", "finished_at", "attempts", "model_version")
    list_filter = ("status", "kind", "label", "low_confidence", "model_version")
    search_fields = ("owner__email", "original_name")
    date_hierarchy = "queued_at"
    list_select_related = ("owner",)
    inlines = [DiagnosisFileInline]
    actions = ["retry_failed"]
    readonly_fields = [f.name for f in Diagnosis._meta.fields]

    def has_add_permission(self, request):
        return False  # diagnoses come from uploads only

    @admin.action(description="Queue the selected failed diagnoses again")
    def retry_failed(self, request, queryset):
        count = services.retry_failed(queryset)
        self.message_user(request, f"{count} failed diagnoses queued again.", messages.SUCCESS)
