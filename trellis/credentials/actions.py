"""Writing credentials and sending the 30-day expiry alerts."""

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse

from trellis.audit.log import record
from trellis.credentials.models import ALERT_DAYS, Credential, ExpiryAlert
from trellis.people.access import is_program_admin
from trellis.people.models import Membership, Organization, Role, StaffMember


def staff_in_reach(user):
    """Staff whose credentials this user may see: everyone in a program admin's organizations
    (and below), a supervisor's supervisees, and oneself."""
    if user.is_superuser:
        return StaffMember.objects.all()
    me = StaffMember.objects.filter(user=user).first()
    if me is None:
        return StaffMember.objects.none()
    reach = StaffMember.objects.filter(pk=me.pk) | StaffMember.objects.filter(supervisors=me)
    for path in me.memberships.filter(role=Role.PROGRAM_ADMIN).values_list(
        "organization__path", flat=True
    ):
        reach = reach | StaffMember.objects.filter(
            memberships__organization__in=Organization.objects.filter(path__startswith=path)
        )
    return reach.distinct()


def add_credential(*, by, data):
    if not is_program_admin(by) or not staff_in_reach(by).filter(pk=data["staff"].pk).exists():
        record("credential.add", result="denied", detail={"staff": str(data.get("staff"))})
        raise PermissionDenied(
            "Only a program admin of this person's organization may add credentials."
        )
    credential = Credential(recorded_by=by, **data)
    credential.full_clean()
    with transaction.atomic():
        credential.save()
        record(
            "credential.add",
            obj=credential,
            detail={
                "staff": str(credential.staff),
                "kind": credential.kind,
                "expires_on": str(credential.expires_on or ""),
            },
        )
    return credential


def send_expiry_alerts(today=None):
    """Tell each person whose credential expires within 30 days (once per credential), with their
    supervisors and their organizations' program admins, in the app and by email."""
    from trellis.incidents.notify import notify

    today = today or date.today()
    due = (
        Credential.objects.expiring(today, ALERT_DAYS)
        .filter(alert__isnull=True)
        .select_related("staff__user")
    )
    sent = 0
    for credential in due:
        staff = credential.staff
        orgs = Membership.objects.filter(staff=staff).values_list("organization__path", flat=True)
        admin_ids = set()
        for path in orgs:
            ids = [int(p) for p in path.split("/") if p]
            admin_ids |= set(
                Membership.objects.filter(
                    organization_id__in=ids, role=Role.PROGRAM_ADMIN
                ).values_list("staff__user_id", flat=True)
            )
        recipients = [staff.user] + [s.user for s in staff.supervisors.select_related("user")]
        recipients += list(StaffMember.objects.filter(user_id__in=admin_ids).select_related("user"))
        recipients = [r.user if isinstance(r, StaffMember) else r for r in recipients]
        days = (credential.expires_on - today).days
        with transaction.atomic():
            notify(
                recipients,
                kind="credential.expiring",
                message=(
                    f"{credential.get_kind_display()} of {staff} expires on "
                    f"{credential.expires_on:%b %-d, %Y} (in {days} days)."
                ),
                url=reverse("credentials:roster"),
                email_subject="Trellis: a credential expires soon",
            )
            ExpiryAlert.objects.create(credential=credential)
            record("credential.alert", obj=credential, detail={"days": days})
        sent += 1
    return sent


def lapsed_since(today=None, days=ALERT_DAYS):
    today = today or date.today()
    return Credential.objects.filter(
        expires_on__lt=today, expires_on__gte=today - timedelta(days=365)
    )
