from django.contrib import admin

from .admin_audit import AuditedAdminMixin
from .models import AuditLog, Share


@admin.register(Share)
class ShareAdmin(AuditedAdminMixin, admin.ModelAdmin):
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

    def audited_patient_id(self, obj):
        return obj.patient_id


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
