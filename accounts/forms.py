import datetime

from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from .models import DOCTOR_DETAILS, User

DELETE_PHRASE = "delete my account"

DOCTOR_DETAIL_HELP = {
    "doctor_licence_number": "Your registration or licence number with the medical council "
                             "or board.",
    "doctor_country": "The country whose medical register lists you.",
    "doctor_institution": "The hospital, practice or clinic where you work.",
}
DOCTOR_DETAIL_WIDGETS = {
    "doctor_licence_number": forms.TextInput(attrs={"autocomplete": "off"}),
    "doctor_country": forms.TextInput(attrs={"autocomplete": "country-name"}),
    "doctor_institution": forms.TextInput(attrs={"autocomplete": "organization"}),
}


def _require_doctor_details(form):
    """Each doctor detail must be given (an administrator checks them before verifying)."""
    for name in DOCTOR_DETAILS:
        if not (form.cleaned_data.get(name) or "").strip():
            if name not in form.errors:
                form.add_error(name, "Needed to verify a doctor account.")


def _one_line(name):
    """A name is shown in pages and e-mail subjects: no line breaks or control characters."""
    if any(not ch.isprintable() for ch in name):
        raise forms.ValidationError("Please use letters, spaces and punctuation only.")
    return name


class ProfileForm(forms.ModelForm):
    """Name, date of birth and the role the user asks for.

    ``role`` is not a model field here on purpose: ``User.change_role`` decides what a role
    change means (a doctor request is not a verification).
    """

    role = forms.ChoiceField(
        label="I use this site as",
        choices=User.Role.choices,
        widget=forms.RadioSelect,
        help_text=(
            "Choosing doctor asks an administrator to verify you; doctor features open "
            "once they have."
        ),
    )

    class Meta:
        model = User
        fields = ["first_name", "last_name", "date_of_birth", *DOCTOR_DETAILS]
        labels = {"date_of_birth": "Date of birth (optional)"}
        help_texts = {name: f"Doctors only. {text}" for name, text in DOCTOR_DETAIL_HELP.items()}
        widgets = {
            "first_name": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "last_name": forms.TextInput(attrs={"autocomplete": "family-name"}),
            "date_of_birth": forms.DateInput(
                attrs={"type": "date", "autocomplete": "bday"}, format="%Y-%m-%d"
            ),
            **DOCTOR_DETAIL_WIDGETS,
        }

    field_order = ["first_name", "last_name", "date_of_birth", "role", *DOCTOR_DETAILS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].initial = self.instance.role
        if self.instance.is_verified_doctor:
            # What the administrator checked stays as it was checked.
            for name in DOCTOR_DETAILS:
                self.fields[name].disabled = True
                self.fields[name].help_text = ("Checked by an administrator when your account "
                                               "was verified.")

    def clean(self):
        cleaned = super().clean()
        role = cleaned.get("role")
        if role == User.Role.DOCTOR and not self.instance.is_verified_doctor:
            _require_doctor_details(self)
        elif role == User.Role.PATIENT:
            for name in DOCTOR_DETAILS:  # a patient account keeps no doctor details
                cleaned[name] = ""
        return cleaned

    def clean_first_name(self):
        return _one_line(self.cleaned_data.get("first_name", ""))

    def clean_last_name(self):
        return _one_line(self.cleaned_data.get("last_name", ""))

    def clean_date_of_birth(self):
        dob = self.cleaned_data.get("date_of_birth")
        if dob is None:
            return dob
        if dob > timezone.localdate():
            raise forms.ValidationError("The date of birth cannot be in the future.")
        if dob < datetime.date(1900, 1, 1):
            raise forms.ValidationError("Please check the year of the date of birth.")
        return dob

    def save(self, commit=True):
        self.instance.change_role(self.cleaned_data["role"])
        return super().save(commit=commit)


class DoctorRequestForm(forms.ModelForm):
    """Asking for a doctor account from elsewhere than the profile (an invitation page):
    the same details, all required."""

    class Meta:
        model = User
        fields = list(DOCTOR_DETAILS)
        help_texts = DOCTOR_DETAIL_HELP
        widgets = DOCTOR_DETAIL_WIDGETS

    def clean(self):
        cleaned = super().clean()
        _require_doctor_details(self)
        return cleaned

    def save(self, commit=True):
        self.instance.change_role(User.Role.DOCTOR)
        return super().save(commit=commit)


class NotificationSettingsForm(forms.ModelForm):
    """Which notices the user gets by e-mail; each is offered only to whom it can concern."""

    class Meta:
        model = User
        fields = ["email_reviews", "email_patient_results", "email_doctor_verified"]
        help_texts = {
            "email_reviews": "The e-mail holds a link to the result, never the finding.",
            "email_patient_results": "The e-mail holds a link to the result, never the "
                                     "patient's name or the finding.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.instance
        if not user.is_doctor:
            del self.fields["email_patient_results"]
        if not user.is_awaiting_doctor_verification:
            del self.fields["email_doctor_verified"]


class DeleteAccountForm(forms.Form):
    """Confirms a deletion: the current password, or, for accounts without a password
    (signed up through Google or LinkedIn), a typed phrase."""

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        if user.has_usable_password():
            self.fields["password"] = forms.CharField(
                label="Your password",
                strip=False,
                widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
            )
        else:
            self.fields["phrase"] = forms.CharField(
                label=f'Type "{DELETE_PHRASE}" to confirm',
                widget=forms.TextInput(attrs={"autocomplete": "off"}),
            )

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That password is not correct.")
        return password

    def clean_phrase(self):
        phrase = self.cleaned_data["phrase"]
        if phrase.strip().lower() != DELETE_PHRASE:
            raise forms.ValidationError(f'Please type "{DELETE_PHRASE}" exactly.')
        return phrase


class SignupForm(AllauthSignupForm):
    """allauth's sign-up form, answering in the same time whether or not the address has an
    account already.

    allauth does not say so on the page (it e-mails the owner instead), but a new account
    costs a password hash (about a quarter of a second with PBKDF2) and an existing address
    cost nothing, so the delay told. Here the existing address pays for one hash too
    (scripts/signup_timing.py measures both).
    """

    def try_save(self, request):
        if self.account_already_exists:
            make_password(self.cleaned_data.get("password1"))
        return super().try_save(request)
