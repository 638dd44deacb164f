"""The access policy: who may see and change which learner's record.

Every protected record belongs to a learner. A staff member sees a learner through

* an active case assignment (assistants, technicians, teachers, nurses, anyone on the case);
* supervision: a supervisor sees the learners on the active caseloads of the staff they supervise;
* a program admin role: every learner of that organization and the organizations under it;
* emergency access (break-glass, people/emergency.py): one learner, for a short time, with a
  reason, reviewed afterwards.

A guardian sees only their own children. Superusers see everyone (and are audited like anyone).
Anything else is answered with a 404, so a response never hints that a record exists, and the
denial is written to the audit log.
"""

from django.core.exceptions import EmptyResultSet
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from trellis.audit.log import record
from trellis.people.models import (
    CaseAssignment,
    EmergencyAccess,
    GuardianLink,
    Learner,
    Membership,
    Organization,
    Role,
    StaffMember,
)

NOBODY = Q(pk__in=[])

VIEW = "view"
CHANGE = "change"
EXPORT = "export"


def staff_of(user):
    if not user.is_authenticated or not user.is_active:
        return None
    # Through the one-to-one accessor, which caches on the user object: request.user is a new
    # object per request, so the staff row is read once per request, not once per check.
    try:
        return user.staff
    except StaffMember.DoesNotExist:
        return None


def admin_paths(staff):
    """The organization paths where this staff member is a program admin; kept on the staff
    object (itself cached on request.user), so the access rule and the nav share one query."""
    if "_admin_paths" not in staff.__dict__:
        staff._admin_paths = list(
            Membership.objects.filter(staff=staff, role=Role.PROGRAM_ADMIN).values_list(
                "organization__path", flat=True
            )
        )
    return staff._admin_paths


def staff_learner_filter(user) -> Q:
    """Learners a user may see as a staff member (case, supervision or admin role)."""
    if not user.is_authenticated or not user.is_active:
        return NOBODY
    if user.is_superuser:
        return Q()
    staff = staff_of(user)
    if staff is None:
        return NOBODY
    active = CaseAssignment.objects.active()
    rule = Q(pk__in=active.filter(staff=staff).values("learner_id"))
    rule |= Q(pk__in=active.filter(staff__supervisors=staff).values("learner_id"))
    rule |= Q(pk__in=EmergencyAccess.objects.in_force().filter(staff=staff).values("learner_id"))
    for path in admin_paths(staff):
        rule |= Q(organization__in=Organization.objects.filter(path__startswith=path))
    return rule


def family_learner_filter(user) -> Q:
    """A guardian's own children."""
    if not user.is_authenticated or not user.is_active:
        return NOBODY
    return Q(pk__in=GuardianLink.objects.filter(guardian__user=user).values("learner_id"))


def visible_learner_filter(user) -> Q:
    if user.is_authenticated and user.is_active and user.is_superuser:
        # Everyone. Not through the OR below: Django drops an empty Q() from `Q() | other`,
        # which would leave a superuser with only the learners `other` names (none).
        return Q()
    return staff_learner_filter(user) | family_learner_filter(user)


# The rule's SQL per user and day (see learner_ids_sql), at most this many at once.
_COMPILED_LIMIT = 1024
_compiled = {}


def learner_ids_sql(user, *, staff_only=False, active_only=False):
    """(SQL, params) of a SELECT of the ids of the learners this user may see
    (`visible_learner_filter`; `staff_learner_filter` with staff_only), for use as a subquery.

    Building the rule's nested querysets and compiling them cost a hot page more CPU than the
    database spends running them (bench/bench_dashboard.py, bench/bench_sync.py), so the SQL is
    compiled once per process for each key below, which names everything the compiled text and
    its parameters depend on: who the user is, their staff row, their admin paths and the day
    (assignments in force). Caseloads, supervision and guardian links are read when the SQL
    runs, so a change to them shows at once. Change the key with the rule.
    """
    staff = staff_of(user)
    key = (
        user.pk,
        user.is_authenticated and user.is_active,
        user.is_superuser,
        staff.pk if staff is not None else None,
        tuple(admin_paths(staff)) if staff is not None else (),
        timezone.localdate(),
        staff_only,
        active_only,
    )
    found = _compiled.get(key)
    if found is None:
        rule = staff_learner_filter(user) if staff_only else visible_learner_filter(user)
        learners = Learner.objects.filter(rule)
        if active_only:
            learners = learners.filter(active=True)
        try:
            # No DISTINCT: each condition is an IN over learner ids, which never repeats a row.
            found = learners.order_by().values("pk").query.sql_with_params()
        except EmptyResultSet:  # NOBODY: Django refuses to compile an IN of nothing
            found = (f"SELECT id FROM {Learner._meta.db_table} WHERE 1 = 0", ())
        if len(_compiled) >= _COMPILED_LIMIT:
            _compiled.clear()
        _compiled[key] = found
    return found


def is_staff_for(user, learner) -> bool:
    return Learner.objects.filter(staff_learner_filter(user), pk=learner.pk).exists()


def is_staff_for_request(request, learner) -> bool:
    """`is_staff_for`, asked once per request and learner: the profile page and each app's
    section on it ask the same question."""
    answers = request.__dict__.setdefault("_is_staff_for", {})
    if learner.pk not in answers:
        answers[learner.pk] = is_staff_for(request.user, learner)
    return answers[learner.pk]


def may(user, action, learner) -> bool:
    """May this user do `action` (view, change, export) to this learner's record?

    Guardians may only view; changes and exports are for staff who may see the learner.
    """
    if action == VIEW:
        return Learner.objects.visible_to(user).filter(pk=learner.pk).exists()
    if action in (CHANGE, EXPORT):
        return is_staff_for(user, learner)
    raise ValueError(f"Unknown action {action!r}")


def is_program_admin(user) -> bool:
    if user.is_superuser:
        return True
    staff = staff_of(user)
    return bool(staff) and bool(admin_paths(staff))


def get_learner_or_404(request, learner_id, action=VIEW, *, audit_action="learner.view"):
    """The learner, when the user may do `action` to their record; otherwise an audited 404.

    A successful read is audited as `audit_action`; pass audit_action=None when the caller writes
    its own, more specific entry.
    """
    learner = Learner.objects.filter(pk=learner_id).first()
    if learner is None or not may(request.user, action, learner):
        record(
            audit_action or f"learner.{action}",
            learner=learner,
            result="denied",
            detail={"learner_id": str(learner_id), "path": request.path},
        )
        raise Http404("No such learner.")
    if audit_action:
        record(audit_action, learner=learner)
    return learner
