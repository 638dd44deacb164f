"""Staff credentials and trainings, with their issue and expiry dates."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from trellis.people.models import StaffMember
from trellis.validators import DateRange

ALERT_DAYS = 30


class Kind(models.TextChoices):
    RBT = "rbt", "Registered Behavior Technician (RBT)"
    CPR = "cpr_first_aid", "CPR / First Aid"
    CRISIS = "crisis_prevention", "Crisis prevention (e.g. CPI, Safety-Care)"
    MEDICATION = "medication_administration", "Medication administration"
    PARAPROFESSIONAL = "paraprofessional", "Paraprofessional certificate"
    OTHER = "other", "Other"


class CredentialQuerySet(models.QuerySet):
    def current(self, on=None):
        """Credentials in force on a date: issued by then and not yet expired."""
        on = on or date.today()
        return self.filter(issued_on__lte=on).filter(
            Q(expires_on__isnull=True) | Q(expires_on__gte=on)
        )

    def expiring(self, on=None, days=ALERT_DAYS):
        """Current credentials that expire within `days` of `on`."""
        on = on or date.today()
        return self.current(on).filter(expires_on__lte=on + timedelta(days=days))


class Credential(models.Model):
    """One credential or training certificate of a staff member."""

    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="credentials")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    name = models.CharField(
        max_length=160,
        blank=True,
        help_text="The program or certificate, e.g. CPI Nonviolent Crisis Intervention.",
    )
    number = models.CharField("certificate number", max_length=60, blank=True)
    # Issued on a day that has come; a credential lasts at most ten years (renewed after).
    issued_on = models.DateField(validators=[DateRange("Date of issue", future=False)])
    expires_on = models.DateField(
        null=True,
        blank=True,
        help_text="Leave empty if it does not expire.",
        validators=[DateRange("Expiry date", years_ahead=10)],
    )
    recorded_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = CredentialQuerySet.as_manager()

    class Meta:
        ordering = ["staff", "kind", "-expires_on"]
        # "Is this person's crisis training current?" is asked on every restraint report.
        indexes = [models.Index(fields=["staff", "kind", "expires_on"])]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.staff}"

    def clean(self):
        if self.expires_on and self.issued_on and self.expires_on <= self.issued_on:
            raise ValidationError({"expires_on": "The expiry date must be after the issue date."})

    def status(self, on=None):
        """ "current", "expiring" (within 30 days), "lapsed", or "not yet valid"."""
        on = on or date.today()
        if self.issued_on > on:
            return "not yet valid"
        if self.expires_on is None:
            return "current"
        if self.expires_on < on:
            return "lapsed"
        if self.expires_on <= on + timedelta(days=ALERT_DAYS):
            return "expiring"
        return "current"


class ExpiryAlert(models.Model):
    """That the 30-day alert for a credential was sent, so it is sent once."""

    credential = models.OneToOneField(Credential, on_delete=models.CASCADE, related_name="alert")
    sent_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Expiry alert for {self.credential}"


def latest(staff, kind, on=None):
    """The staff member's credential of this kind that counts on a date: the current one with the
    latest expiry, else the most recently expired one (so a report can say when it lapsed)."""
    on = on or date.today()
    mine = Credential.objects.filter(staff=staff, kind=kind, issued_on__lte=on)
    current = mine.current(on).order_by(models.F("expires_on").desc(nulls_first=True)).first()
    return current or mine.order_by("-expires_on").first()


def is_current(staff, kind, on=None) -> bool:
    return Credential.objects.filter(staff=staff, kind=kind).current(on).exists()
