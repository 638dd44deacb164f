"""Every change to plans, goals, targets, phases, definitions and pick lists.

Each action validates, writes and audits in one transaction. A validation problem is a
ValidationError naming the field; a user without the right to write plans gets Http404 (the same
answer as a learner they cannot see).
"""

import functools

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from trellis.audit.log import record
from trellis.plans.access import editable_organizations, may_write_plans
from trellis.plans.models import (
    STATE_CHANGE_DATE,
    AbcOption,
    BehaviorDefinition,
    Goal,
    Phase,
    Plan,
    PromptHierarchy,
    Target,
    TargetStateChange,
)
from trellis.validators import check

PLAN_FIELDS = ("kind", "tier", "title", "settings", "summary", "starts_on", "ends_on")
GOAL_FIELDS = (
    "domain",
    "name",
    "statement",
    "baseline",
    "baseline_value",
    "goal_value",
    "goal_date",
    "direction",
    "measure",
    "measure_settings",
    "order",
)
TARGET_FIELDS = ("name", "order", "mastery_percent", "mastery_basis", "mastery_sessions")


def for_writers(learner_of):
    """Run the action in one transaction for a user who may write this learner's plans;
    anyone else gets Http404, the denial audited outside the transaction so it is kept."""

    def decorate(action):
        @functools.wraps(action)
        def run(user, subject, *args, **kwargs):
            learner = learner_of(subject)
            if not may_write_plans(user, learner):
                record(
                    "plan.change",
                    learner=learner,
                    result="denied",
                    detail={"action": action.__name__},
                )
                raise Http404("Not found.")
            with transaction.atomic():
                return action(user, subject, *args, **kwargs)

        return run

    return decorate


def for_list_editors(organization_of):
    """Like for_writers, for an organization's pick lists and prompt levels."""

    def decorate(action):
        @functools.wraps(action)
        def run(user, subject, *args, **kwargs):
            organization = organization_of(subject)
            if not editable_organizations(user).filter(pk=organization.pk).exists():
                record(
                    "org_lists.change", result="denied", detail={"organization": organization.pk}
                )
                raise Http404("Not found.")
            with transaction.atomic():
                return action(user, subject, *args, **kwargs)

        return run

    return decorate


def _raise_problems(problems):
    if problems:
        raise ValidationError(problems)


def _require_draft(plan):
    if plan.is_locked:
        raise ValidationError(
            {"__all__": "This plan version is approved and read-only; revise it to change it."}
        )


def _set(obj, fields, values):
    unknown = set(values) - set(fields)
    if unknown:
        raise ValidationError({name: "This field cannot be set here." for name in unknown})
    changed = {}
    for name, value in values.items():
        if getattr(obj, name) != value:
            changed[name] = True
        setattr(obj, name, value)
    return sorted(changed)


@for_writers(lambda learner: learner)
def create_plan(user, learner, **fields):
    plan = Plan(learner=learner, created_by=user)
    fields.setdefault("settings", [])
    _set(plan, PLAN_FIELDS, fields)
    plan.full_clean()
    plan.save()
    record("plan.create", learner=learner, obj=plan, detail={"kind": plan.kind})
    return plan


@for_writers(lambda plan: plan.learner)
def update_plan(user, plan, **fields):
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    _require_draft(plan)
    changed = _set(plan, PLAN_FIELDS, fields)
    plan.full_clean()
    plan.save()
    record("plan.update", learner=plan.learner, obj=plan, detail={"changed": changed})
    return plan


@for_writers(lambda plan: plan.learner)
def approve_plan(user, plan):
    """Approve a draft: it becomes read-only and supersedes the version it revises."""
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != Plan.Status.DRAFT:
        raise ValidationError({"status": "Only a draft can be approved."})
    if not plan.goals.exists() and plan.kind not in (Plan.Kind.SAFETY, Plan.Kind.BIP):
        raise ValidationError({"goals": "Add at least one goal before approving."})
    plan.status = Plan.Status.APPROVED
    plan.approved_by = user
    plan.approved_at = timezone.now()
    plan.save(update_fields=["status", "approved_by", "approved_at"])
    if plan.supersedes_id:
        Plan.objects.filter(pk=plan.supersedes_id).update(status=Plan.Status.SUPERSEDED)
    record("plan.approve", learner=plan.learner, obj=plan, detail={"version": plan.version})
    return plan


@for_writers(lambda plan: plan.learner)
def revise_plan(user, plan, *, reason):
    """A new draft version copying the plan's goals, targets, phases and definitions; the
    approved version stays in force until the new one is approved."""
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != Plan.Status.APPROVED:
        raise ValidationError({"status": "Only the approved version in force can be revised."})
    if Plan.objects.filter(supersedes=plan).exists():
        raise ValidationError({"status": "A revision of this version exists already."})
    if not (reason or "").strip():
        raise ValidationError({"change_reason": "Say why the plan changes."})
    new = Plan.objects.create(
        learner=plan.learner,
        kind=plan.kind,
        tier=plan.tier,
        title=plan.title,
        settings=plan.settings,
        summary=plan.summary,
        starts_on=plan.starts_on,
        ends_on=plan.ends_on,
        lineage=plan.lineage,
        version=plan.version + 1,
        supersedes=plan,
        change_reason=reason.strip(),
        created_by=user,
    )
    for goal in plan.goals.prefetch_related("targets", "phases"):
        targets, phases = list(goal.targets.all()), list(goal.phases.all())
        goal.pk, goal.plan = None, new
        goal.save()
        for target in targets:
            target.pk, target.goal = None, goal
            target.save()
        for phase in phases:
            phase.pk, phase.goal = None, goal
            phase.save()
    for definition in plan.behavior_definitions.all():
        definition.pk, definition.plan = None, new
        definition.save()
    record(
        "plan.revise",
        learner=plan.learner,
        obj=new,
        detail={"from_version": plan.version, "reason": reason.strip()},
    )
    return new


@for_writers(lambda plan: plan.learner)
def add_goal(user, plan, **fields):
    _require_draft(plan)
    goal = Goal(plan=plan)
    fields.setdefault("order", plan.goals.count())
    _set(goal, GOAL_FIELDS, fields)
    goal.full_clean()
    goal.save()
    record("goal.create", learner=plan.learner, obj=goal, detail={"measure": goal.measure})
    return goal


@for_writers(lambda goal: goal.plan.learner)
def update_goal(user, goal, **fields):
    # Read again under a lock: the caller's copy may hold a form's unsaved values (so
    # `changed` would be empty) or a plan status that an approval has since changed.
    goal = Goal.objects.select_for_update().select_related("plan__learner").get(pk=goal.pk)
    _require_draft(goal.plan)
    changed = _set(goal, GOAL_FIELDS, fields)
    goal.full_clean()
    goal.save()
    record("goal.update", learner=goal.plan.learner, obj=goal, detail={"changed": changed})
    return goal


@for_writers(lambda goal: goal.plan.learner)
def remove_goal(user, goal):
    """Take a goal out of a draft, with its targets and phases; never a goal with data."""
    # The plan is locked so an approval cannot slip in between this check and the delete.
    _require_draft(Plan.objects.select_for_update().get(pk=goal.plan_id))
    if goal.events.exists():
        raise ValidationError({"__all__": "This goal has data; it cannot be removed."})
    record("goal.remove", learner=goal.plan.learner, obj=goal, detail={"name": goal.name})
    goal.delete()


@for_writers(lambda goal: goal.plan.learner)
def add_target(user, goal, *, state=Target.State.BASELINE, on=None, **fields):
    """A new target; on a draft plan, or on an approved one when teaching moves on to a new
    target (targets are the program's progress, not the plan's wording)."""
    if goal.plan.status == Plan.Status.SUPERSEDED:
        raise ValidationError({"__all__": "This plan version was superseded."})
    on = on or timezone.localdate()
    _raise_problems(check({}, "on", STATE_CHANGE_DATE, on))
    target = Target(goal=goal, state=state, state_since=on)
    fields.setdefault("order", goal.targets.count())
    _set(target, TARGET_FIELDS, fields)
    target.full_clean()
    target.save()
    TargetStateChange.objects.create(
        target=target, from_state="", to_state=state, on=on, changed_by=user, reason="Added"
    )
    record("target.create", learner=goal.plan.learner, obj=target, detail={"state": state})
    return target


@for_writers(lambda target: target.goal.plan.learner)
def update_target(user, target, **fields):
    """A target's name or mastery criterion, on a draft only (an approved version is
    read-only: a revision changes them); its state moves with change_target_state."""
    # Read again under a lock, as update_goal does.
    target = (
        Target.objects.select_for_update().select_related("goal__plan__learner").get(pk=target.pk)
    )
    _require_draft(target.goal.plan)
    changed = _set(target, TARGET_FIELDS, fields)
    target.full_clean()
    target.save()
    record(
        "target.update", learner=target.goal.plan.learner, obj=target, detail={"changed": changed}
    )
    return target


@for_writers(lambda target: target.goal.plan.learner)
def change_target_state(user, target, *, to_state, on=None, reason=""):
    """Move a target (e.g. acquisition → mastered), with the date and the reason kept."""
    if to_state not in Target.State.values:
        raise ValidationError({"to_state": f"Unknown state {to_state!r}."})
    if to_state == target.state:
        raise ValidationError({"to_state": "The target is in this state already."})
    on = on or timezone.localdate()
    _raise_problems(check({}, "on", STATE_CHANGE_DATE, on))
    change = TargetStateChange.objects.create(
        target=target,
        from_state=target.state,
        to_state=to_state,
        on=on,
        changed_by=user,
        reason=reason,
    )
    target.state, target.state_since = to_state, on
    target.save(update_fields=["state", "state_since"])
    record(
        "target.state",
        learner=target.goal.plan.learner,
        obj=target,
        detail={"from": change.from_state, "to": to_state, "on": on.isoformat(), "reason": reason},
    )
    return change


@for_writers(lambda goal: goal.plan.learner)
def add_phase(user, goal, *, kind, starts_on, label=""):
    """A phase change line on the goal's graph. Allowed on approved plans: a phase change is a
    decision recorded as it happens, not a rewrite of the plan."""
    if goal.plan.status == Plan.Status.SUPERSEDED:
        raise ValidationError({"__all__": "This plan version was superseded."})
    phase = Phase(goal=goal, kind=kind, starts_on=starts_on, label=label)
    phase.full_clean()
    if goal.phases.filter(starts_on=starts_on).exists():
        raise ValidationError({"starts_on": "Another phase starts on this date."})
    phase.save()
    record(
        "phase.create",
        learner=goal.plan.learner,
        obj=phase,
        detail={"kind": kind, "starts_on": str(starts_on)},
    )
    return phase


@for_writers(lambda learner: learner)
def save_behavior_definition(user, learner, existing=None, **fields):
    """Create or update a behavior definition of the learner (not of a locked plan)."""
    definition = existing
    if definition is None:
        definition = BehaviorDefinition(learner=learner)
        action = "behavior_definition.create"
    else:
        if definition.plan_id and definition.plan.is_locked:
            raise ValidationError({"__all__": "This definition is part of an approved plan."})
        action = "behavior_definition.update"
    _set(definition, ("name", "definition", "examples", "non_examples", "plan"), fields)
    if definition.plan_id and definition.plan.learner_id != learner.pk:
        raise ValidationError({"plan": "That plan is another learner's."})
    definition.full_clean()
    definition.save()
    record(action, learner=learner, obj=definition)
    return definition


@for_list_editors(lambda organization: organization)
def save_prompt_hierarchy(user, organization, levels):
    hierarchy = PromptHierarchy.objects.filter(organization=organization).first()
    hierarchy = hierarchy or PromptHierarchy(organization=organization)
    hierarchy.levels = levels
    hierarchy.full_clean()
    hierarchy.save()
    record("prompt_hierarchy.update", obj=hierarchy, detail={"levels": hierarchy.codes})
    return hierarchy


@for_list_editors(lambda organization: organization)
def save_abc_option(user, organization, option=None, **fields):
    """Add an option, or rename, reorder, hide or show one, or set the function of behavior it
    suggests (antecedents and consequences). An option's kind and code never change: recorded
    ABC events store the code under its kind."""
    if option is None:
        option = AbcOption(organization=organization)
    elif option.organization_id != organization.pk:
        raise Http404("Not found.")
    else:
        fixed = [n for n in ("kind", "code") if n in fields and fields[n] != getattr(option, n)]
        if fixed:
            raise ValidationError(
                {name: "Recorded events use it; add a new option instead." for name in fixed}
            )
    changed = _set(option, ("kind", "label", "code", "order", "active", "function"), fields)
    option.full_clean()
    option.save()
    record(
        "abc_option.save",
        obj=option,
        detail={
            "kind": option.kind,
            "code": option.code,
            "label": option.label,
            "function": option.function,
            "changed": changed,
        },
    )
    return option
