"""Progress monitoring: per-goal rollups for the caseload dashboard, decision flags as
recommendations a supervisor accepts or dismisses, team decisions (tier changes, referrals),
the organization's decision-rule settings and CBM norm bands.

Numbers come from `trellis.analysis`; the data from `trellis.collect.queries.goal_data_points`.
"""

from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.db import models

from trellis.people.models import Learner, Organization
from trellis.plans.models import Goal, LearnerScopedQuerySet, Phase, Target


class Flag(models.TextChoices):
    """What the decision rules can say about a goal (NCII rules, mastery, data gap)."""

    CHANGE_INTERVENTION = "change_intervention", "Change the intervention"
    # "Raise" for a goal to increase, "lower" for a reduction goal: see flag_label.
    RAISE_GOAL = "raise_goal", "Set a more ambitious goal"
    ADVANCE_TARGET = "advance_target", "Advance the target"
    DATA_GAP = "data_gap", "Data gap"


def flag_label(kind, direction="increase"):
    """A flag's name for a goal, in the goal's direction: a goal beating its aim line is
    raised when it is to increase and lowered when it is a reduction goal."""
    if kind == Flag.RAISE_GOAL:
        return "Lower the goal" if direction == Goal.Direction.DECREASE else "Raise the goal"
    return Flag(kind).label if kind in Flag.values else kind


# Most urgent first: the dashboard shows a goal's most urgent open flag.
FLAG_ORDER = [
    Flag.CHANGE_INTERVENTION,
    Flag.DATA_GAP,
    Flag.RAISE_GOAL,
    Flag.ADVANCE_TARGET,
]


class DecisionRules(models.Model):
    """An organization's decision-rule settings (inherited by the organizations below it).
    Without a row the NCII defaults apply: 4 consecutive points, trend after 8 points."""

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="decision_rules"
    )
    consecutive_points = models.PositiveSmallIntegerField(
        default=4, help_text="Points in a row on one side of the aim line that raise a flag."
    )
    trend_min_points = models.PositiveSmallIntegerField(
        default=8, help_text="Points since the phase began before the trend rule applies."
    )
    probe_schedule_days = models.PositiveSmallIntegerField(
        default=7, help_text="Probes (CBM) are expected at least this often (days)."
    )
    session_schedule_days = models.PositiveSmallIntegerField(
        default=7, help_text="Other measures are expected at least this often (days)."
    )

    class Meta:
        verbose_name_plural = "decision rules"

    def __str__(self):
        return f"Decision rules of {self.organization}"

    def clean(self):
        errors = {}
        if not 1 <= self.consecutive_points <= 12:
            errors["consecutive_points"] = "Give between 1 and 12 points."
        if self.trend_min_points < 3:
            errors["trend_min_points"] = "The trend rule needs at least 3 points."
        for field in ("probe_schedule_days", "session_schedule_days"):
            if getattr(self, field) < 1:
                errors[field] = "Give at least 1 day."
        if errors:
            raise ValidationError(errors)

    @classmethod
    def for_organization(cls, organization):
        """The rules in force: the organization's own, its nearest ancestor's, or defaults."""
        return cls.for_organizations([organization])[organization.pk]

    @classmethod
    def for_organizations(cls, organizations):
        """`for_organization` of each, by organization id, in one query."""
        paths = {
            org.pk: [int(pk) for pk in org.path.strip("/").split("/") if pk]
            for org in organizations
        }
        wanted = {pk for path in paths.values() for pk in path}
        found = {r.organization_id: r for r in cls.objects.filter(organization_id__in=wanted)}
        out = {}
        for org in organizations:
            nearest = next((found[pk] for pk in reversed(paths[org.pk]) if pk in found), None)
            out[org.pk] = nearest or cls(organization=org)
        return out


class NormBand(models.Model):
    """Percentile norms of a CBM measure (e.g. "words correct per minute") for a grade and a
    season, loaded by an organization (and used by the organizations below it)."""

    class Season(models.TextChoices):
        FALL = "fall", "Fall"
        WINTER = "winter", "Winter"
        SPRING = "spring", "Spring"

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="norm_bands"
    )
    measure_name = models.CharField(
        max_length=120, help_text='The probe unit it norms, e.g. "words correct per minute".'
    )
    grade = models.CharField(max_length=20)
    season = models.CharField(max_length=10, choices=Season.choices)
    p25 = models.FloatField("25th percentile")
    p50 = models.FloatField("50th percentile")
    p75 = models.FloatField("75th percentile")
    source = models.CharField(
        max_length=200, blank=True, help_text="Where the norms come from (shown on the graph)."
    )

    class Meta:
        ordering = ["organization", "measure_name", "grade", "season"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "measure_name", "grade", "season"],
                name="unique_norm_band",
            )
        ]

    def __str__(self):
        return f"{self.measure_name}, grade {self.grade}, {self.season}"

    def clean(self):
        if not self.p25 <= self.p50 <= self.p75:
            raise ValidationError({"p50": "Percentiles must rise: 25th ≤ 50th ≤ 75th."})

    @classmethod
    def for_learner(cls, learner, measure_name):
        """Bands for the learner's grade and measure from the nearest organization that loaded
        any, by season."""
        if not learner.grade:
            return {}
        ids = [int(pk) for pk in learner.organization.path.strip("/").split("/") if pk]
        rows = cls.objects.filter(
            organization_id__in=ids, measure_name__iexact=measure_name, grade=learner.grade
        )
        by_org = {}
        for row in rows:
            by_org.setdefault(row.organization_id, {})[row.season] = row
        for pk in reversed(ids):
            if pk in by_org:
                return by_org[pk]
        return {}


class GoalStatusQuerySet(LearnerScopedQuerySet):
    learner_path = "learner"


class GoalStatus(models.Model):
    """The rollup of one current goal that the caseload dashboard reads: recomputed on new
    data and nightly (`trellis monitor`), so the dashboard is one query however much data
    there is."""

    goal = models.OneToOneField(Goal, on_delete=models.CASCADE, related_name="status")
    # Copied from the goal's plan so that the dashboard filters without joins.
    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="goal_statuses")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    tier = models.PositiveSmallIntegerField(null=True, blank=True)
    points = models.PositiveIntegerField(default=0)
    latest_value = models.FloatField(null=True, blank=True)
    latest_date = models.DateField(null=True, blank=True)
    unit = models.CharField(max_length=60, blank=True)
    trend_per_week = models.FloatField(null=True, blank=True)
    aim_per_week = models.FloatField(null=True, blank=True)
    flag = models.CharField(max_length=30, choices=Flag.choices, blank=True)
    flag_rank = models.PositiveSmallIntegerField(
        default=99, help_text="Position of the flag in FLAG_ORDER (99: none), for sorting."
    )
    explanation = models.TextField(blank=True)
    computed_at = models.DateTimeField()

    objects = GoalStatusQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "goal statuses"
        indexes = [
            # The dashboard: the visible learners' goals, most urgent flag first.
            models.Index(fields=["learner", "flag_rank"], name="goalstatus_learner_flag"),
            # Program admins filter their organization by flag.
            models.Index(fields=["organization", "flag"], name="goalstatus_org_flag"),
        ]

    def __str__(self):
        return f"Status of {self.goal}"

    @property
    def flag_label(self):
        return flag_label(self.flag, self.goal.direction) if self.flag else ""


class RecommendationQuerySet(LearnerScopedQuerySet):
    learner_path = "learner"

    def open(self):
        return self.filter(status=Recommendation.Status.OPEN)


class Recommendation(models.Model):
    """A flag raised by the decision rules, for a supervisor to accept or dismiss. Accepting a
    "change the intervention" starts a new phase of the goal; every outcome is kept."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ACCEPTED = "accepted", "Accepted"
        DISMISSED = "dismissed", "Dismissed"
        RESOLVED = "resolved", "No longer indicated"

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="recommendations")
    # Goals are copied into each plan version; the lineage keeps the history together.
    goal_lineage = models.UUIDField(db_index=True)
    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="recommendations")
    target = models.ForeignKey(
        Target, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=30, choices=Flag.choices)
    explanation = models.TextField()
    # The data the rule looked at (points, aim values, slopes) as of when it was raised.
    evidence = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    raised_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        django_settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True, help_text="The supervisor's note or dismissal reason.")
    phase = models.ForeignKey(
        Phase,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The phase started when a change of intervention was accepted.",
    )

    objects = RecommendationQuerySet.as_manager()

    class Meta:
        ordering = ["-raised_at", "-pk"]
        constraints = [
            # One open recommendation per goal, kind and target: re-running the rules updates
            # it instead of piling up duplicates.
            models.UniqueConstraint(
                fields=["goal_lineage", "kind"],
                condition=models.Q(status="open", target__isnull=True),
                name="one_open_goal_recommendation",
            ),
            models.UniqueConstraint(
                fields=["goal_lineage", "kind", "target"],
                condition=models.Q(status="open", target__isnull=False),
                name="one_open_target_recommendation",
            ),
        ]
        # The learner's history and the goal page list recommendations by goal.
        indexes = [models.Index(fields=["goal_lineage", "status"], name="rec_goal_status")]

    def __str__(self):
        return f"{self.label} ({self.get_status_display().lower()})"

    @property
    def label(self):
        """The flag's name in the goal's direction ("Lower the goal" for a reduction goal)."""
        return flag_label(self.kind, self.goal.direction)


class TeamDecision(models.Model):
    """A tier change or a referral, with who decided, when, and on what data."""

    class Kind(models.TextChoices):
        TIER_CHANGE = "tier_change", "Tier change"
        REFERRAL = "referral", "Referral"

    class ReferTo(models.TextChoices):
        SPEECH = "speech", "Speech-language therapy"
        OT = "occupational_therapy", "Occupational therapy"
        COUNSELING = "counseling", "Counseling"
        SPECIAL_EDUCATION = "special_education_evaluation", "Special-education evaluation"

    learner = models.ForeignKey(Learner, on_delete=models.PROTECT, related_name="team_decisions")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    from_tier = models.PositiveSmallIntegerField(null=True, blank=True)
    to_tier = models.PositiveSmallIntegerField(
        null=True, blank=True, choices=[(1, "Tier 1"), (2, "Tier 2"), (3, "Tier 3")]
    )
    refer_to = models.CharField(max_length=40, choices=ReferTo.choices, blank=True)
    rationale = models.TextField(help_text="Why, in the team's words.")
    # The goals and figures the decision was based on, as they stood.
    evidence = models.JSONField(default=dict)
    decided_by = models.ForeignKey(
        django_settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField()

    objects = LearnerScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-decided_at", "-pk"]

    def __str__(self):
        if self.kind == self.Kind.REFERRAL:
            return f"Referral: {self.get_refer_to_display()}"
        return f"Tier {self.from_tier or 'not set'} → {self.to_tier}"
