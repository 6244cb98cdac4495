from rest_framework.permissions import BasePermission


class IsVerifiedDoctor(BasePermission):
    """Doctors' endpoints, as accounts.decorators.verified_doctor_required guards the pages:
    anyone else signed in gets 403 saying why."""

    message = ("Only doctors verified by an administrator can use this. Ask for the doctor "
               "role on your profile page.")

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.is_verified_doctor)
