"""Who outside the school or agency was given a learner's records, and the records requests of
families (FERPA 34 CFR 99.10, 99.20, 99.32; IDEA 300.613, 300.614).

Both are part of the learner's record and kept as long as it is: disclosures are never edited or
deleted (a mistake is corrected by a note on a new entry), and a decided request keeps its
decision and any statement of disagreement.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from trellis.people.models import Learner
from trellis.validators import DateRange

# 34 CFR 99.10(b) and 300.613(a): access within 45 days, and before any IEP meeting or hearing.
INSPECTION_DAYS = 45
# 99.20(b) asks for a decision "within a reasonable period of time": the organization's
# practice, 30 days here.
AMENDMENT_DAYS = 30


class Disclosure(models.Model):
    class Basis(models.TextChoices):
        CONSENT = "consent", "Written consent of the parent or eligible student (99.30)"
        SCHOOL_TRANSFER = "transfer", "Another school where the student enrolls (99.31(a)(2))"
        AUTHORITY = "authority", "Education authorities, audit or evaluation (99.31(a)(3))"
        STUDY = "study", "Studies for the school or agency (99.31(a)(6))"
        COURT = "court", "Court order or lawful subpoena (99.31(a)(9))"
        EMERGENCY = "emergency", "Health or safety emergency (99.31(a)(10), 99.36)"
        JUVENILE = "juvenile", "Juvenile justice system under state law (99.31(a)(5))"
        TREATMENT = "treatment", "Treatment, payment or operations (HIPAA 164.506)"
        OTHER = "other", "Another legal basis (say which)"

    learner = models.ForeignKey(Learner, on_delete=models.PROTECT, related_name="disclosures")
    disclosed_on = models.DateField(
        "date disclosed", validators=[DateRange("Date disclosed", future=False)]
    )
    party = models.CharField(
        "given to", max_length=200, help_text="The person and the organization they act for."
    )
    records = models.CharField(
        "records disclosed", max_length=300, help_text="e.g. IEP progress report, spring term."
    )
    basis = models.CharField("legal basis", max_length=12, choices=Basis.choices)
    interest = models.TextField(
        "legitimate interest or details",
        help_text="Why the party needs the records, the consent on file, or the order.",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-disclosed_on", "-recorded_at"]

    def __str__(self):
        return f"{self.records} to {self.party} on {self.disclosed_on}"


class RecordsRequestQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=RecordsRequest.Status.OPEN)

    def overdue(self):
        return self.open().filter(due_on__lt=timezone.localdate())


class RecordsRequest(models.Model):
    class Kind(models.TextChoices):
        INSPECT = "inspect", "Inspect and review the records (99.10)"
        AMEND = "amend", "Amend the records (99.20)"

    class Status(models.TextChoices):
        OPEN = "open", "open"
        FULFILLED = "fulfilled", "records shown"
        AMENDED = "amended", "amended as asked"
        REFUSED = "refused", "amendment refused"

    learner = models.ForeignKey(Learner, on_delete=models.PROTECT, related_name="records_requests")
    kind = models.CharField("request", max_length=8, choices=Kind.choices)
    requested_by = models.CharField(
        "requested by", max_length=200, help_text="Name and relationship, e.g. Ana Ruiz, mother."
    )
    received_on = models.DateField(
        "date received", validators=[DateRange("Date received", future=False)]
    )
    meeting_on = models.DateField(
        "IEP meeting or hearing scheduled on",
        null=True,
        blank=True,
        validators=[DateRange("Meeting date", years_ahead=2)],
        help_text="Records must be shown before it (34 CFR 300.613).",
    )
    details = models.TextField(
        "what is asked", help_text="The records to see, or what should change and why."
    )
    due_on = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    decided_on = models.DateField(null=True, blank=True)
    decision = models.TextField(blank=True)
    disagreement = models.TextField(
        "statement of disagreement",
        blank=True,
        help_text="The parent's statement, kept with the records after a refused amendment "
        "(99.21(b)).",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = RecordsRequestQuerySet.as_manager()

    class Meta:
        ordering = ["status", "due_on"]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.learner}, due {self.due_on}"

    def legal_due_date(self):
        """45 days to show the records, and before a scheduled meeting; 30 to decide on an
        amendment."""
        days = INSPECTION_DAYS if self.kind == self.Kind.INSPECT else AMENDMENT_DAYS
        due = self.received_on + timedelta(days=days)
        if self.kind == self.Kind.INSPECT and self.meeting_on and self.meeting_on < due:
            due = self.meeting_on
        return due

    @property
    def is_overdue(self):
        return self.status == self.Status.OPEN and self.due_on < timezone.localdate()

    @property
    def meeting_comes_first(self):
        return (
            self.kind == self.Kind.INSPECT
            and self.status == self.Status.OPEN
            and self.meeting_on is not None
            and self.meeting_on <= self.received_on + timedelta(days=INSPECTION_DAYS)
        )
