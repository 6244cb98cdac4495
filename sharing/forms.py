from django import forms


class InviteForm(forms.Form):
    email = forms.EmailField(
        label="Your doctor's e-mail address",
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        help_text="They get an e-mail with a link. If they have no account here yet, the "
                  "e-mail invites them to sign up as a doctor.",
    )
