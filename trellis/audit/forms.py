from django import forms
from django.db.models import Q

from trellis.audit.models import AuditEntry


class AuditFilterForm(forms.Form):
    actor = forms.CharField(required=False, label="Who")
    learner = forms.CharField(required=False, label="Learner")
    action = forms.CharField(required=False, label="Action", help_text="e.g. learner.view")
    result = forms.ChoiceField(
        required=False, choices=[("", "any")] + list(AuditEntry.Result.choices)
    )
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["until"] < data["since"]:
            self.add_error("until", "The end date is before the start date.")
        return data

    def filter(self, entries, learners):
        """`learners`: those the reader may see, matched by name where an entry has only an id."""
        data = self.cleaned_data
        if data.get("actor"):
            entries = entries.filter(actor_label__icontains=data["actor"])
        if data.get("learner"):
            named = learners.search(data["learner"]).values("pk")
            entries = entries.filter(
                Q(learner_label__icontains=data["learner"]) | Q(learner_id__in=named)
            )
        if data.get("action"):
            entries = entries.filter(action__startswith=data["action"])
        if data.get("result"):
            entries = entries.filter(result=data["result"])
        if data.get("since"):
            entries = entries.filter(at__date__gte=data["since"])
        if data.get("until"):
            entries = entries.filter(at__date__lte=data["until"])
        return entries
