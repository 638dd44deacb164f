from datetime import datetime, time
from zoneinfo import ZoneInfo

from django import forms
from django.contrib.auth.models import User
from django.utils import timezone

from trellis.forms import clean_day
from trellis.health.models import (
    ERROR_TIME,
    WEEKDAYS,
    CountEntry,
    Dose,
    MedicationError,
    MedicationOrder,
    default_days,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class OrderForm(forms.ModelForm):
    times = forms.CharField(
        required=False,
        label="Scheduled times",
        help_text="Local times, comma-separated: 08:00, 12:00.",
    )
    days = forms.TypedMultipleChoiceField(
        required=False,
        coerce=int,
        choices=WEEKDAYS,
        widget=forms.CheckboxSelectMultiple,
        label="Days it applies",
        help_text="The scheduled times are due on these days only: Mon–Fri for a school-day "
        "order, every day for a residential or clinic order.",
    )
    stock = forms.IntegerField(
        required=False, min_value=0, label="Starting count (controlled substances)"
    )

    class Meta:
        model = MedicationOrder
        fields = [
            "drug",
            "dose",
            "route",
            "as_needed",
            "times",
            "days",
            "indication",
            "prescriber",
            "starts_on",
            "ends_on",
            "consent_on",
            "controlled",
            "instructions",
        ]
        widgets = {
            "starts_on": DATE,
            "ends_on": DATE,
            "consent_on": DATE,
            "instructions": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, learner, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["days"].initial = default_days(learner.organization)

    def clean_times(self):
        text = self.cleaned_data.get("times") or ""
        if isinstance(text, list):
            return text
        result = []
        for part in text.replace(";", ",").split(","):
            part = part.strip()
            if not part:
                continue
            hours, _, minutes = part.partition(":")
            try:
                result.append(time(int(hours), int(minutes or 0)).strftime("%H:%M"))
            except ValueError:
                raise forms.ValidationError(f"{part!r} is not a time like 08:00.") from None
        return sorted(set(result))

    def order_data(self):
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


def staff_users(learner):
    return (
        User.objects.filter(staff__isnull=False, is_active=True)
        .filter(staff__memberships__organization__path__in=_ancestor_paths(learner.organization))
        .distinct()
        .order_by("last_name", "first_name")
    )


def _ancestor_paths(org):
    parts = [p for p in org.path.split("/") if p]
    return ["".join(f"{p}/" for p in parts[: i + 1]) for i in range(len(parts))]


class UserChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()


class DoseForm(forms.Form):
    """One tap: the status buttons submit the form; the rest is there when needed."""

    status = forms.ChoiceField(choices=Dose.Status.choices)
    time = forms.TimeField(label="Time given / charted", widget=TIME)
    reason = forms.ChoiceField(
        label="Reason (if not given)", required=False, choices=[("", "—")] + Dose.Reason.choices
    )
    prn_reason = forms.CharField(
        label="Reason for the as-needed dose", required=False, max_length=200
    )
    note = forms.CharField(required=False, max_length=300)
    witness = UserChoice(queryset=User.objects.none(), required=False)
    witness_name = forms.CharField(
        label="Witness: type your full name", required=False, max_length=200
    )
    witness_password = forms.CharField(
        label="Witness: your password", required=False, widget=forms.PasswordInput
    )

    def __init__(self, *args, order, slot=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.order = order
        self.slot = slot
        self.zone = ZoneInfo(order.learner.organization.time_zone)
        self.fields["witness"].queryset = staff_users(order.learner)
        self.fields["time"].initial = timezone.now().astimezone(self.zone).strftime("%H:%M")
        if not order.as_needed:
            self.fields.pop("prn_reason")

    def dose_data(self):
        data = self.cleaned_data
        day = (
            self.slot.astimezone(self.zone).date()
            if self.slot
            else timezone.now().astimezone(self.zone).date()
        )
        return {
            "status": data["status"],
            "at": datetime.combine(day, data["time"], tzinfo=self.zone),
            "scheduled_for": self.slot,
            "reason": data.get("reason", ""),
            "note": data.get("note", ""),
            "prn_reason": data.get("prn_reason", ""),
            "witness": data.get("witness"),
            "witness_name": data.get("witness_name", ""),
            "witness_password": data.get("witness_password", ""),
        }


class CorrectionForm(DoseForm):
    error_reason = forms.CharField(label="Why the entry was wrong", max_length=300)
    replace = forms.BooleanField(
        label="Record the right entry",
        required=False,
        initial=True,
        help_text=(
            "Leave unticked when the entry should not exist at all "
            "(e.g. charted for the wrong learner)."
        ),
    )
    field_order = [
        "error_reason",
        "replace",
        "status",
        "time",
        "reason",
        "prn_reason",
        "note",
        "witness",
        "witness_name",
        "witness_password",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].required = False
        self.fields["time"].required = False

    def clean(self):
        data = super().clean()
        if data.get("replace"):
            if not data.get("status"):
                self.add_error("status", "Choose the right status.")
            if not data.get("time"):
                self.add_error("time", "Give the right time.")
        return data


class EffectForm(forms.Form):
    effect = forms.CharField(max_length=300, label="Effect of the dose")
    time = forms.TimeField(widget=TIME)


class CountForm(forms.Form):
    reason = forms.ChoiceField(
        choices=[
            (c, label) for c, label in CountEntry.Reason.choices if c not in ("given", "correction")
        ]
    )
    change = forms.IntegerField(
        label="Units received / wasted / returned", required=False, min_value=1
    )
    counted = forms.IntegerField(label="Units counted", required=False, min_value=0)
    witness = UserChoice(queryset=User.objects.none(), required=False)
    witness_name = forms.CharField(
        label="Witness: type your full name", required=False, max_length=200
    )
    witness_password = forms.CharField(
        label="Witness: your password", required=False, widget=forms.PasswordInput
    )
    note = forms.CharField(required=False, max_length=300)

    def __init__(self, *args, order, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["witness"].queryset = staff_users(order.learner)


class ErrorForm(forms.Form):
    error_type = forms.ChoiceField(
        label="Error type", required=False, choices=[("", "—")] + MedicationError.Type.choices
    )
    category = forms.ChoiceField(
        label="NCC MERP category",
        required=False,
        choices=[("", "—")] + MedicationError.Category.choices,
    )
    adverse_reaction = forms.BooleanField(label="Adverse reaction", required=False)
    order = forms.ModelChoiceField(
        queryset=MedicationOrder.objects.none(), required=False, label="Medication"
    )
    date = forms.DateField(widget=DATE)
    time = forms.TimeField(widget=TIME)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    action_taken = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, learner, **kwargs):
        super().__init__(*args, **kwargs)
        self.zone = ZoneInfo(learner.organization.time_zone)
        self.fields["order"].queryset = learner.medication_orders.all()
        now = timezone.now().astimezone(self.zone)
        self.fields["date"].initial = now.date()
        self.fields["time"].initial = now.strftime("%H:%M")

    def clean_date(self):
        return clean_day(self.cleaned_data["date"], self.zone, ERROR_TIME)

    def error_data(self):
        data = self.cleaned_data
        return {
            "error_type": data["error_type"],
            "category": data["category"],
            "adverse_reaction": data["adverse_reaction"],
            "order": data["order"],
            "occurred_at": datetime.combine(data["date"], data["time"], tzinfo=self.zone),
            "description": data["description"],
            "action_taken": data["action_taken"],
        }
