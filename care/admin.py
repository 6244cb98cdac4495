from django.contrib import admin
from django.db.models import Exists, OuterRef

from diagnosis.admin import DiagnosisAdmin
from diagnosis.models import Diagnosis

from . import audit
from .models import AuditLog, Review, Share


@admin.register(Share)
class ShareAdmin(admin.ModelAdmin):
    list_display = ["patient", "email", "doctor", "status", "created_at", "accepted_at",
                    "ended_at", "expires_at"]
    list_filter = ["status", "created_at"]
    search_fields = ["patient__email", "email", "doctor__email"]
    list_select_related = ["patient", "doctor"]
    date_hierarchy = "created_at"
    # Shares are the patients' decisions: the admin shows them but does not make them.
    readonly_fields = ["patient", "email", "doctor", "status", "created_at", "sent_at",
                       "expires_at", "accepted_at", "ended_at"]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["diagnosis", "doctor", "original_label", "reviewed_label", "agrees",
                    "model_version", "updated_at"]
    list_filter = ["agrees", "reviewed_label", "original_label", "model_version"]
    search_fields = ["doctor__email", "diagnosis__owner__email", "notes"]
    list_select_related = ["doctor", "diagnosis"]
    date_hierarchy = "created_at"
    readonly_fields = ["diagnosis", "doctor", "original_label", "reviewed_label", "agrees",
                       "notes", "model_version", "created_at", "updated_at"]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    """Read-only: nobody, superusers included, adds, edits or deletes access records."""

    list_display = ["at", "viewer_email", "viewer_role", "patient", "what", "diagnosis_ref",
                    "ip"]
    list_filter = ["viewer_role", "what", "at"]
    search_fields = ["viewer_email", "patient__email", "=diagnosis_ref", "ip"]
    list_select_related = ["patient"]
    date_hierarchy = "at"
    fields = ["at", "viewer", "viewer_email", "viewer_role", "patient", "diagnosis",
              "diagnosis_ref", "what", "detail", "ip"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReviewedFilter(admin.SimpleListFilter):
    title = "doctor review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("none", "Not reviewed"), ("agreed", "Confirmed by a doctor"),
                ("corrected", "Corrected by a doctor")]

    def queryset(self, request, queryset):
        reviews = Review.objects.filter(diagnosis=OuterRef("pk"))
        if self.value() == "none":
            return queryset.filter(~Exists(reviews))
        if self.value() == "agreed":
            return queryset.filter(Exists(reviews.filter(agrees=True)))
        if self.value() == "corrected":
            return queryset.filter(Exists(reviews.filter(agrees=False)))
        return queryset


class ReviewInline(admin.TabularInline):
    model = Review
    extra = 0
    can_delete = False
    fields = ["doctor", "original_label", "reviewed_label", "agrees", "notes", "updated_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class CareDiagnosisAdmin(DiagnosisAdmin):
    """The diagnosis app's admin (columns, filters, the re-queue action), plus doctors'
    reviews; opening one diagnosis is recorded in the patient's access log like any other
    view of their data."""

    list_filter = [*DiagnosisAdmin.list_filter, ReviewedFilter]
    inlines = [*DiagnosisAdmin.inlines, ReviewInline]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        diagnosis = Diagnosis.objects.filter(pk=object_id).first() \
            if str(object_id).isdigit() else None
        if diagnosis is not None and response.status_code == 200:
            audit.record(request, diagnosis, audit.What.ADMIN)
        return response


admin.site.unregister(Diagnosis)
admin.site.register(Diagnosis, CareDiagnosisAdmin)
