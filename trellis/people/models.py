"""Organizations, staff and their roles, learners, guardians, case assignments and groups."""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.utils import timezone

from trellis.validators import DateRange


class Organization(models.Model):
    """A node of the organization tree: district → school, or agency → program/clinic."""

    class Kind(models.TextChoices):
        DISTRICT = "district", "District"
        SCHOOL = "school", "School"
        AGENCY = "agency", "Agency"
        PROGRAM = "program", "Program / clinic"

    class LearnerWord(models.TextChoices):
        STUDENT = "student", "student"
        CLIENT = "client", "client"
        LEARNER = "learner", "learner"

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    learner_word = models.CharField(
        max_length=20,
        choices=LearnerWord.choices,
        default=LearnerWord.STUDENT,
        help_text="What this organization calls a learner.",
    )
    time_zone = models.CharField(max_length=64, default="America/Chicago")
    two_factor_for_everyone = models.BooleanField(
        default=False,
        help_text="Every staff member here (and in the organizations under it) signs in with a "
        "second factor; supervisors, program admins and admin users always do.",
    )
    # Materialized path ("12/40/") so a subtree is one indexed prefix query.
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")

    class Meta:
        ordering = ["path"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        path = f"{self.parent.path if self.parent else ''}{self.pk}/"
        if path != self.path:
            old = self.path
            Organization.objects.filter(pk=self.pk).update(path=path)
            self.path = path
            if old:
                for child in self.children.all():
                    child.save()

    def clean(self):
        from zoneinfo import available_timezones

        if self.time_zone not in available_timezones():
            raise ValidationError({"time_zone": f"Unknown time zone {self.time_zone!r}."})
        ancestor = self.parent
        while ancestor is not None:
            if self.pk and ancestor.pk == self.pk:
                raise ValidationError({"parent": "An organization cannot be inside itself."})
            ancestor = ancestor.parent

    def subtree(self):
        return Organization.objects.filter(path__startswith=self.path)

    @property
    def learner_label(self):
        return self.get_learner_word_display()


class Role(models.TextChoices):
    ASSISTANT = "assistant", "Intervention assistant"
    TECHNICIAN = "technician", "Behavior technician"
    TEACHER = "teacher", "Teacher"
    SUPERVISOR = "supervisor", "Specialist / supervisor"
    NURSE = "nurse", "Nurse"
    PROGRAM_ADMIN = "program_admin", "Program admin"


class StaffMember(models.Model):
    """A person who works with learners; signs in with the linked user account."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff"
    )
    title = models.CharField(max_length=120, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    supervisors = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="supervisees",
        help_text="Who supervises this person's work (e.g. the BCBA of a technician).",
    )
    may_break_glass = models.BooleanField(
        "may use emergency access",
        default=False,
        help_text="May open the record of a learner outside their caseload in an emergency "
        "(with a reason, for a short time, reviewed by a program admin).",
    )

    class Meta:
        ordering = ["user__last_name", "user__first_name"]

    def __str__(self):
        return self.user.get_full_name() or self.user.get_username()


class Membership(models.Model):
    """A staff member's role in one organization (a person may hold roles in several)."""

    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["staff", "organization", "role"], name="unique_membership_role"
            )
        ]

    def __str__(self):
        return f"{self.staff} — {self.get_role_display()} at {self.organization}"


class LearnerQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Learners this user may see; the rule lives in `trellis.people.access`."""
        from trellis.people.access import visible_learner_filter

        return self.filter(visible_learner_filter(user)).distinct()

    def search(self, text):
        text = (text or "").strip()
        if not text:
            return self
        query = Q()
        for word in text.split():
            query &= (
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(preferred_name__icontains=word)
                | Q(local_id__icontains=word)
            )
        return self.filter(query)


class Learner(models.Model):
    """A student or client: the person every protected record belongs to."""

    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="learners",
        help_text="The school or program the learner attends.",
    )
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    birth_date = models.DateField(validators=[DateRange("Birth date", future=False)])
    grade = models.CharField(max_length=20, blank=True, help_text="Grade level (school).")
    program = models.CharField(max_length=120, blank=True, help_text="Program (clinic).")
    local_id = models.CharField("local ID", max_length=40, blank=True)
    state_id = models.CharField("state ID", max_length=40, blank=True)
    sourced_id = models.CharField(
        max_length=64, blank=True, help_text="OneRoster sourcedId, for roster imports."
    )
    languages = models.CharField(
        max_length=200, blank=True, help_text="Languages spoken, comma-separated."
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LearnerQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name"]
        # Caseload lists sort and search by name within an organization.
        indexes = [models.Index(fields=["organization", "last_name", "first_name"])]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self):
        first = self.preferred_name or self.first_name
        return f"{first} {self.last_name}"

    @property
    def age(self):
        today = date.today()
        born = self.birth_date
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))

    def active_assignments(self, on=None):
        return self.assignments.active(on).select_related("staff__user")


class Guardian(models.Model):
    """A parent or guardian; may have a user account for the family portal."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="guardian",
    )
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    address = models.TextField(blank=True)
    preferred_language = models.CharField(
        max_length=10,
        default="en",
        choices=[
            ("en", "English"),
            ("es", "Spanish"),
            ("vi", "Vietnamese"),
            ("ar", "Arabic"),
            ("zh", "Chinese"),
            ("so", "Somali"),
        ],
    )
    learners = models.ManyToManyField(Learner, through="GuardianLink", related_name="guardians")

    class Meta:
        ordering = ["last_name", "first_name"]

    def __str__(self):
        return f"{self.first_name} {self.last_name}"


class GuardianLink(models.Model):
    guardian = models.ForeignKey(Guardian, on_delete=models.CASCADE, related_name="links")
    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="guardian_links")
    relationship = models.CharField(max_length=40, default="parent")
    educational_rights = models.BooleanField(default=True)
    lives_with = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["guardian", "learner"], name="unique_guardian_link")
        ]

    def __str__(self):
        return f"{self.guardian} ({self.relationship}) of {self.learner}"


class CaseAssignmentQuerySet(models.QuerySet):
    def active(self, on=None):
        """Assignments in force on a date (today by default): started and not yet ended."""
        on = on or timezone.localdate()
        return self.filter(starts_on__lte=on).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))


class CaseAssignment(models.Model):
    """A staff member on a learner's case, with their role and the dates it runs."""

    class CaseRole(models.TextChoices):
        ASSISTANT = "assistant", "Intervention assistant"
        TECHNICIAN = "technician", "Behavior technician"
        CASE_MANAGER = "case_manager", "Case manager"
        TEACHER = "teacher", "Teacher"
        BCBA = "bcba", "BCBA / clinical supervisor"
        SPECIALIST = "specialist", "Specialist"
        NURSE = "nurse", "Nurse"

    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="assignments")
    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="assignments")
    role = models.CharField(max_length=20, choices=CaseRole.choices)
    starts_on = models.DateField(default=date.today)
    ends_on = models.DateField(null=True, blank=True)

    objects = CaseAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on"]
        # Access checks look up a staff member's assignments on every request.
        indexes = [models.Index(fields=["staff", "learner"])]

    def __str__(self):
        return f"{self.staff} — {self.get_role_display()} for {self.learner}"

    def clean(self):
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "The end date is before the start date."})


class Group(models.Model):
    """A small group for group instruction or a group session."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(max_length=120)
    learners = models.ManyToManyField(Learner, related_name="groups", blank=True)
    staff = models.ManyToManyField(StaffMember, related_name="groups", blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class EmergencyAccessQuerySet(models.QuerySet):
    def in_force(self):
        # Now() in SQL, not a parameter: the access rule's SQL is compiled once a day.
        return self.filter(expires_at__gt=Now())

    def unreviewed(self):
        return self.filter(reviewed_at__isnull=True)


class EmergencyAccess(models.Model):
    """Break-glass (HIPAA 164.312(a)(2)(ii)): a staff member allowed to do so opens the record of a
    learner outside their caseload, for a reason, until `expires_at`; a program admin of the
    learner's organization reviews each use as justified or not."""

    staff = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="emergency")
    learner = models.ForeignKey(Learner, on_delete=models.PROTECT, related_name="emergency")
    reason = models.TextField()
    started_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(
        StaffMember, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    justified = models.BooleanField(null=True)
    review_note = models.TextField(blank=True)

    objects = EmergencyAccessQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        verbose_name_plural = "emergency accesses"
        indexes = [models.Index(fields=["staff", "expires_at"])]

    def __str__(self):
        return f"{self.staff} opened {self.learner} at {self.started_at:%Y-%m-%d %H:%M}"
