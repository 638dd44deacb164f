"""The incident forms. The filing form is short and ordered the way it happened, so it can be
filled on a phone in about two minutes; the restraint section shows only for restraint and
seclusion."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from trellis.accounts.signatures import SignatureForm
from trellis.forms import clean_day
from trellis.incidents.actions import episode_problems, incident_problems
from trellis.incidents.models import (
    CONTACT_TIME,
    INCIDENT_DATE,
    RESTRAINT_START,
    Debrief,
    GuardianContact,
    Incident,
    IncidentPolicy,
    RestraintEpisode,
)
from trellis.people.models import Membership, StaffMember

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def text(rows=2, **attrs):
    return forms.Textarea(attrs={"rows": rows, **attrs})


def staff_choices(learner, also=None, extra=()):
    """The learner's team (active case assignments) first, then the other staff of the
    learner's organization (and `also`); `on_team` says which is which."""
    team = learner.assignments.active().values("staff_id")
    rule = Q(pk__in=team) | Q(
        pk__in=Membership.objects.filter(organization=learner.organization).values("staff_id")
    )
    ids = [s.pk for s in extra] + ([also.pk] if also is not None else [])
    if ids:
        rule |= Q(pk__in=ids)
    return (
        StaffMember.objects.filter(rule)
        .annotate(on_team=Exists(team.filter(staff_id=OuterRef("pk"))))
        .select_related("user")
        .order_by("-on_team", "user__last_name", "user__first_name")
    )


# The staff picker: one list of people, each with a toggle per part they had.
PICKER_PARTS = {
    "staff_involved": "Involved",
    "applied_by": "Applied",
    "observed_by": "Observed",
}


class StaffPickerMixin:
    """Renders the form's staff fields (same values, same names) as one searchable list."""

    def picker_parts(self):
        return [name for name in PICKER_PARTS if name in self.fields]

    def picker_errors(self):
        return [
            (self[name].label, error) for name in self.picker_parts() for error in self[name].errors
        ]

    def picker_rows(self):
        parts = self.picker_parts()
        chosen = {
            name: {str(getattr(v, "pk", v)) for v in (self[name].value() or [])} for name in parts
        }
        for staff in self.fields[parts[0]].queryset:
            yield {
                "staff": staff,
                "team": staff.on_team,
                "toggles": [
                    {
                        "name": name,
                        "label": PICKER_PARTS[name],
                        "checked": str(staff.pk) in chosen[name],
                    }
                    for name in parts
                ],
            }


class StaffField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj):
        return str(obj)


class ReportForm(forms.Form):
    kind = forms.ChoiceField(label="Type", choices=[("", "Choose…")] + Incident.Kind.choices)
    date = forms.DateField(widget=DATE)
    start = forms.TimeField(widget=TIME)
    end = forms.TimeField(widget=TIME)
    location = forms.CharField(max_length=120, help_text="e.g. Room 12, playground")
    staff_involved = StaffField(
        queryset=StaffMember.objects.none(), required=False, label="Staff involved"
    )
    witnesses = forms.CharField(max_length=300, required=False, label="Other witnesses")
    antecedent = forms.CharField(label="What happened just before", widget=text())
    narrative = forms.CharField(
        label="What happened (objective: what you saw and heard)", widget=text(4)
    )
    deescalation = forms.CharField(label="De-escalation tried", required=False, widget=text())
    interventions = forms.CharField(label="Interventions used", required=False, widget=text())
    injuries = forms.BooleanField(label="Anyone injured", required=False)
    injury_description = forms.CharField(
        label="Injuries (to anyone)", required=False, widget=text()
    )
    first_aid = forms.CharField(label="First aid given", required=False, widget=text())
    others_notified = forms.CharField(
        label="Who else was notified, and when", required=False, widget=text(1)
    )
    # Restraint and seclusion.
    imminent_risk = forms.CharField(
        label="Behavior that made it necessary (imminent risk of injury)",
        required=False,
        widget=text(),
    )
    less_restrictive_tried = forms.CharField(
        label="Less restrictive steps tried first", required=False, widget=text()
    )
    nurse_involved = forms.BooleanField(label="Nurse involved", required=False)
    nurse_notes = forms.CharField(label="Nurse's assessment", required=False, widget=text())

    RESTRAINT_FIELDS = ["imminent_risk", "less_restrictive_tried", "nurse_involved", "nurse_notes"]

    def __init__(self, *args, learner, reporter=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.learner = learner
        self.zone = ZoneInfo(learner.organization.time_zone)
        self.policy = IncidentPolicy.for_organization(learner.organization)
        self.fields["staff_involved"].queryset = staff_choices(learner, reporter)

    def at(self, day, clock):
        return datetime.combine(day, clock, tzinfo=self.zone) if day and clock else None

    def clean_date(self):
        return clean_day(self.cleaned_data["date"], self.zone, INCIDENT_DATE)

    def report_data(self):
        data = self.cleaned_data
        fields = {
            name: data.get(name)
            for name in [
                "kind",
                "location",
                "witnesses",
                "antecedent",
                "narrative",
                "deescalation",
                "interventions",
                "injuries",
                "injury_description",
                "first_aid",
                "others_notified",
                "imminent_risk",
                "less_restrictive_tried",
                "nurse_involved",
                "nurse_notes",
            ]
        }
        fields["started_at"] = self.at(data.get("date"), data.get("start"))
        fields["ended_at"] = self.at(data.get("date"), data.get("end"))
        return fields

    def has_episodes(self):
        return True

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        problems = incident_problems(self.report_data(), has_episodes=self.has_episodes())
        rename = {"started_at": "start", "ended_at": "end", "episode": "episode_start"}
        for name, message in problems.items():
            self.add_error(
                rename.get(name, name) if rename.get(name, name) in self.fields else None, message
            )
        return data

    @classmethod
    def initial_for(cls, incident, zone):
        start = incident.started_at.astimezone(zone)
        end = incident.ended_at.astimezone(zone)
        initial = {
            name: getattr(incident, name)
            for name in cls.base_fields
            if hasattr(incident, name) and name not in ("staff_involved",)
        }
        initial.update(
            date=start.date(),
            start=start.time().replace(second=0, microsecond=0),
            end=end.time().replace(second=0, microsecond=0),
            staff_involved=list(incident.staff_involved.all()),
        )
        return initial


class FileIncidentForm(StaffPickerMixin, ReportForm):
    """The report with its first restraint or seclusion episode."""

    episode_kind = forms.ChoiceField(
        label="Restraint / seclusion",
        required=False,
        choices=[("", "Choose…")] + RestraintEpisode.Kind.choices,
    )
    technique = forms.CharField(label="Technique, in plain words", required=False, max_length=300)
    episode_start = forms.TimeField(label="Restraint start", required=False, widget=TIME)
    episode_end = forms.TimeField(label="Restraint end", required=False, widget=TIME)
    monitoring = forms.CharField(label="Monitoring during it", required=False, widget=text())
    release_criteria = forms.CharField(label="Release criteria", required=False, widget=text(1))
    applied_by = StaffField(queryset=StaffMember.objects.none(), required=False, label="Applied by")
    observed_by = StaffField(
        queryset=StaffMember.objects.none(), required=False, label="Observed / monitored by"
    )
    approved_by = forms.CharField(
        label="Approved by (administrator)", required=False, max_length=120
    )
    approved_at = forms.TimeField(label="Approved at", required=False, widget=TIME)

    EPISODE_FIELDS = [
        "episode_kind",
        "technique",
        "episode_start",
        "episode_end",
        "monitoring",
        "release_criteria",
        "applied_by",
        "observed_by",
        "approved_by",
        "approved_at",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = self.fields["staff_involved"].queryset
        self.fields["applied_by"].queryset = choices
        self.fields["observed_by"].queryset = choices
        self.fields[
            "approved_by"
        ].help_text = (
            f"Needed when it lasts longer than {self.policy.restraint_approval_minutes} minutes."
        )

    def is_restrictive(self):
        return self.cleaned_data.get("kind") in Incident.RESTRICTIVE

    def has_episodes(self):
        return not self.is_restrictive() or bool(
            self.cleaned_data.get("episode_start") and self.cleaned_data.get("episode_end")
        )

    def episode_data(self):
        data = self.cleaned_data
        day = data.get("date")
        kind = data.get("episode_kind") or (
            "seclusion" if data.get("kind") == Incident.Kind.SECLUSION else "physical"
        )
        return {
            "kind": kind,
            "technique": data.get("technique", ""),
            "started_at": self.at(day, data.get("episode_start")),
            "ended_at": self.at(day, data.get("episode_end")),
            "monitoring": data.get("monitoring", ""),
            "release_criteria": data.get("release_criteria", ""),
            "approved_by": data.get("approved_by", ""),
            "approved_at": self.at(day, data.get("approved_at")),
            "applied_by": list(data.get("applied_by") or []),
            "observed_by": list(data.get("observed_by") or []),
        }

    def episodes(self):
        return [self.episode_data()] if self.is_restrictive() else []

    def clean(self):
        data = super().clean()
        if self.errors or not self.is_restrictive():
            return data
        if not data.get("episode_start"):
            self.add_error("episode_start", "When did the restraint start?")
        if not data.get("episode_end"):
            self.add_error("episode_end", "When did it end?")
        if not (data.get("technique") or "").strip():
            self.add_error("technique", "Describe the technique in plain words.")
        if self.errors:
            return data
        rename = {"started_at": "episode_start", "ended_at": "episode_end"}
        for name, message in episode_problems(self.episode_data(), self.policy).items():
            self.add_error(rename.get(name, name), message)
        return data


class AmendForm(ReportForm):
    reason = forms.CharField(
        label="Reason for the amendment",
        required=False,
        widget=text(),
        help_text="Required once the report is signed; the original stays readable.",
    )

    def __init__(self, *args, incident, **kwargs):
        self.incident = incident
        super().__init__(*args, learner=incident.learner, reporter=None, **kwargs)
        self.fields["staff_involved"].queryset = staff_choices(
            incident.learner, extra=list(incident.staff_involved.all())
        )
        if not incident.is_locked:
            self.fields.pop("reason")

    def has_episodes(self):
        return self.incident.episodes.exists()

    def clean(self):
        data = super().clean()
        if self.incident.is_locked and not (data.get("reason") or "").strip():
            self.add_error("reason", "The report is signed: give the reason for the amendment.")
        return data


class EpisodeForm(StaffPickerMixin, forms.Form):
    kind = forms.ChoiceField(label="Restraint / seclusion", choices=RestraintEpisode.Kind.choices)
    technique = forms.CharField(label="Technique, in plain words", max_length=300)
    date = forms.DateField(widget=DATE)
    start = forms.TimeField(label="Start", widget=TIME)
    end = forms.TimeField(label="End", widget=TIME)
    monitoring = forms.CharField(label="Monitoring during it", required=False, widget=text())
    release_criteria = forms.CharField(required=False, widget=text(1))
    applied_by = StaffField(queryset=StaffMember.objects.none(), label="Applied by")
    observed_by = StaffField(
        queryset=StaffMember.objects.none(), required=False, label="Observed / monitored by"
    )
    approved_by = forms.CharField(
        label="Approved by (administrator)", required=False, max_length=120
    )
    approved_at = forms.TimeField(required=False, widget=TIME)

    def __init__(self, *args, incident, **kwargs):
        super().__init__(*args, **kwargs)
        self.zone = ZoneInfo(incident.organization.time_zone)
        self.policy = IncidentPolicy.for_organization(incident.organization)
        choices = staff_choices(incident.learner)
        self.fields["applied_by"].queryset = choices
        self.fields["observed_by"].queryset = choices

    def clean_date(self):
        return clean_day(self.cleaned_data["date"], self.zone, RESTRAINT_START)

    def episode_data(self):
        data = self.cleaned_data

        def at(clock):
            return datetime.combine(data["date"], clock, tzinfo=self.zone) if clock else None

        return {
            "kind": data["kind"],
            "technique": data["technique"],
            "started_at": at(data["start"]),
            "ended_at": at(data["end"]),
            "monitoring": data["monitoring"],
            "release_criteria": data["release_criteria"],
            "approved_by": data["approved_by"],
            "approved_at": at(data.get("approved_at")),
            "applied_by": list(data["applied_by"]),
            "observed_by": list(data["observed_by"]),
        }

    def clean(self):
        data = super().clean()
        if not self.errors:
            rename = {"started_at": "start", "ended_at": "end"}
            for name, message in episode_problems(self.episode_data(), self.policy).items():
                self.add_error(rename.get(name, name), message)
        return data


class SignForm(SignatureForm):
    """The review comments and the signature: typed name and password, as for a session note."""

    comments = forms.CharField(label="Review comments", required=False, widget=text(3))
    field_order = ["comments", "typed_name", "password"]


class GuardianContactForm(forms.Form):
    date = forms.DateField(widget=DATE)
    time = forms.TimeField(widget=TIME)
    method = forms.ChoiceField(choices=GuardianContact.Method.choices)
    person = forms.CharField(label="Person contacted", max_length=120)
    reached = forms.BooleanField(label="Reached / confirmed", required=False)
    notes = forms.CharField(required=False, widget=text())

    def __init__(self, *args, incident, **kwargs):
        super().__init__(*args, **kwargs)
        self.zone = ZoneInfo(incident.organization.time_zone)
        now = timezone.now().astimezone(self.zone)
        self.fields["date"].initial = now.date()
        self.fields["time"].initial = now.strftime("%H:%M")
        guardians = [
            str(link.guardian)
            for link in incident.learner.guardian_links.select_related("guardian")
        ]
        if guardians:
            self.fields["person"].initial = guardians[0]

    def clean_date(self):
        return clean_day(self.cleaned_data["date"], self.zone, CONTACT_TIME)

    def contact_data(self):
        data = self.cleaned_data
        return {
            "at": datetime.combine(data["date"], data["time"], tzinfo=self.zone),
            "method": data["method"],
            "person": data["person"],
            "reached": data["reached"],
            "notes": data["notes"],
        }


class DebriefForm(forms.ModelForm):
    class Meta:
        model = Debrief
        fields = ["kind", "held_on", "participants", "summary"]
        widgets = {"held_on": DATE, "summary": text(3)}


class FollowUpForm(forms.Form):
    action = forms.CharField(max_length=300)
    owner = forms.ModelChoiceField(queryset=StaffMember.objects.none())
    due_on = forms.DateField(widget=DATE)

    def __init__(self, *args, incident, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = staff_choices(incident.learner)
