"""Supervisor pages: a learner's plans, a plan with all its versions, drafts and goals, targets,
phases, behavior definitions, approval and revision; the organization's pick lists.

Views parse input and check access; every write goes through `trellis.plans.actions`.
Staff who may see the learner may read; writing needs `may_write_plans` (else 404). Every page
that shows a plan or goal, forms included, audits the read (`plan.view` / `goal.view`); the
action a POST runs audits the change.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from trellis.audit.log import record
from trellis.forms import add_errors
from trellis.people.access import CHANGE, get_learner_or_404, is_staff_for
from trellis.plans import actions
from trellis.plans.access import (
    editable_organizations,
    get_goal_or_404,
    get_plan_or_404,
    may_write_plans,
)
from trellis.plans.forms import (
    AbcOptionEditForm,
    AbcOptionForm,
    BehaviorDefinitionForm,
    GoalForm,
    PhaseForm,
    PlanForm,
    PromptHierarchyForm,
    RevisionForm,
    TargetForm,
    TargetStateForm,
)
from trellis.plans.models import AbcOption, BehaviorDefinition, Plan, PromptHierarchy


def _staff_learner(request, learner_id, audit_action="plan.list"):
    learner = get_learner_or_404(request, learner_id, audit_action=None)
    if not is_staff_for(request.user, learner):
        record(audit_action, learner=learner, result="denied", detail={"path": request.path})
        raise Http404("No such learner.")
    record(audit_action, learner=learner)
    return learner


def _writer_learner(request, learner_id, audit_action):
    learner = get_learner_or_404(request, learner_id, CHANGE, audit_action=None)
    if not may_write_plans(request.user, learner):
        record(audit_action, learner=learner, result="denied", detail={"path": request.path})
        raise Http404("No such learner.")
    return learner


def _posted_pk(request, name):
    """The id posted as `name`, or 0 (which matches nothing) when it is not a number."""
    value = request.POST.get(name, "")
    return int(value) if value.isdigit() else 0


@login_required
def learner_plans(request, learner_id):
    learner = _staff_learner(request, learner_id)
    plans = (
        Plan.objects.filter(learner=learner)
        .prefetch_related("goals")
        .order_by("kind", "lineage", "-version")
    )
    return render(
        request,
        "plans/learner_plans.html",
        {
            "learner": learner,
            "current": [p for p in plans if p.status != Plan.Status.SUPERSEDED],
            "superseded": [p for p in plans if p.status == Plan.Status.SUPERSEDED],
            "may_write": may_write_plans(request.user, learner),
        },
    )


@login_required
def create(request, learner_id):
    learner = _writer_learner(request, learner_id, "plan.create")
    form = PlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            plan = actions.create_plan(request.user, learner, **form.values())
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, "Draft plan created; add its goals, then approve it.")
            return redirect("plans:detail", plan_id=plan.pk)
    return render(request, "plans/plan_form.html", {"form": form, "learner": learner, "plan": None})


@login_required
def detail(request, plan_id):
    plan = get_plan_or_404(request, plan_id)
    goals = plan.goals.prefetch_related("targets", "phases")
    return render(
        request,
        "plans/plan_detail.html",
        {
            "plan": plan,
            "learner": plan.learner,
            "goals": goals,
            "definitions": plan.behavior_definitions.all(),
            "versions": plan.versions(),
            "may_write": may_write_plans(request.user, plan.learner),
            "has_revision": Plan.objects.filter(supersedes=plan).first(),
        },
    )


@login_required
def edit(request, plan_id):
    plan = get_plan_or_404(request, plan_id, CHANGE)
    if plan.is_locked:
        return render(request, "plans/locked.html", {"plan": plan, "learner": plan.learner})
    form = PlanForm(request.POST or None, instance=plan)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_plan(request.user, plan, **form.values())
        except ValidationError as error:
            add_errors(form, error)
        else:
            return redirect("plans:detail", plan_id=plan.pk)
    return render(
        request, "plans/plan_form.html", {"form": form, "learner": plan.learner, "plan": plan}
    )


@login_required
def approve(request, plan_id):
    """GET: what approval means; POST: approve the draft (it becomes read-only)."""
    plan = get_plan_or_404(request, plan_id, CHANGE)
    error = None
    if request.method == "POST":
        try:
            actions.approve_plan(request.user, plan)
        except ValidationError as problem:
            error = " ".join(m for ms in problem.message_dict.values() for m in ms)
        else:
            messages.success(request, f"Version {plan.version} approved; it is now read-only.")
            return redirect("plans:detail", plan_id=plan.pk)
    return render(
        request,
        "plans/approve.html",
        {"plan": plan, "learner": plan.learner, "error": error},
    )


@login_required
def revise(request, plan_id):
    """GET: the reason form; POST: a new draft version copying this one."""
    plan = get_plan_or_404(request, plan_id, CHANGE)
    form = RevisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            new = actions.revise_plan(request.user, plan, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, f"Version {new.version} drafted from version {plan.version}.")
            return redirect("plans:detail", plan_id=new.pk)
    return render(
        request, "plans/revise.html", {"plan": plan, "learner": plan.learner, "form": form}
    )


@login_required
def add_goal(request, plan_id):
    plan = get_plan_or_404(request, plan_id, CHANGE)
    if plan.is_locked:
        return render(request, "plans/locked.html", {"plan": plan, "learner": plan.learner})
    form = GoalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            goal = actions.add_goal(request.user, plan, **form.values())
        except ValidationError as error:
            add_errors(form, error)
        else:
            return redirect("plans:goal", goal_id=goal.pk)
    return render(
        request,
        "plans/goal_form.html",
        {"form": form, "plan": plan, "learner": plan.learner, "goal": None},
    )


@login_required
def edit_goal(request, goal_id):
    goal = get_goal_or_404(request, goal_id, CHANGE)
    plan = goal.plan
    if plan.is_locked:
        return render(request, "plans/locked.html", {"plan": plan, "learner": plan.learner})
    form = GoalForm(request.POST or None, instance=goal)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_goal(request.user, goal, **form.values())
        except ValidationError as error:
            add_errors(form, error)
        else:
            return redirect("plans:goal", goal_id=goal.pk)
    return render(
        request,
        "plans/goal_form.html",
        {"form": form, "plan": plan, "learner": plan.learner, "goal": goal},
    )


@login_required
def goal(request, goal_id):
    """A goal with its measure, targets (with their state history) and phases. Writers add
    targets, edit them on a draft, move a target's state and add phases here (POST with
    `action`)."""
    goal = get_goal_or_404(request, goal_id)
    learner = goal.plan.learner
    may_write = may_write_plans(request.user, learner)
    target_form = TargetForm(prefix="target")
    state_form = TargetStateForm(goal=goal, prefix="state")
    phase_form = PhaseForm(prefix="phase")
    edit_form = None  # bound to the target being edited, shown again when it has errors
    if request.method == "POST":
        if not may_write:
            record("goal.change", learner=learner, obj=goal, result="denied")
            raise Http404("Not found.")
        action = request.POST.get("action")
        try:
            if action == "add_target":
                target_form = TargetForm(request.POST, prefix="target")
                if target_form.is_valid():
                    actions.add_target(request.user, goal, **target_form.cleaned_data)
                    return redirect("plans:goal", goal_id=goal.pk)
            elif action == "edit_target":
                editing = get_object_or_404(goal.targets, pk=_posted_pk(request, "target"))
                edit_form = TargetForm(request.POST, instance=editing, prefix=f"edit-{editing.pk}")
                if edit_form.is_valid():
                    actions.update_target(request.user, editing, **edit_form.cleaned_data)
                    return redirect("plans:goal", goal_id=goal.pk)
            elif action == "change_state":
                state_form = TargetStateForm(request.POST, goal=goal, prefix="state")
                if state_form.is_valid():
                    data = state_form.cleaned_data
                    actions.change_target_state(
                        request.user,
                        data["target"],
                        to_state=data["to_state"],
                        on=data["on"],
                        reason=data["reason"],
                    )
                    return redirect("plans:goal", goal_id=goal.pk)
            elif action == "add_phase":
                phase_form = PhaseForm(request.POST, prefix="phase")
                if phase_form.is_valid():
                    actions.add_phase(request.user, goal, **phase_form.cleaned_data)
                    return redirect("plans:goal", goal_id=goal.pk)
        except ValidationError as error:
            bound = {
                "add_target": target_form,
                "edit_target": edit_form,
                "change_state": state_form,
            }
            add_errors(bound.get(action, phase_form), error)
    draft = may_write and goal.plan.status == Plan.Status.DRAFT
    targets = [
        (
            target,
            # The edited target's bound form holds the input; `target` shows what is stored.
            edit_form
            if edit_form and edit_form.instance.pk == target.pk
            else (TargetForm(instance=target, prefix=f"edit-{target.pk}") if draft else None),
        )
        for target in goal.targets.prefetch_related("state_changes")
    ]
    return render(
        request,
        "plans/goal_detail.html",
        {
            "goal": goal,
            "plan": goal.plan,
            "learner": learner,
            "targets": targets,
            "phases": goal.phases.all(),
            "may_write": may_write and goal.plan.status != Plan.Status.SUPERSEDED,
            "target_form": target_form,
            "state_form": state_form,
            "phase_form": phase_form,
        },
    )


@login_required
@require_POST
def remove_goal(request, goal_id):
    """Remove a goal from a draft (the goal page asks for confirmation first). A refusal — an
    approved version, a goal with data — is shown on the goal page and nothing is removed."""
    goal = get_goal_or_404(request, goal_id, CHANGE, audit_action=None)
    try:
        actions.remove_goal(request.user, goal)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("plans:goal", goal_id=goal.pk)
    messages.success(request, f"Goal “{goal.name}” removed from this draft.")
    return redirect("plans:detail", plan_id=goal.plan_id)


@login_required
def definitions(request, learner_id):
    """The learner's behavior definitions; writers add or edit (?definition_id=<id>)."""
    learner = _staff_learner(request, learner_id, "behavior_definition.view")
    may_write = may_write_plans(request.user, learner)
    editing = None
    pk = request.POST.get("definition_id") or request.GET.get("definition_id")
    if pk:
        editing = get_object_or_404(
            BehaviorDefinition, pk=pk if str(pk).isdigit() else 0, learner=learner
        )
    form = BehaviorDefinitionForm(request.POST or None, instance=editing)
    if request.method == "POST":
        if not may_write:
            record("behavior_definition.change", learner=learner, result="denied")
            raise Http404("Not found.")
        if form.is_valid():
            try:
                actions.save_behavior_definition(
                    request.user, learner, editing, **form.cleaned_data
                )
            except ValidationError as error:
                add_errors(form, error)
            else:
                return redirect("plans:definitions", learner_id=learner.pk)
    return render(
        request,
        "plans/definitions.html",
        {
            "learner": learner,
            "definitions": BehaviorDefinition.objects.filter(learner=learner).select_related(
                "plan"
            ),
            "form": form,
            "editing": editing,
            "may_write": may_write,
        },
    )


def _option_or_404(request, organization):
    """The posted ABC option of the organization being edited; any other is an audited 404."""
    option = AbcOption.objects.filter(pk=_posted_pk(request, "option")).first()
    if option is None or option.organization_id != organization.pk:
        record(
            "org_lists.change",
            result="denied",
            detail={"organization": organization.pk, "option": request.POST.get("option", "")[:64]},
        )
        raise Http404("Not found.")
    return option


@login_required
def org_lists(request):
    """ABC pick lists and prompt hierarchy of the organizations the user may edit."""
    organizations = list(editable_organizations(request.user).order_by("path"))
    if not organizations:
        record("org_lists.view", result="denied")
        raise Http404("Nothing to edit here.")
    chosen = organizations[0]
    wanted = request.POST.get("organization") or request.GET.get("organization")
    if wanted:
        chosen = next((o for o in organizations if str(o.pk) == wanted), None)
        if chosen is None:
            record("org_lists.view", result="denied", detail={"organization": wanted[:64]})
            raise Http404("Not found.")
    levels = PromptHierarchy.levels_for(chosen)
    prompt_form = PromptHierarchyForm(
        initial={"levels": "\n".join(f"{lv['code']} | {lv['label']}" for lv in levels)},
        prefix="prompts",
    )
    option_form = AbcOptionForm(prefix="abc")
    editing = edit_form = None  # the option being renamed or reordered, and its bound form
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "prompts":
                prompt_form = PromptHierarchyForm(request.POST, prefix="prompts")
                if prompt_form.is_valid():
                    actions.save_prompt_hierarchy(
                        request.user, chosen, prompt_form.cleaned_data["levels"]
                    )
                    return redirect(f"{request.path}?organization={chosen.pk}")
            elif action == "add_option":
                option_form = AbcOptionForm(request.POST, prefix="abc")
                if option_form.is_valid():
                    data = option_form.cleaned_data
                    actions.save_abc_option(
                        request.user,
                        chosen,
                        kind=data["kind"],
                        label=data["label"],
                        code=data["code"] or slugify(data["label"]),
                        order=data["order"] or 0,
                        active=True,
                        function=data["function"],
                    )
                    return redirect(f"{request.path}?organization={chosen.pk}")
            elif action == "edit_option":
                editing = _option_or_404(request, chosen)
                edit_form = AbcOptionEditForm(request.POST, prefix=f"option-{editing.pk}")
                if edit_form.is_valid():
                    actions.save_abc_option(request.user, chosen, editing, **edit_form.cleaned_data)
                    return redirect(f"{request.path}?organization={chosen.pk}")
            elif action in ("hide_option", "show_option"):
                actions.save_abc_option(
                    request.user,
                    chosen,
                    _option_or_404(request, chosen),
                    active=action == "show_option",
                )
                return redirect(f"{request.path}?organization={chosen.pk}")
        except ValidationError as error:
            bound = {"add_option": option_form, "edit_option": edit_form}
            add_errors(bound.get(action, prompt_form), error)
    record("org_lists.view", detail={"organization": chosen.pk})
    return render(
        request,
        "plans/org_lists.html",
        {
            "organizations": organizations,
            "chosen": chosen,
            "own_options": [
                (
                    option,
                    edit_form
                    if editing and editing.pk == option.pk
                    else AbcOptionEditForm(
                        initial={
                            "label": option.label,
                            "order": option.order,
                            "function": option.function,
                        },
                        prefix=f"option-{option.pk}",
                    ),
                )
                for option in AbcOption.objects.filter(organization=chosen)
            ],
            "inherited": AbcOption.for_organization(chosen).exclude(organization=chosen),
            "has_own_hierarchy": PromptHierarchy.objects.filter(organization=chosen).exists(),
            "prompt_form": prompt_form,
            "option_form": option_form,
        },
    )
