"""Admin pages that show patient data write the access log like the site's own pages: a list
page logs one row per patient it names, a change page one row for its patient."""
from . import audit


def _context(response):
    return getattr(response, "context_data", None) or {}


class AuditedAdminMixin:
    """For a ModelAdmin whose objects belong to a patient: ``audited_patient_id(obj)`` names
    the patient (the object's ``owner_id`` unless overridden)."""

    def audited_patient_id(self, obj):
        return obj.owner_id

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = _context(response).get("cl")
        if changelist is not None and response.status_code == 200:
            audit.record_list(
                request, (self.audited_patient_id(o) for o in changelist.result_list),
                audit.What.ADMIN, detail=f"admin list of {self.opts.verbose_name_plural}")
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        original = _context(response).get("original")
        if original is not None and response.status_code == 200:
            self.audit_change_view(request, original)
        return response

    def audit_change_view(self, request, obj):
        audit.record_list(request, [self.audited_patient_id(obj)], audit.What.ADMIN,
                          detail=f"admin page of {self.opts.verbose_name} {obj.pk}")
