from django import forms


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Search articles",
        max_length=200,
        required=False,
        strip=True,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "e.g. palpitations"}),
    )

    def query(self):
        """The cleaned search text, or "" when there is none or it is not valid."""
        return self.cleaned_data.get("q", "") if self.is_valid() else ""
