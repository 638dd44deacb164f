"""The navigation by role: what each person uses daily is one tap away."""

from dataclasses import dataclass

from django.urls import reverse

from trellis.people.access import is_program_admin, staff_of
from trellis.people.models import Membership, Role


@dataclass
class Link:
    key: str
    label: str
    url: str


def nav_for(user):
    staff = staff_of(user)
    if staff is None and not user.is_superuser:
        return [Link("caseload", "My children", reverse("people:caseload"))]
    admin = is_program_admin(user)
    roles = set(Membership.objects.filter(staff=staff).values_list("role", flat=True))
    links = [
        Link("home", "Today", reverse("home")),
        Link("caseload", "Caseload", reverse("people:caseload")),
        Link("dashboard", "Progress", reverse("monitoring:dashboard")),
        Link("incidents", "Incidents", reverse("incidents:list")),
        Link("credentials", "Credentials", reverse("credentials:roster")),
    ]
    if admin:
        links.append(Link("staff", "Staff", reverse("people:staff")))
    if admin or Role.SUPERVISOR in roles:
        links.append(Link("lists", "Pick lists", reverse("plans:org_lists")))
    if admin:
        links.append(Link("audit", "Audit log", reverse("audit-log")))
    if staff is not None and staff.may_break_glass:
        links.append(Link("emergency", "Emergency access", reverse("people:emergency_find")))
    if user.is_superuser:
        links.append(Link("failed", "Failed tasks", reverse("tasks:failed")))
    return links
