"""Emergency access ("break-glass", HIPAA 164.312(a)(2)(ii)).

A staff member whose program admin allowed it (`StaffMember.may_break_glass`) opens the record
of a learner outside their caseload — of an organization where they hold a role — by giving a
reason and their password again (and a recent second factor when they have one). The access
lasts EMERGENCY_ACCESS_MINUTES; it writes a high-severity audit entry and notifies the program
admins of the learner's organization at once (in the app and by email); each use waits in
their review queue until one marks it justified or not.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from trellis.audit.log import record
from trellis.people.access import is_staff_for, staff_of
from trellis.people.models import EmergencyAccess, Learner, Organization, Role
from trellis.people.staffing import administered_organizations

MIN_REASON = 20


def may_break_glass(user) -> bool:
    staff = staff_of(user)
    return bool(staff and staff.may_break_glass)


def reachable_learners(user):
    """Learners an emergency may open: of the organizations (and those under them) where the
    person holds any role. Nobody breaks into another district's or agency's records."""
    staff = staff_of(user)
    if staff is None:
        return Learner.objects.none()
    paths = staff.memberships.values_list("organization__path", flat=True)
    organizations = Organization.objects.none()
    for path in paths:
        organizations |= Organization.objects.filter(path__startswith=path)
    return Learner.objects.filter(organization__in=organizations, active=True)


def open_record(request, learner, *, reason, password, second_factor_recent):
    """Grant the emergency access, or raise ValidationError naming the field."""
    user = request.user
    staff = staff_of(user)
    if not may_break_glass(user) or not reachable_learners(user).filter(pk=learner.pk).exists():
        record("learner.emergency_access", learner=learner, result="denied")
        raise PermissionDenied("You may not use emergency access for this learner.")
    errors = {}
    if len((reason or "").strip()) < MIN_REASON:
        errors["reason"] = f"Say what the emergency is (at least {MIN_REASON} characters)."
    if not password or not user.check_password(password):
        errors["password"] = "The password is not right."
    if not second_factor_recent:
        errors["__all__"] = "Check your second factor again first."
    if errors:
        record(
            "learner.emergency_access",
            learner=learner,
            result="denied",
            detail={"why": sorted(errors)},
        )
        raise ValidationError(errors)
    if is_staff_for(user, learner):
        raise ValidationError({"__all__": "You can already open this record."})
    now = timezone.now()
    with transaction.atomic():
        grant = EmergencyAccess.objects.create(
            staff=staff,
            learner=learner,
            reason=reason.strip(),
            started_at=now,
            expires_at=now + timedelta(minutes=settings.EMERGENCY_ACCESS_MINUTES),
        )
        record(
            "learner.emergency_access",
            learner=learner,
            obj=grant,
            detail={
                "severity": "high",
                "reason": grant.reason,
                "expires_at": grant.expires_at.isoformat(),
            },
        )
    _tell_admins(grant)
    return grant


def _tell_admins(grant):
    from trellis.incidents.notify import notify, staff_users_with_role

    # In the app and by email; neither names the child (the email leaves Trellis).
    notify(
        staff_users_with_role(grant.learner.organization, Role.PROGRAM_ADMIN),
        kind="emergency_access",
        message=f"Emergency access: {grant.staff} opened a record outside their caseload "
        f"at {timezone.localtime(grant.started_at):%H:%M}. Review it.",
        url=reverse("people:emergency_review"),
        email_subject="Trellis: emergency access used",
    )


def to_review(user):
    """Uses of emergency access about learners of the organizations this admin administers."""
    return (
        EmergencyAccess.objects.filter(learner__organization__in=administered_organizations(user))
        .select_related("staff__user", "learner", "reviewed_by__user")
        .order_by("reviewed_at", "-started_at")
    )


def review(*, by, grant, justified, note):
    if not to_review(by).filter(pk=grant.pk).exists():
        raise PermissionDenied("This use of emergency access is not yours to review.")
    if grant.staff.user_id == by.pk:
        raise ValidationError({"__all__": "Someone else reviews your own emergency access."})
    if justified is None:
        raise ValidationError({"justified": "Say whether the access was justified."})
    if not justified and not (note or "").strip():
        raise ValidationError({"note": "Say why the access was not justified."})
    with transaction.atomic():
        grant.reviewed_by = staff_of(by)
        grant.reviewed_at = timezone.now()
        grant.justified = justified
        grant.review_note = (note or "").strip()
        grant.save()
        record(
            "learner.emergency_review",
            learner=grant.learner,
            obj=grant,
            detail={"justified": justified, "note": grant.review_note},
        )
