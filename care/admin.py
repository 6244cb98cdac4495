from django.contrib import admin
from django.db.models import Exists, OuterRef

from sharing.admin_audit import AuditedAdminMixin

from .models import BeatLabel, Review


class BeatLabelInline(admin.TabularInline):
    """The doctor's labels of single beats, read-only like the review."""

    model = BeatLabel
    extra = 0
    can_delete = False
    fields = ["sample", "original_label", "label"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Review)
class ReviewAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["diagnosis", "doctor", "original_label", "reviewed_label", "agrees",
                    "model_version", "updated_at"]
    list_filter = ["agrees", "reviewed_label", "original_label", "model_version"]
    search_fields = ["doctor__email", "diagnosis__owner__email", "notes"]
    list_select_related = ["doctor", "diagnosis"]
    date_hierarchy = "created_at"
    readonly_fields = ["diagnosis", "doctor", "original_label", "reviewed_label", "agrees",
                       "notes", "model_version", "created_at", "updated_at"]
    fields = readonly_fields
    inlines = [BeatLabelInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def audited_patient_id(self, obj):
        return obj.diagnosis.owner_id


# What the diagnosis admin shows of reviews: CareConfig.ready adds these through
# diagnosis.hooks, so the diagnosis app's DiagnosisAdmin stays the one registered.


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
