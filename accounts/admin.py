from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import BaseUserCreationForm, UserChangeForm
from django.utils import timezone

from . import notifications
from .models import DOCTOR_DETAILS, User
from .signals import people_viewed_in_admin


class AwaitingVerificationFilter(admin.SimpleListFilter):
    title = "doctor verification"
    parameter_name = "doctor_state"

    def lookups(self, request, model_admin):
        return [("awaiting", "Awaiting verification"), ("verified", "Verified doctors")]

    def queryset(self, request, queryset):
        if self.value() == "awaiting":
            return queryset.filter(role=User.Role.DOCTOR, doctor_verified_at__isnull=True)
        if self.value() == "verified":
            return queryset.filter(role=User.Role.DOCTOR, doctor_verified_at__isnull=False)
        return queryset


class UserCreationForm(BaseUserCreationForm):
    class Meta:
        model = User
        fields = ["email"]


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    add_form = UserCreationForm
    form = UserEditForm
    ordering = ["email"]
    # The details a doctor gave stand beside the verification state, so that the
    # administrator checks them against the register before using the "verify" action.
    list_display = ["email", "first_name", "last_name", "role", "doctor_state",
                    *DOCTOR_DETAILS, "doctor_requested_at", "is_staff", "is_active",
                    "date_joined"]
    list_filter = [AwaitingVerificationFilter, "role", "doctor_country", "is_staff",
                   "is_active"]
    search_fields = ["email", "first_name", "last_name", "doctor_licence_number",
                     "doctor_institution"]
    # What the doctor asserted is shown as given, not edited by the administrator.
    readonly_fields = ["last_login", "date_joined", "doctor_requested_at", *DOCTOR_DETAILS]
    actions = ["verify_doctors"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Personal info", {"fields": ["first_name", "last_name", "date_of_birth"]}),
        ("Role", {"fields": ["role", "doctor_requested_at", *DOCTOR_DETAILS,
                             "doctor_verified_at"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups",
                                    "user_permissions"]}),
        ("Important dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]}),
    ]

    # The list and each person's page show personal data: the apps above (sharing) log it.
    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if changelist is not None and response.status_code == 200:
            people_viewed_in_admin.send(type(self), request=request,
                                        user_ids=[u.pk for u in changelist.result_list],
                                        detail="admin list of users")
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        original = (getattr(response, "context_data", None) or {}).get("original")
        if original is not None and response.status_code == 200:
            people_viewed_in_admin.send(type(self), request=request, user_ids=[original.pk],
                                        detail=f"admin page of user {original.pk}")
        return response

    @admin.display(description="doctor")
    def doctor_state(self, obj):
        if not obj.is_doctor:
            return "—"
        return "verified" if obj.doctor_verified_at else "awaiting verification"

    @admin.action(description="Verify selected users as doctors")
    def verify_doctors(self, request, queryset):
        now = timezone.now()
        count = 0
        for user in queryset.filter(doctor_verified_at__isnull=True):
            user.verify_as_doctor(when=now)
            notifications.doctor_verified(user)
            count += 1
        self.message_user(request, f"{count} doctor(s) verified.", messages.SUCCESS)
