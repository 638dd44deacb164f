"""Incident reports, restraint and seclusion episodes, guardian contacts, debriefs, follow-ups,
amendments, in-app notifications, and the per-organization incident policy."""

import uuid
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from trellis.people.models import Learner, Organization, StaffMember
from trellis.validators import DateRange, NumberRange

# What has happened cannot be in the future (a clock slack for times, today anywhere for dates).
INCIDENT_DATE = DateRange("Date of the incident", future=False)
INCIDENT_START = DateRange("Start of the incident", future=False)
INCIDENT_END = DateRange("End of the incident", future=False)
RESTRAINT_START = DateRange("Restraint start", future=False)
RESTRAINT_END = DateRange("Restraint end", future=False)
APPROVAL_TIME = DateRange("Approval time", future=False)
CONTACT_TIME = DateRange("Date of the contact", future=False)
DEBRIEF_DATE = DateRange("Date of the debrief", future=False)
FOLLOW_UP_DUE = DateRange("Due date", years_ahead=2)


def policy_for(model, organization):
    """The policy of the nearest organization up the tree that has one; defaults otherwise."""
    ids = [int(part) for part in organization.path.split("/") if part]
    found = {p.organization_id: p for p in model.objects.filter(organization_id__in=ids)}
    for org_id in reversed(ids):
        if org_id in found:
            return found[org_id]
    return model(organization=organization)


class IncidentPolicy(models.Model):
    """An organization's incident rules; children inherit it unless they have their own."""

    class Deadline(models.TextChoices):
        SAME_DAY = "same_day", "The same day (by midnight, local time)"
        HOURS = "hours", "Within a number of hours of the incident's end"

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="incident_policy"
    )
    restraint_approval_minutes = models.PositiveIntegerField(
        default=15,
        validators=[NumberRange("Approval after", 1, 240, unit="minutes")],
        help_text="A restraint or seclusion longer than this needs an administrator's approval.",
    )
    guardian_deadline = models.CharField(
        max_length=10, choices=Deadline.choices, default=Deadline.SAME_DAY
    )
    guardian_deadline_hours = models.PositiveIntegerField(
        default=24, validators=[NumberRange("Guardian deadline", 1, 168, unit="hours")]
    )
    repeated_restraint_count = models.PositiveIntegerField(
        default=3,
        validators=[NumberRange("Repeated-restraint alert", 1, 100)],
        help_text=(
            "Alert when a learner is restrained or secluded more than this many times in 30 days."
        ),
    )

    class Meta:
        verbose_name_plural = "incident policies"

    def __str__(self):
        return f"Incident policy of {self.organization}"

    @classmethod
    def for_organization(cls, organization):
        return policy_for(cls, organization)

    def guardian_due(self, incident):
        """When the guardian must have been told about this incident."""
        end = incident.ended_at or incident.started_at
        if self.guardian_deadline == self.Deadline.HOURS:
            return end + timedelta(hours=self.guardian_deadline_hours)
        zone = ZoneInfo(incident.organization.time_zone)
        local_day = end.astimezone(zone).date()
        return datetime.combine(local_day, time(23, 59, 59), tzinfo=zone)


class LearnerServiceStatus(models.Model):
    """A learner's disability status over a period (IDEA or Section 504), for civil-rights
    reporting: CRDC counts restraint and seclusion by the status on the day it happened."""

    class Status(models.TextChoices):
        IDEA = "idea", "IDEA (IEP)"
        SECTION_504 = "section_504", "Section 504 only"
        NONE = "none", "No disability services"

    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="service_statuses")
    status = models.CharField(max_length=12, choices=Status.choices)
    starts_on = models.DateField(validators=[DateRange("Start of the status", years_ahead=2)])
    ends_on = models.DateField(
        null=True, blank=True, validators=[DateRange("End of the status", years_ahead=10)]
    )

    class Meta:
        ordering = ["-starts_on"]

    def __str__(self):
        return f"{self.learner}: {self.get_status_display()} from {self.starts_on}"

    @classmethod
    def on(cls, learner, day):
        found = (
            cls.objects.filter(learner=learner, starts_on__lte=day)
            .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))
            .first()
        )
        return found.status if found else cls.Status.NONE


class IncidentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Reports on learners the user may see as staff. Families do not read incident reports
        here: what is released to them (the guardian notice) reaches them separately."""
        from trellis.people.access import staff_learner_filter

        return self.filter(learner__in=Learner.objects.filter(staff_learner_filter(user)))

    def restrictive(self):
        return self.filter(kind__in=Incident.RESTRICTIVE)


class Incident(models.Model):
    """One learner's incident report. An event involving several learners is filed as one report
    per learner (sharing `event_id`), so each report is seen only by those who may see that
    learner."""

    class Kind(models.TextChoices):
        BEHAVIORAL = "behavioral", "Behavioral"
        MEDICAL = "medical", "Medical"
        INJURY = "injury", "Accident / injury"
        PROPERTY = "property", "Property damage"
        ELOPEMENT = "elopement", "Elopement"
        RESTRAINT = "restraint", "Restraint"
        SECLUSION = "seclusion", "Seclusion"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        FILED = "filed", "Filed, awaiting review"
        SIGNED = "signed", "Reviewed and signed"
        CLOSED = "closed", "Closed"

    RESTRICTIVE = (Kind.RESTRAINT, Kind.SECLUSION)
    # Kinds a guardian must always be told about (any report with an injury too).
    GUARDIAN_KINDS = (Kind.RESTRAINT, Kind.SECLUSION, Kind.MEDICAL, Kind.INJURY, Kind.ELOPEMENT)

    event_id = models.UUIDField(default=uuid.uuid4, db_index=True)
    learner = models.ForeignKey(Learner, on_delete=models.PROTECT, related_name="incidents")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("type", max_length=12, choices=Kind.choices)
    started_at = models.DateTimeField("start", validators=[INCIDENT_START])
    ended_at = models.DateTimeField("end", validators=[INCIDENT_END])
    location = models.CharField(max_length=120)
    staff_involved = models.ManyToManyField(
        StaffMember, related_name="incidents_involved", blank=True
    )
    witnesses = models.CharField(max_length=300, blank=True)
    antecedent = models.TextField(help_text="What happened just before.")
    narrative = models.TextField(
        "what happened", help_text="Objective: what was seen and heard, not why."
    )
    deescalation = models.TextField("de-escalation tried", blank=True)
    interventions = models.TextField("interventions used", blank=True)
    injuries = models.BooleanField("anyone injured", default=False)
    injury_description = models.TextField("injuries (to anyone)", blank=True)
    first_aid = models.TextField("first aid given", blank=True)
    others_notified = models.TextField(
        "who else was notified and when", blank=True, help_text="e.g. Principal by radio, 10:05."
    )
    # Restraint and seclusion (the fields CRDC and state rules ask for).
    imminent_risk = models.TextField(
        "behavior that made it necessary", blank=True, help_text="The imminent risk of injury."
    )
    less_restrictive_tried = models.TextField("less restrictive steps tried first", blank=True)
    nurse_involved = models.BooleanField(default=False)
    nurse_notes = models.TextField("nurse's assessment", blank=True)
    disability_status = models.CharField(
        "IDEA / 504 status on the day",
        max_length=12,
        choices=LearnerServiceStatus.Status.choices,
        default=LearnerServiceStatus.Status.NONE,
    )
    training_lapsed = models.BooleanField(
        default=False,
        help_text="A staff member who applied a restraint had no current crisis training.",
    )
    guardian_required = models.BooleanField(default=False)
    guardian_due_at = models.DateTimeField(null=True, blank=True)
    guardian_notified_at = models.DateTimeField(null=True, blank=True)
    # Workflow.
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.FILED)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    filed_at = models.DateTimeField(default=timezone.now)
    review_comments = models.TextField(blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    # The name the reviewer typed when signing (with their password, like a session note).
    signed_name = models.CharField(max_length=200, blank=True)
    # The report as it was signed; amendments change the live fields, this stays.
    signed_version = models.JSONField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    medication_error = models.OneToOneField(
        "health.MedicationError",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incident",
    )

    objects = IncidentQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        indexes = [
            # A learner's history and the repeated-restraint count, newest first.
            models.Index(fields=["learner", "kind", "-started_at"]),
            # Reports filter an organization's incidents by date.
            models.Index(fields=["organization", "started_at"]),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} incident #{self.pk}"

    @property
    def is_restrictive(self):
        return self.kind in self.RESTRICTIVE

    @property
    def is_locked(self):
        return self.status != self.Status.FILED

    @property
    def duration_minutes(self):
        return round((self.ended_at - self.started_at).total_seconds() / 60)

    @property
    def guardian_overdue(self):
        if not self.guardian_required or self.guardian_due_at is None:
            return False
        if self.guardian_notified_at:
            return self.guardian_notified_at > self.guardian_due_at
        return timezone.now() > self.guardian_due_at

    @property
    def guardian_pending(self):
        return self.guardian_required and self.guardian_notified_at is None

    def debrief_missing(self):
        """Which debriefs a restraint or seclusion still needs before the report may close."""
        if not self.is_restrictive:
            return []
        held = set(self.debriefs.values_list("kind", flat=True))
        return [label for kind, label in Debrief.Kind.choices if kind not in held]


class RestraintEpisode(models.Model):
    """One restraint or seclusion within an incident, with its exact start and end."""

    class Kind(models.TextChoices):
        PHYSICAL = "physical", "Physical restraint"
        MECHANICAL = "mechanical", "Mechanical restraint"
        SECLUSION = "seclusion", "Seclusion"

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="episodes")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    technique = models.CharField("technique, in plain words", max_length=300)
    started_at = models.DateTimeField("restraint start", validators=[RESTRAINT_START])
    ended_at = models.DateTimeField("restraint end", validators=[RESTRAINT_END])
    duration_ms = models.PositiveBigIntegerField(editable=False)
    monitoring = models.TextField("monitoring during it", blank=True)
    release_criteria = models.TextField(blank=True)
    approved_by = models.CharField(
        "approved by (administrator)",
        max_length=120,
        blank=True,
        help_text="Needed when it runs longer than the organization's limit.",
    )
    approved_at = models.DateTimeField(
        "approved at", null=True, blank=True, validators=[APPROVAL_TIME]
    )

    class Meta:
        ordering = ["started_at"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.minutes} min"

    def save(self, *args, **kwargs):
        self.duration_ms = int((self.ended_at - self.started_at).total_seconds() * 1000)
        super().save(*args, **kwargs)

    @property
    def minutes(self):
        return round(self.duration_ms / 60000, 1)


class EpisodeStaff(models.Model):
    """A staff member's part in a restraint, with their crisis training as it stood that day."""

    class Part(models.TextChoices):
        APPLIED = "applied", "applied"
        OBSERVED = "observed", "observed / monitored"

    episode = models.ForeignKey(RestraintEpisode, on_delete=models.CASCADE, related_name="staff")
    staff = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="+")
    part = models.CharField(max_length=10, choices=Part.choices)
    crisis_training_expires_on = models.DateField(null=True, blank=True)
    training_current = models.BooleanField(default=False)

    class Meta:
        ordering = ["part", "staff"]

    def __str__(self):
        return f"{self.staff} ({self.part})"


class GuardianContact(models.Model):
    """One attempt to tell a guardian (reached or not); a reached attempt confirms the notice."""

    class Method(models.TextChoices):
        PHONE = "phone", "Phone call"
        IN_PERSON = "in_person", "In person"
        EMAIL = "email", "Email"
        TEXT = "text", "Text message"
        WRITTEN = "written", "Written notice (letter)"

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="contacts")
    at = models.DateTimeField("date and time", validators=[CONTACT_TIME])
    method = models.CharField(max_length=10, choices=Method.choices)
    person = models.CharField("person contacted", max_length=120)
    reached = models.BooleanField("reached / confirmed", default=False)
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at"]

    def __str__(self):
        return f"{self.get_method_display()} to {self.person} at {self.at:%Y-%m-%d %H:%M}"


class Debrief(models.Model):
    class Kind(models.TextChoices):
        STAFF = "staff", "Debrief with staff"
        FAMILY = "family", "Debrief with the learner and family"

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="debriefs")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    held_on = models.DateField(validators=[DEBRIEF_DATE])
    participants = models.CharField(max_length=300)
    summary = models.TextField(help_text="What was learned and what will change.")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["held_on"]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.held_on}"


class FollowUp(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="follow_ups")
    action = models.CharField(max_length=300)
    owner = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField(validators=[FOLLOW_UP_DUE])
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on"]

    def __str__(self):
        return self.action


class Amendment(models.Model):
    """A change to a signed report: the fields, their old and new values, and why."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="amendments")
    changes = models.JSONField(help_text='{"field": {"label": ..., "old": ..., "new": ...}}')
    reason = models.TextField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at"]

    def __str__(self):
        return f"Amendment of {self.incident} at {self.at:%Y-%m-%d %H:%M}"


class Notification(models.Model):
    """An in-app notice for one user (a report to review, an error, an expiring credential)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=32)
    message = models.CharField(max_length=300)
    url = models.CharField(max_length=200, blank=True)
    incident = models.ForeignKey(
        Incident, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # The email copy, sent by a task (incidents/tasks.py); emailed_at says it went, so a task
    # that runs twice sends it once.
    email_subject = models.CharField(max_length=200, blank=True)
    email_text = models.TextField(blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        # The nav badge counts a user's unread notifications on every page.
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self):
        return self.message
