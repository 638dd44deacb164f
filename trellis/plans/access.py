"""Who may read and write plans; fetch helpers that answer an audited 404 otherwise."""

from django.http import Http404

from trellis.audit.log import record
from trellis.people.access import CHANGE, VIEW, is_staff_for, may, staff_of
from trellis.people.models import Role

# Roles that write plans: a supervisor (psychologist, BCBA, specialist), a teacher (case
# manager) or a program admin. Assistants and technicians record data against them.
PLAN_WRITERS = {Role.SUPERVISOR, Role.TEACHER, Role.PROGRAM_ADMIN}
LIST_EDITORS = {Role.SUPERVISOR, Role.PROGRAM_ADMIN}


def is_plan_writer(user):
    if user.is_superuser:
        return True
    staff = staff_of(user)
    return bool(staff) and staff.memberships.filter(role__in=PLAN_WRITERS).exists()


def may_write_plans(user, learner):
    """A supervisor, teacher or program admin who may change this learner's record."""
    return is_plan_writer(user) and may(user, CHANGE, learner)


def may_view_plans(user, learner):
    """Plans are part of the staff record; families see progress elsewhere (portal)."""
    return is_staff_for(user, learner)


def editable_organizations(user):
    """Organizations whose ABC pick lists and prompt hierarchy this user may edit (and those
    below them)."""
    from trellis.people.models import Organization

    if user.is_superuser:
        return Organization.objects.all()
    staff = staff_of(user)
    if staff is None:
        return Organization.objects.none()
    paths = staff.memberships.filter(role__in=LIST_EDITORS).values_list(
        "organization__path", flat=True
    )
    orgs = Organization.objects.none()
    for path in paths:
        orgs = orgs | Organization.objects.filter(path__startswith=path)
    return orgs


def _deny(request, action, learner, detail):
    record(action, learner=learner, result="denied", detail=detail | {"path": request.path})
    raise Http404("Not found.")


def get_plan_or_404(request, plan_id, action=VIEW, *, audit_action="plan.view"):
    """The plan when the user may see (VIEW) or write (CHANGE) it; otherwise an audited 404."""
    from trellis.plans.models import Plan

    plan = Plan.objects.select_related("learner__organization").filter(pk=plan_id).first()
    learner = plan.learner if plan else None
    allowed = plan is not None and (
        may_write_plans(request.user, learner)
        if action == CHANGE
        else may_view_plans(request.user, learner)
    )
    if not allowed:
        _deny(request, audit_action or "plan.view", learner, {"plan_id": str(plan_id)})
    if audit_action:
        record(audit_action, learner=learner, obj=plan)
    return plan


def get_goal_or_404(request, goal_id, action=VIEW, *, audit_action="goal.view"):
    from trellis.plans.models import Goal

    goal = Goal.objects.select_related("plan__learner__organization").filter(pk=goal_id).first()
    learner = goal.plan.learner if goal else None
    allowed = goal is not None and (
        may_write_plans(request.user, learner)
        if action == CHANGE
        else may_view_plans(request.user, learner)
    )
    if not allowed:
        _deny(request, audit_action or "goal.view", learner, {"goal_id": str(goal_id)})
    if audit_action:
        record(audit_action, learner=learner, obj=goal)
    return goal
