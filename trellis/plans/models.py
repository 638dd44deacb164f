"""Plans (IEP, BIP, RTI, ISP, safety) with versions, goals and their measures, targets, phases,
behavior definitions, and the organization's prompt hierarchy and ABC pick lists.

A plan version is written as a draft, approved (then read-only) and later superseded by a new
version; every version stays readable. Goals, targets and phases are copied into each new version
and keep a `lineage` UUID shared by all their copies, so data recorded against an older version's
goal still belongs to the same goal when the plan is revised.
"""

import uuid

from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.db import models

from trellis.people.models import Learner, Organization
from trellis.validators import DateRange, NumberRange

# Goal and baseline values are counts, percents, scores, rates or milliseconds (a day's).
GOAL_VALUE_MAX = 100_000_000
# A target moves to a state on a day that has come (mastery is seen, not foreseen).
STATE_CHANGE_DATE = DateRange("Date of the change", future=False)

DEFAULT_PROMPT_LEVELS = [
    {"code": "independent", "label": "Independent"},
    {"code": "gestural", "label": "Gestural"},
    {"code": "model", "label": "Model"},
    {"code": "partial_physical", "label": "Partial physical"},
    {"code": "full_physical", "label": "Full physical"},
]
INDEPENDENT = "independent"


class LearnerScopedQuerySet(models.QuerySet):
    """Rows scoped through a learner; subclasses name the path to it in `learner_path`."""

    learner_path = "learner"

    def visible_to(self, user):
        """Rows whose learner the user may see (the rule of `trellis.people.access`)."""
        return self.filter(**{f"{self.learner_path}__in": Learner.objects.visible_to(user)})


class PlanQuerySet(LearnerScopedQuerySet):
    learner_path = "learner"

    def current(self):
        """The approved version of each plan that is in force (not superseded)."""
        return self.filter(status=Plan.Status.APPROVED)


class GoalQuerySet(LearnerScopedQuerySet):
    learner_path = "plan__learner"

    def current(self):
        """Goals of approved, not superseded plan versions: the goals data is collected for."""
        return self.filter(plan__status=Plan.Status.APPROVED)


class PromptHierarchy(models.Model):
    """An organization's ordered prompt levels, least to most intrusive; the first is
    "independent". Learners use the hierarchy of their organization or its nearest ancestor."""

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="prompt_hierarchy"
    )
    levels = models.JSONField(
        default=list, help_text='Ordered list of {"code": …, "label": …}, first "independent".'
    )

    class Meta:
        verbose_name_plural = "prompt hierarchies"

    def __str__(self):
        return f"Prompt hierarchy of {self.organization}"

    def clean(self):
        problem = validate_prompt_levels(self.levels)
        if problem:
            raise ValidationError({"levels": problem})

    @property
    def codes(self):
        return [level["code"] for level in self.levels]

    @classmethod
    def levels_for(cls, organization):
        """The levels in force for an organization: its own, its nearest ancestor's, or the
        default (independent, gestural, model, partial physical, full physical)."""
        ids = [int(pk) for pk in organization.path.strip("/").split("/") if pk]
        found = {h.organization_id: h.levels for h in cls.objects.filter(organization_id__in=ids)}
        for pk in reversed(ids):
            if pk in found:
                return found[pk]
        return DEFAULT_PROMPT_LEVELS


def validate_prompt_levels(levels):
    if not isinstance(levels, list) or not levels:
        return "List at least one prompt level."
    codes = []
    for level in levels:
        if not isinstance(level, dict) or not str(level.get("code", "")).strip():
            return "Every level needs a code and a label."
        codes.append(level["code"])
    if codes[0] != INDEPENDENT:
        return 'The first level must be "independent".'
    if len(set(codes)) != len(codes):
        return "Each level code may appear only once."
    return None


class AbcOption(models.Model):
    """One entry of an organization's ABC pick lists (inherited by the organizations below)."""

    class Kind(models.TextChoices):
        ANTECEDENT = "antecedent", "Antecedent"
        BEHAVIOR = "behavior", "Behavior"
        CONSEQUENCE = "consequence", "Consequence"
        SETTING = "setting", "Setting"

    class Function(models.TextChoices):
        """The function of behavior an antecedent sets up or a consequence would reinforce
        (Iwata et al.'s classes), as the supervisor judges it for this option."""

        NONE = "", "None"
        ATTENTION = "attention", "Attention"
        ESCAPE = "escape", "Escape"
        TANGIBLE = "tangible", "Tangible"
        AUTOMATIC = "automatic", "Automatic"

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="abc_options"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    label = models.CharField(max_length=120)
    code = models.SlugField(max_length=60, help_text="Stable short code stored in ABC events.")
    order = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=True)
    function = models.CharField(
        max_length=20,
        choices=Function.choices,
        blank=True,
        default="",
        help_text="For antecedents and consequences: the function of behavior it suggests "
        "(used by the functional assessment).",
    )

    class Meta:
        ordering = ["kind", "order", "label"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kind", "code"], name="unique_abc_option_code"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.label}"

    @classmethod
    def for_organization(cls, organization):
        """Active options of the organization and its ancestors, by kind then order."""
        ids = [int(pk) for pk in organization.path.strip("/").split("/") if pk]
        return cls.objects.filter(organization_id__in=ids, active=True)

    def clean(self):
        if self.function and self.kind not in (self.Kind.ANTECEDENT, self.Kind.CONSEQUENCE):
            raise ValidationError(
                {"function": "Only antecedents and consequences suggest a function."}
            )


class Plan(models.Model):
    """One version of a learner's plan."""

    class Kind(models.TextChoices):
        IEP = "iep", "IEP"
        BIP = "bip", "Behavior intervention plan"
        RTI = "rti", "RTI/MTSS intervention plan"
        ISP = "isp", "Individual service plan"
        SAFETY = "safety", "Safety / crisis plan"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        APPROVED = "approved", "Approved"
        SUPERSEDED = "superseded", "Superseded"

    SETTINGS = [("school", "School"), ("home", "Home"), ("community", "Community")]

    learner = models.ForeignKey(Learner, on_delete=models.PROTECT, related_name="plans")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    tier = models.PositiveSmallIntegerField(
        null=True, blank=True, choices=[(1, "Tier 1"), (2, "Tier 2"), (3, "Tier 3")]
    )
    title = models.CharField(max_length=200)
    settings = models.JSONField(
        default=list, blank=True, help_text='Where it applies: "school", "home", "community".'
    )
    summary = models.TextField(
        blank=True,
        help_text="The plan's text: strategies, crisis steps, accommodations (shown offline).",
    )
    starts_on = models.DateField(
        null=True, blank=True, validators=[DateRange("Start of the plan", years_ahead=5)]
    )
    ends_on = models.DateField(
        null=True, blank=True, validators=[DateRange("End of the plan", years_ahead=10)]
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    # All versions of one plan share a lineage; version counts 1, 2, 3… within it.
    lineage = models.UUIDField(default=uuid.uuid4, editable=False)
    version = models.PositiveIntegerField(default=1)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    change_reason = models.TextField(blank=True, help_text="Why this version was made.")
    created_by = models.ForeignKey(
        django_settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(
        django_settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["learner", "kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["lineage", "version"], name="unique_plan_version"),
        ]
        # The learner profile lists a learner's plans by status.
        indexes = [models.Index(fields=["learner", "status"])]

    def __str__(self):
        return f"{self.title} (v{self.version}, {self.get_status_display().lower()})"

    @property
    def is_locked(self):
        return self.status != self.Status.DRAFT

    def versions(self):
        return Plan.objects.filter(lineage=self.lineage).order_by("-version")

    def clean(self):
        errors = {}
        if self.kind == self.Kind.RTI and not self.tier:
            errors["tier"] = "An RTI/MTSS plan needs its tier (1, 2 or 3)."
        if self.kind != self.Kind.RTI and self.tier:
            errors["tier"] = "Only RTI/MTSS plans have a tier."
        known = {code for code, _ in self.SETTINGS}
        if not isinstance(self.settings, list) or not set(self.settings) <= known:
            errors["settings"] = "Settings are school, home and/or community."
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = "The end date is before the start date."
        if errors:
            raise ValidationError(errors)


class Measure(models.TextChoices):
    FREQUENCY = "frequency", "Frequency / rate"
    DURATION = "duration", "Duration"
    LATENCY = "latency", "Latency"
    PARTIAL_INTERVAL = "partial_interval", "Partial interval"
    WHOLE_INTERVAL = "whole_interval", "Whole interval"
    MOMENTARY_TIME_SAMPLING = "momentary_time_sampling", "Momentary time sampling"
    TRIALS = "trials", "Discrete trials"
    TASK_ANALYSIS = "task_analysis", "Task analysis"
    PROBE = "probe", "Probe (CBM)"
    RATING = "rating", "Rating / point card"
    ABC = "abc", "ABC narrative"


INTERVAL_MEASURES = {
    Measure.PARTIAL_INTERVAL,
    Measure.WHOLE_INTERVAL,
    Measure.MOMENTARY_TIME_SAMPLING,
}
# The event kind each measure records (besides `void`, which any goal may receive).
EVENT_KIND = {
    Measure.FREQUENCY: "count",
    Measure.DURATION: "duration",
    Measure.LATENCY: "latency",
    Measure.PARTIAL_INTERVAL: "interval",
    Measure.WHOLE_INTERVAL: "interval",
    Measure.MOMENTARY_TIME_SAMPLING: "interval",
    Measure.TRIALS: "trial",
    Measure.TASK_ANALYSIS: "step",
    Measure.PROBE: "probe",
    Measure.RATING: "rating",
    Measure.ABC: "abc",
}


class Goal(models.Model):
    class Domain(models.TextChoices):
        ACADEMIC = "academic", "Academic"
        BEHAVIOR = "behavior", "Behavior"
        SOCIAL_EMOTIONAL = "social_emotional", "Social-emotional"
        ADAPTIVE = "adaptive", "Adaptive / daily living"
        COMMUNICATION = "communication", "Communication"

    class Direction(models.TextChoices):
        INCREASE = "increase", "Increase"
        DECREASE = "decrease", "Decrease"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="goals")
    # Shared by this goal's copies in every version of the plan: its data follows it.
    lineage = models.UUIDField(default=uuid.uuid4, editable=False, db_index=True)
    order = models.PositiveIntegerField(default=0)
    domain = models.CharField(max_length=20, choices=Domain.choices)
    name = models.CharField(max_length=120, help_text="Short name shown on the collection screen.")
    statement = models.TextField(help_text="The goal as written in the plan.")
    baseline = models.TextField(blank=True, help_text="The present level, in words.")
    baseline_value = models.FloatField(
        null=True, blank=True, validators=[NumberRange("Baseline value", 0, GOAL_VALUE_MAX)]
    )
    goal_value = models.FloatField(
        null=True, blank=True, validators=[NumberRange("Goal value", 0, GOAL_VALUE_MAX)]
    )
    goal_date = models.DateField(
        null=True, blank=True, validators=[DateRange("Goal date", years_ahead=10)]
    )
    direction = models.CharField(
        max_length=10, choices=Direction.choices, default=Direction.INCREASE
    )
    measure = models.CharField(max_length=30, choices=Measure.choices)
    measure_settings = models.JSONField(default=dict, blank=True)

    objects = GoalQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "order", "pk"]

    def __str__(self):
        return self.name

    @property
    def learner(self):
        return self.plan.learner

    @property
    def event_kind(self):
        return EVENT_KIND[self.measure]

    def clean(self):
        from trellis.plans.measures import clean_measure_settings

        errors = {}
        try:
            self.measure_settings = clean_measure_settings(self.measure, self.measure_settings)
        except ValidationError as error:
            errors["measure_settings"] = error.messages
        if errors:
            raise ValidationError(errors)


class Target(models.Model):
    """What is being taught within a skill-acquisition goal (a word, a step, a skill)."""

    class State(models.TextChoices):
        BASELINE = "baseline", "Baseline"
        ACQUISITION = "acquisition", "Acquisition"
        MASTERED = "mastered", "Mastered"
        MAINTENANCE = "maintenance", "Maintenance"

    class Basis(models.TextChoices):
        INDEPENDENT = "independent", "independent"
        CORRECT = "correct", "correct"

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="targets")
    lineage = models.UUIDField(default=uuid.uuid4, editable=False, db_index=True)
    name = models.CharField(max_length=200)
    order = models.PositiveIntegerField(default=0)
    state = models.CharField(max_length=12, choices=State.choices, default=State.BASELINE)
    state_since = models.DateField(
        null=True, blank=True, validators=[STATE_CHANGE_DATE]
    )
    # Mastery criterion: at least `mastery_percent` % `mastery_basis` across
    # `mastery_sessions` consecutive sessions (default ≥ 80 % independent across 3).
    mastery_percent = models.PositiveSmallIntegerField(
        default=80, validators=[NumberRange("Mastery percent", 1, 100)]
    )
    mastery_basis = models.CharField(
        max_length=12, choices=Basis.choices, default=Basis.INDEPENDENT
    )
    mastery_sessions = models.PositiveSmallIntegerField(
        default=3, validators=[NumberRange("Consecutive sessions", 1, 20)]
    )

    class Meta:
        ordering = ["goal", "order", "pk"]

    def __str__(self):
        return self.name

    @property
    def criterion(self):
        return (
            f"≥ {self.mastery_percent}% {self.get_mastery_basis_display()} across "
            f"{self.mastery_sessions} consecutive sessions"
        )



class TargetStateChange(models.Model):
    """The history of a target's states: when it moved, by whom, and why."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="state_changes")
    from_state = models.CharField(max_length=12, choices=Target.State.choices, blank=True)
    to_state = models.CharField(max_length=12, choices=Target.State.choices)
    on = models.DateField(validators=[STATE_CHANGE_DATE])
    changed_by = models.ForeignKey(
        django_settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["on", "pk"]

    def __str__(self):
        return f"{self.target}: {self.from_state or '—'} → {self.to_state} on {self.on}"


class Phase(models.Model):
    """A phase of a goal (baseline, intervention, maintenance or a named change) from a date;
    it lasts until the next phase starts."""

    class Kind(models.TextChoices):
        BASELINE = "baseline", "Baseline"
        INTERVENTION = "intervention", "Intervention"
        MAINTENANCE = "maintenance", "Maintenance"
        OTHER = "other", "Other change"

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="phases")
    kind = models.CharField(max_length=15, choices=Kind.choices)
    label = models.CharField(max_length=120, blank=True)
    starts_on = models.DateField(validators=[DateRange("Start of the phase", years_ahead=1)])

    class Meta:
        ordering = ["goal", "starts_on", "pk"]

    def __str__(self):
        return self.label or self.get_kind_display()

    @property
    def name(self):
        return self.label or self.get_kind_display()


class BehaviorDefinition(models.Model):
    """An operational definition of a learner's target behavior, with examples and
    non-examples; optionally part of a plan."""

    learner = models.ForeignKey(
        Learner, on_delete=models.CASCADE, related_name="behavior_definitions"
    )
    plan = models.ForeignKey(
        Plan,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="behavior_definitions",
    )
    name = models.CharField(max_length=120)
    definition = models.TextField(help_text="Observable and measurable: what it looks like.")
    examples = models.TextField(blank=True)
    non_examples = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LearnerScopedQuerySet.as_manager()

    class Meta:
        ordering = ["learner", "name"]

    def __str__(self):
        return self.name
