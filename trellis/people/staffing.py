"""Staffing actions of a program admin: invite a person, set their roles and supervision,
deactivate and reactivate their login, assign and end cases.

Each action checks that the admin administers the organizations involved (through
`administered_organizations`, the access policy's admin rule), writes in one transaction and
audits. Nobody sets another person's password: an invitation is a single-use, expiring link
with which the person sets their own.
"""

from django.conf import settings
from django.contrib.auth.models import User
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from trellis.audit.log import record
from trellis.people.access import CHANGE, admin_paths, may, staff_of
from trellis.people.models import CaseAssignment, Membership, Organization, Role, StaffMember

INVITATION_SALT = "trellis.people.invitation"
INVITATION_DAYS = 7


def administered_organizations(user):
    """The organizations (and those under them) where this user is a program admin."""
    if user.is_superuser:
        return Organization.objects.all()
    staff = staff_of(user)
    if staff is None:
        return Organization.objects.none()
    rule = Q(pk__in=[])
    for path in admin_paths(staff):
        rule |= Q(path__startswith=path)
    return Organization.objects.filter(rule)


def administered_staff(user):
    """Staff holding a role in one of the organizations this user administers."""
    return StaffMember.objects.filter(
        memberships__organization__in=administered_organizations(user)
    ).distinct()


def _check_administers(by, staff, action):
    if not administered_staff(by).filter(pk=staff.pk).exists():
        record(action, obj=staff, result="denied")
        raise PermissionDenied("You do not administer this person's organization.")


def _check_organization(by, organization, action):
    if not administered_organizations(by).filter(pk=organization.pk).exists():
        record(action, result="denied", detail={"organization_id": organization.pk})
        raise PermissionDenied("You do not administer this organization.")


# — invitations —


def _login_state(user):
    """Changes when the password is set or the person signs in, so a link works once."""
    return salted_hmac(INVITATION_SALT, f"{user.pk}|{user.password}|{user.last_login}").hexdigest()


def invitation_token(user):
    return signing.dumps({"u": user.pk, "s": _login_state(user)}, salt=INVITATION_SALT)


def invited_user(token):
    """The active user this invitation is for, or None when it is expired, used or forged."""
    try:
        data = signing.loads(token, salt=INVITATION_SALT, max_age=INVITATION_DAYS * 86400)
    except signing.BadSignature:
        return None
    user = User.objects.filter(pk=data.get("u"), is_active=True).first()
    if user is None or not constant_time_compare(data.get("s", ""), _login_state(user)):
        return None
    return user


def send_invitation(*, by, staff, base_url):
    """Email the person a link to set their password (again, if an earlier one was lost)."""
    _check_administers(by, staff, "staff.invite")
    user = staff.user
    if user.has_usable_password():
        raise ValidationError({"__all__": "This person has set a password already."})
    if not user.email:
        raise ValidationError({"email": "Add an email address to send the invitation to."})
    link = base_url.rstrip("/") + reverse("accept-invitation", args=[invitation_token(user)])
    record("staff.invite", obj=staff, detail={"email": user.email})
    transaction.on_commit(
        lambda: send_mail(
            "Your Trellis account",
            f"{by.get_full_name() or by.get_username()} has invited you to Trellis.\n\n"
            f"Your username is {user.get_username()}. Set your password here (the link works "
            f"once, for {INVITATION_DAYS} days):\n{link}\n",
            settings.DEFAULT_FROM_EMAIL,
            [user.email],
        )
    )
    return link


def invite_staff(*, by, data, base_url):
    """A new person: login (no password until they set one), staff row, role, supervisors,
    and the invitation email."""
    _check_organization(by, data["organization"], "staff.create")
    supervisors = list(data.get("supervisors") or [])
    allowed = administered_staff(by)
    if any(not allowed.filter(pk=s.pk).exists() for s in supervisors):
        raise ValidationError({"supervisors": "Supervisors must work in your organizations."})
    with transaction.atomic():
        user = User(
            username=data["username"],
            email=data["email"],
            first_name=data["first_name"],
            last_name=data["last_name"],
        )
        user.set_unusable_password()
        user.save()
        staff = StaffMember.objects.create(user=user, title=data.get("title", ""))
        Membership.objects.create(staff=staff, organization=data["organization"], role=data["role"])
        staff.supervisors.set(supervisors)
        record(
            "staff.create",
            obj=staff,
            detail={"organization_id": data["organization"].pk, "role": data["role"]},
        )
        send_invitation(by=by, staff=staff, base_url=base_url)
    return staff


def accept_invitation(user, password):
    """The invited person sets their password; the link is spent by it."""
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        record("staff.invitation_accepted", user=user, obj=user)


# — roles, supervision, login —


def add_role(*, by, staff, organization, role):
    _check_administers(by, staff, "staff.role")
    _check_organization(by, organization, "staff.role")
    with transaction.atomic():
        _, created = Membership.objects.get_or_create(
            staff=staff, organization=organization, role=role
        )
        if not created:
            raise ValidationError({"role": "This person holds this role there already."})
        record(
            "staff.role_add", obj=staff, detail={"organization_id": organization.pk, "role": role}
        )


def remove_role(*, by, membership):
    staff = membership.staff
    _check_administers(by, staff, "staff.role")
    _check_organization(by, membership.organization, "staff.role")
    if staff.memberships.count() == 1:
        raise ValidationError(
            {"role": "A person keeps one role at least: deactivate them instead."}
        )
    with transaction.atomic():
        record(
            "staff.role_remove",
            obj=staff,
            detail={"organization_id": membership.organization_id, "role": membership.role},
        )
        membership.delete()


def set_supervisors(*, by, staff, supervisors):
    _check_administers(by, staff, "staff.supervisors")
    supervisors = list(supervisors)
    if staff in supervisors:
        raise ValidationError({"supervisors": "A person cannot supervise themselves."})
    allowed = administered_staff(by)
    if any(not allowed.filter(pk=s.pk).exists() for s in supervisors):
        raise ValidationError({"supervisors": "Supervisors must work in your organizations."})
    with transaction.atomic():
        staff.supervisors.set(supervisors)
        record("staff.supervisors", obj=staff, detail={"supervisors": [s.pk for s in supervisors]})


def deactivate(*, by, staff, reason):
    """The login stops working at once (the user backend signs them out on their next
    request); their records, signatures and case history stay."""
    _check_administers(by, staff, "staff.deactivate")
    if staff.user_id == by.pk:
        raise ValidationError({"__all__": "You cannot deactivate your own login."})
    if not reason.strip():
        raise ValidationError({"reason": "Say why the login is deactivated."})
    with transaction.atomic():
        staff.user.is_active = False
        staff.user.save(update_fields=["is_active"])
        record("staff.deactivate", obj=staff, detail={"reason": reason.strip()})


def reactivate(*, by, staff):
    _check_administers(by, staff, "staff.reactivate")
    with transaction.atomic():
        staff.user.is_active = True
        staff.user.save(update_fields=["is_active"])
        record("staff.reactivate", obj=staff)


def allow_emergency_access(*, by, staff, allowed):
    """Whether this person may open a learner outside their caseload in an emergency."""
    _check_administers(by, staff, "staff.emergency_access")
    with transaction.atomic():
        staff.may_break_glass = allowed
        staff.save(update_fields=["may_break_glass"])
        record("staff.emergency_access", obj=staff, detail={"allowed": allowed})


# — cases —


def assign_case(*, by, staff, learner, role, starts_on=None, ends_on=None):
    _check_administers(by, staff, "case.assign")
    if (
        not may(by, CHANGE, learner)
        or not administered_organizations(by).filter(pk=learner.organization_id).exists()
    ):
        record("case.assign", learner=learner, result="denied")
        raise PermissionDenied("You do not administer this learner's organization.")
    starts_on = starts_on or timezone.localdate()
    if ends_on and ends_on < starts_on:
        raise ValidationError({"ends_on": "The end date is before the start date."})
    if CaseAssignment.objects.active().filter(staff=staff, learner=learner, role=role).exists():
        raise ValidationError({"learner": "This person is on that case in that role already."})
    with transaction.atomic():
        assignment = CaseAssignment.objects.create(
            staff=staff, learner=learner, role=role, starts_on=starts_on, ends_on=ends_on
        )
        record("case.assign", learner=learner, obj=assignment, detail={"staff_id": staff.pk})
    return assignment


def end_case(*, by, assignment, ends_on=None):
    _check_administers(by, assignment.staff, "case.end")
    ends_on = ends_on or timezone.localdate()
    if ends_on < assignment.starts_on:
        raise ValidationError({"ends_on": "The end date is before the case started."})
    with transaction.atomic():
        assignment.ends_on = ends_on
        assignment.save(update_fields=["ends_on"])
        record("case.end", learner=assignment.learner, obj=assignment)


# — who may access the records —


def records_access_list(organization):
    """The staff who may access the records of this organization's learners today, each with
    why: the list IDEA 34 CFR 300.623(d) asks every agency to keep of the employees who may
    access special-education records. It follows the access rule (people/access.py), so it is
    the list of who can, not who is meant to."""
    subtree = Organization.objects.filter(path__startswith=organization.path)
    above = [int(part) for part in organization.path.split("/") if part]
    cases = CaseAssignment.objects.active().filter(learner__organization__in=subtree)
    reasons = {}

    def add(staff_ids, why):
        for staff_id in staff_ids:
            reasons.setdefault(staff_id, []).append(why)

    add(
        Membership.objects.filter(role=Role.PROGRAM_ADMIN, organization_id__in=above)
        .values_list("staff_id", flat=True)
        .distinct(),
        "program admin",
    )
    counts = {}
    for staff_id in cases.values_list("staff_id", flat=True):
        counts[staff_id] = counts.get(staff_id, 0) + 1
    for staff_id, count in counts.items():
        add([staff_id], f"on the case of {count} learner{'s' if count != 1 else ''}")
    add(
        StaffMember.objects.filter(supervisees__assignments__in=cases)
        .values_list("pk", flat=True)
        .distinct(),
        "supervises staff on these cases",
    )
    add(
        StaffMember.objects.filter(may_break_glass=True, memberships__organization__in=subtree)
        .values_list("pk", flat=True)
        .distinct(),
        "emergency access allowed",
    )
    people = StaffMember.objects.filter(pk__in=reasons, user__is_active=True).select_related("user")
    return [(person, reasons[person.pk]) for person in people.order_by("user__last_name")]
