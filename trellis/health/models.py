"""Medication orders, the medication administration record (MAR), medication errors and the
controlled-substance count, with the per-organization medication policy."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from trellis.people.models import Learner, Organization
from trellis.validators import DateRange, NumberRange

# Charted after the fact: none of these can be in the future (a clock slack for times).
CONSENT_DATE = DateRange("Date of consent", future=False)
DOSE_TIME = DateRange("Time given", future=False)
EFFECT_TIME = DateRange("Time of the effect", future=False)
ERROR_TIME = DateRange("Time of the error", future=False)
# A school's or a program's stock of one medication, in units.
MAX_UNITS = 100_000
COUNT_CHANGE = NumberRange("Units", -MAX_UNITS, MAX_UNITS)
UNITS_COUNTED = NumberRange("Units counted", 0, MAX_UNITS)


class MedicationPolicy(models.Model):
    """An organization's MAR rules; children inherit it unless they have their own."""

    class Witness(models.TextChoices):
        NEVER = "never", "Never"
        CONTROLLED = "controlled", "For controlled substances"
        ALWAYS = "always", "For every dose"

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="medication_policy"
    )
    window_minutes = models.PositiveIntegerField(
        default=60,
        validators=[NumberRange("Window", 1, 720, unit="minutes")],
        help_text="A dose given further than this from its scheduled time is flagged.",
    )
    witness_required = models.CharField(
        max_length=10, choices=Witness.choices, default=Witness.CONTROLLED
    )

    class Meta:
        verbose_name_plural = "medication policies"

    def __str__(self):
        return f"Medication policy of {self.organization}"

    @classmethod
    def for_organization(cls, organization):
        from trellis.incidents.models import policy_for

        return policy_for(cls, organization)

    def needs_witness(self, order):
        if self.witness_required == self.Witness.ALWAYS:
            return True
        return self.witness_required == self.Witness.CONTROLLED and order.controlled


class OrderQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Orders of learners the user may see as staff (nurses through their caseload)."""
        from trellis.people.access import staff_learner_filter

        return self.filter(learner__in=Learner.objects.filter(staff_learner_filter(user)))

    def active(self, on):
        return self.filter(starts_on__lte=on).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))


WEEKDAYS = [(0, "Mon"), (1, "Tue"), (2, "Wed"), (3, "Thu"), (4, "Fri"), (5, "Sat"), (6, "Sun")]
EVERY_DAY = [0, 1, 2, 3, 4, 5, 6]
SCHOOL_DAYS = [0, 1, 2, 3, 4]


def every_day():
    return list(EVERY_DAY)


def default_days(organization):
    """The days an order applies to unless the order says otherwise: school days (Mon–Fri) at a
    school or district, every day at an agency's program (clinic, residential)."""
    school = organization.kind in (organization.Kind.SCHOOL, organization.Kind.DISTRICT)
    return list(SCHOOL_DAYS if school else EVERY_DAY)


def days_label(days):
    """Mon–Fri, Every day, Mon, Wed, Fri…"""
    days = sorted(set(days))
    if days == EVERY_DAY:
        return "every day"
    names = dict(WEEKDAYS)
    if len(days) > 2 and days == list(range(days[0], days[-1] + 1)):
        return f"{names[days[0]]}–{names[days[-1]]}"
    return ", ".join(names[d] for d in days)


class MedicationOrder(models.Model):
    class Route(models.TextChoices):
        ORAL = "oral", "By mouth"
        TOPICAL = "topical", "Topical"
        INHALED = "inhaled", "Inhaled"
        NASAL = "nasal", "Nasal"
        INJECTION = "injection", "Injection"
        EYE = "eye", "Eye drops"
        EAR = "ear", "Ear drops"
        RECTAL = "rectal", "Rectal"
        TRANSDERMAL = "transdermal", "Patch"
        GTUBE = "gtube", "G-tube"

    learner = models.ForeignKey(Learner, on_delete=models.PROTECT, related_name="medication_orders")
    drug = models.CharField(max_length=160)
    dose = models.CharField(max_length=60, help_text="e.g. 10 mg, 2 puffs.")
    route = models.CharField(max_length=12, choices=Route.choices)
    as_needed = models.BooleanField("as needed (PRN)", default=False)
    times = models.JSONField(
        default=list, blank=True, help_text='Scheduled local times, e.g. ["08:00", "12:00"].'
    )
    days = models.JSONField(
        "days it applies",
        default=every_day,
        blank=True,
        help_text="Weekdays of the scheduled times, 0 = Monday … 6 = Sunday.",
    )
    indication = models.CharField(
        max_length=200, blank=True, help_text="When an as-needed dose may be given."
    )
    prescriber = models.CharField(max_length=120)
    starts_on = models.DateField(validators=[DateRange("Start of the order", years_ahead=1)])
    ends_on = models.DateField(
        null=True, blank=True, validators=[DateRange("End of the order", years_ahead=5)]
    )
    consent_on = models.DateField(
        "guardian consent on file (date)", validators=[CONSENT_DATE]
    )
    controlled = models.BooleanField("controlled substance", default=False)
    instructions = models.TextField(blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField(default=timezone.now)

    objects = OrderQuerySet.as_manager()

    class Meta:
        ordering = ["as_needed", "drug"]

    def __str__(self):
        return f"{self.drug} {self.dose} {self.get_route_display().lower()}"

    @property
    def schedule_label(self):
        if self.as_needed:
            return f"as needed: {self.indication}"
        return f"{', '.join(self.times)} · {days_label(self.days)}"

    def applies_on(self, day):
        """Whether the order is in force on a local day (dates and weekdays)."""
        return (
            self.starts_on <= day
            and not (self.ends_on and day > self.ends_on)
            and day.weekday() in self.days
        )

    def slot_at(self, day, clock, zone):
        return datetime.combine(day, time.fromisoformat(clock), tzinfo=zone)

    def scheduled_on(self, day, zone):
        """The scheduled datetimes (aware) of this order on a local day."""
        if self.as_needed or not self.applies_on(day):
            return []
        return [self.slot_at(day, t, zone) for t in sorted(self.times)]

    def stock(self):
        # The ledger runs in the order lines were written.
        last = self.counts.order_by("-pk").first()
        return last.balance if last else None


class DoseQuerySet(models.QuerySet):
    def standing(self):
        """Entries that count: not marked entered in error."""
        return self.filter(entered_in_error=False)


class Dose(models.Model):
    """One MAR entry. Never edited: a correction marks it entered in error and records the right
    one (`corrected_by_dose`)."""

    class Status(models.TextChoices):
        GIVEN = "given", "Given"
        REFUSED = "refused", "Refused"
        HELD = "held", "Held"
        MISSED = "missed", "Missed"
        NOT_AVAILABLE = "not_available", "Not available"

    class Reason(models.TextChoices):
        REFUSED = "refused", "Learner refused"
        ABSENT = "absent", "Learner absent"
        HELD_NURSE = "held_nurse", "Held by nurse judgment"
        HELD_PRESCRIBER = "held_prescriber", "Held per prescriber"
        VOMITING = "vomiting", "Vomiting / unable to take"
        ASLEEP = "asleep", "Asleep / unavailable"
        NOT_SUPPLIED = "not_supplied", "Not supplied by family / pharmacy"
        FIELD_TRIP = "field_trip", "Off site"
        OTHER = "other", "Other (see note)"

    order = models.ForeignKey(MedicationOrder, on_delete=models.PROTECT, related_name="doses")
    learner = models.ForeignKey(Learner, on_delete=models.PROTECT, related_name="doses")
    scheduled_for = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Empty for as-needed.",
        validators=[DateRange("Scheduled time", years_ahead=1)],
    )
    at = models.DateTimeField("time given / charted", validators=[DOSE_TIME])
    status = models.CharField(max_length=14, choices=Status.choices)
    reason = models.CharField(max_length=16, choices=Reason.choices, blank=True)
    note = models.CharField(max_length=300, blank=True)
    prn_reason = models.CharField("reason for the as-needed dose", max_length=200, blank=True)
    outside_window = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    witness = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    entered_in_error = models.BooleanField(default=False)
    error_reason = models.CharField(max_length=300, blank=True)
    corrected_by_dose = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrects"
    )

    objects = DoseQuerySet.as_manager()

    class Meta:
        ordering = ["at"]
        indexes = [
            # The MAR grid reads a learner's entries for a date range.
            models.Index(fields=["learner", "at"]),
            models.Index(fields=["order", "scheduled_for"]),
        ]

    def __str__(self):
        return f"{self.order.drug} {self.get_status_display().lower()} {self.at:%Y-%m-%d %H:%M}"


class PrnEffect(models.Model):
    """The follow-up of an as-needed dose: did it work? (An addition, not an edit of the entry.)"""

    dose = models.OneToOneField(Dose, on_delete=models.PROTECT, related_name="effect")
    effect = models.CharField(max_length=300)
    at = models.DateTimeField(validators=[EFFECT_TIME])
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self):
        return f"Effect of {self.dose}: {self.effect}"


class CountEntry(models.Model):
    """The controlled-substance ledger of one order: each change and the balance after it."""

    class Reason(models.TextChoices):
        RECEIVED = "received", "Received"
        GIVEN = "given", "Given"
        WASTED = "wasted", "Wasted"
        RETURNED = "returned", "Returned to family"
        COUNT = "count", "Count check"
        CORRECTION = "correction", "Correction (entered in error)"

    order = models.ForeignKey(MedicationOrder, on_delete=models.PROTECT, related_name="counts")
    at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(max_length=12, choices=Reason.choices)
    change = models.IntegerField(validators=[COUNT_CHANGE])
    balance = models.IntegerField()
    counted = models.IntegerField(
        null=True, blank=True, help_text="Units counted, for a check.", validators=[UNITS_COUNTED]
    )
    dose = models.ForeignKey(
        Dose, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    witness = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.order.drug}: {self.get_reason_display()} {self.change:+d} = {self.balance}"

    @property
    def discrepancy(self):
        return self.counted is not None and self.counted != self.balance


class MedicationError(models.Model):
    class Type(models.TextChoices):
        OMITTED = "omitted", "Omitted dose"
        WRONG_DOSE = "wrong_dose", "Wrong dose"
        WRONG_DRUG = "wrong_drug", "Wrong drug"
        WRONG_LEARNER = "wrong_learner", "Wrong learner"
        WRONG_ROUTE = "wrong_route", "Wrong route"
        WRONG_TIME = "wrong_time", "Wrong time"
        DOCUMENTATION = "documentation", "Documentation"
        EXPIRED = "expired", "Expired medication"
        OTHER = "other", "Other"

    class Category(models.TextChoices):
        # NCC MERP Index for Categorizing Medication Errors.
        A = "A", "A — circumstances that could cause error"
        B = "B", "B — error, did not reach the learner"
        C = "C", "C — reached the learner, no harm"
        D = "D", "D — reached the learner, monitoring needed"
        E = "E", "E — temporary harm, intervention needed"
        F = "F", "F — temporary harm, hospitalization"
        G = "G", "G — permanent harm"
        H = "H", "H — intervention to sustain life"
        I = "I", "I — death"  # noqa: E741

    learner = models.ForeignKey(Learner, on_delete=models.PROTECT, related_name="medication_errors")
    order = models.ForeignKey(
        MedicationOrder, null=True, blank=True, on_delete=models.PROTECT, related_name="errors"
    )
    dose = models.ForeignKey(
        Dose, null=True, blank=True, on_delete=models.PROTECT, related_name="errors"
    )
    error_type = models.CharField("error type", max_length=14, choices=Type.choices, blank=True)
    category = models.CharField(
        "NCC MERP category", max_length=1, choices=Category.choices, blank=True
    )
    adverse_reaction = models.BooleanField(default=False)
    occurred_at = models.DateTimeField(validators=[ERROR_TIME])
    description = models.TextField()
    action_taken = models.TextField(blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-occurred_at"]

    def __str__(self):
        what = self.get_error_type_display() if self.error_type else "Adverse reaction"
        return f"{what} ({self.category or '—'})"


def local_zone(learner):
    return ZoneInfo(learner.organization.time_zone)


def window(policy):
    return timedelta(minutes=policy.window_minutes)
