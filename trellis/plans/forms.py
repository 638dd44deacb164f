"""Forms of the plan pages. Each names the field that is wrong; measure settings are typed in
plain fields and turned into the goal's `measure_settings` here."""

from django import forms
from django.core.exceptions import ValidationError

from trellis.plans.measures import RATE_UNITS, clean_measure_settings
from trellis.plans.models import (
    INTERVAL_MEASURES,
    AbcOption,
    BehaviorDefinition,
    Goal,
    Measure,
    Phase,
    Plan,
    Target,
    validate_prompt_levels,
)

DATE = forms.DateInput(attrs={"type": "date"})


class PlanForm(forms.ModelForm):
    settings = forms.MultipleChoiceField(
        choices=Plan.SETTINGS,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Settings where it applies",
    )

    class Meta:
        model = Plan
        fields = ["kind", "tier", "title", "settings", "summary", "starts_on", "ends_on"]
        widgets = {"starts_on": DATE, "ends_on": DATE, "summary": forms.Textarea(attrs={"rows": 6})}

    def values(self):
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields} | {
            "settings": list(self.cleaned_data.get("settings") or [])
        }


# Measure setting fields: form field name → (key in measure_settings, measures it applies to).
SETTING_FIELDS = {
    "rate_unit": ("rate_unit", {Measure.FREQUENCY}),
    "session_minutes": ("session_minutes", {Measure.FREQUENCY, *INTERVAL_MEASURES}),
    "interval_seconds": ("interval_seconds", set(INTERVAL_MEASURES)),
    "trials_per_session": ("trials_per_session", {Measure.TRIALS}),
    "steps": ("steps", {Measure.TASK_ANALYSIS}),
    "probe_seconds": ("seconds", {Measure.PROBE}),
    "probe_unit": ("unit", {Measure.PROBE}),
    "rating_rows": ("rows", {Measure.RATING}),
}
# The form field of each setting (clean_measure_settings names the setting that is wrong).
SETTING_FIELD = {key: name for name, (key, _) in SETTING_FIELDS.items()}


class GoalForm(forms.ModelForm):
    rate_unit = forms.ChoiceField(
        choices=[(u, u.replace("_", " ")) for u in RATE_UNITS], required=False
    )
    session_minutes = forms.FloatField(
        required=False, help_text="Interval measures; optional for frequency."
    )
    interval_seconds = forms.IntegerField(required=False, min_value=1)
    trials_per_session = forms.IntegerField(required=False, min_value=1)
    steps = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text="Task analysis: one step per line, in order.",
    )
    probe_seconds = forms.IntegerField(
        required=False, min_value=1, label="Probe timing (seconds)", initial=60
    )
    probe_unit = forms.CharField(required=False, initial="words correct per minute")
    rating_rows = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="Point card: one row per line as “Label | max points”.",
    )

    class Meta:
        model = Goal
        fields = [
            "domain",
            "name",
            "statement",
            "baseline",
            "baseline_value",
            "goal_value",
            "goal_date",
            "direction",
            "measure",
        ]
        widgets = {"goal_date": DATE, "statement": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        settings = self.instance.measure_settings if self.instance.pk else {}
        for name, (key, _) in SETTING_FIELDS.items():
            value = settings.get(key)
            if value is None:
                continue
            if key == "steps":
                value = "\n".join(value)
            elif key == "rows":
                value = "\n".join(f"{row['label']} | {row['max']}" for row in value)
            self.initial[name] = value

    def clean(self):
        data = super().clean()
        measure = data.get("measure")
        if not measure:
            return data
        raw = {}
        for name, (key, measures) in SETTING_FIELDS.items():
            if measure in measures and data.get(name) not in (None, ""):
                raw[key] = data[name]
        try:
            data["measure_settings"] = clean_measure_settings(measure, raw)
        except ValidationError as error:
            for key, messages in error.message_dict.items():
                self.add_error(SETTING_FIELD.get(key, "measure"), messages)
        return data

    def _post_clean(self):
        # The model checks measure_settings too; give it the settings built above, and leave
        # it out when they were wrong (the setting's own field carries the message).
        if "measure_settings" not in self.cleaned_data:
            return
        self.instance.measure_settings = self.cleaned_data["measure_settings"]
        super()._post_clean()

    def values(self):
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields} | {
            "measure_settings": self.cleaned_data.get("measure_settings", {})
        }


class TargetForm(forms.ModelForm):
    class Meta:
        model = Target
        fields = ["name", "mastery_percent", "mastery_basis", "mastery_sessions"]


class TargetStateForm(forms.Form):
    target = forms.ModelChoiceField(queryset=Target.objects.none())
    to_state = forms.ChoiceField(choices=Target.State.choices, label="New state")
    on = forms.DateField(widget=DATE, required=False)
    reason = forms.CharField(max_length=500, required=False)

    def __init__(self, *args, goal, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = goal.targets.all()


class PhaseForm(forms.ModelForm):
    class Meta:
        model = Phase
        fields = ["kind", "label", "starts_on"]
        widgets = {"starts_on": DATE}


class RevisionForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), label="Why does the plan change?"
    )


class BehaviorDefinitionForm(forms.ModelForm):
    class Meta:
        model = BehaviorDefinition
        fields = ["name", "definition", "examples", "non_examples"]
        widgets = {
            "definition": forms.Textarea(attrs={"rows": 3}),
            "examples": forms.Textarea(attrs={"rows": 2}),
            "non_examples": forms.Textarea(attrs={"rows": 2}),
        }


class PromptHierarchyForm(forms.Form):
    levels = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="One level per line as “code | label”, least to most intrusive; the first "
        "is “independent”.",
    )

    def clean_levels(self):
        levels = []
        for line in self.cleaned_data["levels"].splitlines():
            if line.strip():
                code, _, label = line.partition("|")
                code = code.strip()
                levels.append({"code": code, "label": label.strip() or code.replace("_", " ")})
        problem = validate_prompt_levels(levels)
        if problem:
            raise ValidationError(problem)
        return levels


class AbcOptionForm(forms.Form):
    kind = forms.ChoiceField(choices=AbcOption.Kind.choices)
    label = forms.CharField(max_length=120)
    code = forms.SlugField(max_length=60, required=False, help_text="Left empty: from the label.")
    order = forms.IntegerField(min_value=0, required=False, initial=0)
    function = forms.ChoiceField(
        choices=AbcOption.Function.choices,
        required=False,
        label="Suggests the function",
        help_text="Antecedents and consequences only: the function of behavior it points to.",
    )


class AbcOptionEditForm(forms.Form):
    """Rename or reorder an option, or set its function; its kind and code stay (recorded
    events store the code)."""

    label = forms.CharField(max_length=120)
    order = forms.IntegerField(min_value=0, help_text="Lower numbers come first in the list.")
    function = forms.ChoiceField(
        choices=AbcOption.Function.choices,
        required=False,
        label="Suggests the function",
        help_text="Antecedents and consequences only: the function of behavior it points to.",
    )
