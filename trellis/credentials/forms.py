from django import forms

from trellis.credentials.models import Credential

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CredentialForm(forms.ModelForm):
    class Meta:
        model = Credential
        fields = ["staff", "kind", "name", "number", "issued_on", "expires_on"]
        widgets = {"issued_on": DATE, "expires_on": DATE}

    def __init__(self, *args, staff_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = staff_choices.select_related("user")
