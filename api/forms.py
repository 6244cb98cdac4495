from datetime import timedelta

from django import forms
from django.conf import settings
from django.utils import timezone

from .models import ApiToken

EXPIRY_CHOICES = [("", "Never"), ("30", "After 30 days"), ("90", "After 90 days"),
                  ("365", "After one year")]


class TokenForm(forms.Form):
    name = forms.CharField(
        label="Name", max_length=100,
        help_text="What it is for, e.g. “ECG patch at home” or “clinic system”.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}))
    expires = forms.ChoiceField(label="Expires", choices=EXPIRY_CHOICES, required=False)

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        limit = settings.ECG_API_MAX_TOKENS_PER_USER
        if ApiToken.objects.filter(user=self.user).usable().count() >= limit:
            raise forms.ValidationError(
                f"You have {limit} active tokens, the most an account may have. Revoke one "
                "you no longer use first.")
        return cleaned

    def save(self):
        """Creates the token; returns (token, the secret to show once)."""
        days, now = self.cleaned_data["expires"], timezone.now()
        expires_at = now + timedelta(days=int(days)) if days else None
        return ApiToken.issue(self.user, self.cleaned_data["name"].strip(), expires_at, now)
