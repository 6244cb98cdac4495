from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone

from .managers import UserManager

# What a doctor gives when asking for a doctor account; an administrator checks it against
# the medical register of that country before verifying the account.
DOCTOR_DETAILS = ("doctor_licence_number", "doctor_country", "doctor_institution")


class User(AbstractUser):
    """A person using the site: a patient (default) or a doctor.

    A doctor account can review shared histories only after an administrator has verified
    it (``doctor_verified_at``); choosing the doctor role is only a request.
    """

    class Role(models.TextChoices):
        PATIENT = "patient", "Patient"
        DOCTOR = "doctor", "Doctor"

    username = None
    email = models.EmailField("e-mail address", unique=True)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.PATIENT)
    date_of_birth = models.DateField(null=True, blank=True)
    doctor_verified_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Set by an administrator after checking the doctor's credentials.",
    )
    doctor_requested_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the user asked for the doctor role (awaiting verification).",
    )
    doctor_licence_number = models.CharField(
        "licence number", max_length=64, blank=True,
        help_text="The doctor's registration or licence number, as the doctor gave it.",
    )
    doctor_country = models.CharField(
        "country of practice", max_length=100, blank=True,
        help_text="The country whose medical register lists the doctor.",
    )
    doctor_institution = models.CharField(
        "institution", max_length=200, blank=True,
        help_text="The hospital, practice or clinic the doctor works at.",
    )

    # Which notices the user gets by e-mail (accounts.notifications); each can be turned off
    # on the account's "E-mail notices" page.
    email_patient_results = models.BooleanField(
        "e-mail me when a patient who shares with me has a new result", default=True,
    )
    email_reviews = models.BooleanField(
        "e-mail me when a doctor reviews one of my results", default=True,
    )
    email_doctor_verified = models.BooleanField(
        "e-mail me when my doctor account is verified", default=True,
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        ordering = ["email"]

    def __str__(self):
        return self.email

    @property
    def is_doctor(self):
        return self.role == self.Role.DOCTOR

    @property
    def is_verified_doctor(self):
        return self.is_active and self.is_doctor and self.doctor_verified_at is not None

    @property
    def is_awaiting_doctor_verification(self):
        return self.is_doctor and self.doctor_verified_at is None

    def verify_as_doctor(self, when=None):
        self.role = self.Role.DOCTOR
        self.doctor_verified_at = when or timezone.now()
        self.save(update_fields=["role", "doctor_verified_at"])

    def change_role(self, role):
        """Apply a role the user chose on their profile (not saved; the caller saves).

        Choosing "doctor" only files a request: the account stays unverified until an
        administrator verifies it (the caller has set the DOCTOR_DETAILS the request needs).
        Leaving the doctor role drops any verification and those details, so coming back
        later needs a new check.
        """
        if role == self.role:
            return
        if role == self.Role.DOCTOR:
            self.role = self.Role.DOCTOR
            self.doctor_requested_at = timezone.now()
            self.doctor_verified_at = None
        elif role == self.Role.PATIENT:
            self.role = self.Role.PATIENT
            self.doctor_requested_at = None
            self.doctor_verified_at = None
            for name in DOCTOR_DETAILS:
                setattr(self, name, "")
        else:
            raise ValueError(f"Unknown role: {role!r}")

    # How a person is named on every page, e-mail and report: their name, else their
    # address; never the address twice ("a@b.org (a@b.org)").
    @property
    def display_name(self):
        return self.get_full_name() or self.email

    @property
    def email_if_named(self):
        """The address, for showing beside a name; "" when the name shown is the address."""
        return self.email if self.get_full_name() else ""

    @property
    def name_and_email(self):
        """"Pat Ient (pat@example.org)", or just the address when there is no name."""
        return f"{self.display_name} ({self.email})" if self.email_if_named else self.email
