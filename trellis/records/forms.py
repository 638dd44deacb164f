from django import forms

from trellis.records.models import Disclosure, RecordsRequest


class DateInput(forms.DateInput):
    input_type = "date"


class DisclosureForm(forms.ModelForm):
    class Meta:
        model = Disclosure
        fields = ["disclosed_on", "party", "records", "basis", "interest"]
        widgets = {"disclosed_on": DateInput(), "interest": forms.Textarea(attrs={"rows": 3})}


class RequestForm(forms.ModelForm):
    class Meta:
        model = RecordsRequest
        fields = ["kind", "requested_by", "received_on", "meeting_on", "details"]
        widgets = {
            "received_on": DateInput(),
            "meeting_on": DateInput(),
            "details": forms.Textarea(attrs={"rows": 3}),
        }


class DecisionForm(forms.Form):
    status = forms.ChoiceField(
        label="Outcome",
        choices=[c for c in RecordsRequest.Status.choices if c[0] != "open"],
        widget=forms.RadioSelect,
    )
    decision = forms.CharField(
        label="What was done, or why the amendment is refused",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    disagreement = forms.CharField(
        label="The parent's statement of disagreement (if they give one)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def __init__(self, *args, kind, **kwargs):
        super().__init__(*args, **kwargs)
        if kind == RecordsRequest.Kind.INSPECT:
            self.fields["status"].choices = [("fulfilled", "Records shown")]
            del self.fields["disagreement"]
        else:
            self.fields["status"].choices = [
                ("amended", "Amended as asked"),
                ("refused", "Amendment refused (the parent may ask for a hearing)"),
            ]
