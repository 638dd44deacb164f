"""Demo credentials: most staff current, some expiring within 30 days, one lapsed crisis
training (the clinic technician `lapsed_technician` names, who also appears in a demo restraint)."""

import random
from datetime import date, timedelta

from trellis.credentials.models import Credential, Kind
from trellis.people.models import Role, StaffMember


def lapsed_technician(people):
    return (
        StaffMember.objects.filter(
            memberships__organization=people.clinic, memberships__role=Role.TECHNICIAN
        )
        .exclude(user__username="demo-technician")
        .order_by("pk")
        .first()
    )


def build(people):
    rng = random.Random(606)
    today = date.today()
    lapsed = lapsed_technician(people)
    rows = []
    for staff in StaffMember.objects.prefetch_related("memberships"):
        roles = {m.role for m in staff.memberships.all()}
        kinds = [Kind.CPR]
        if roles & {Role.ASSISTANT, Role.TECHNICIAN, Role.TEACHER, Role.SUPERVISOR}:
            kinds.append(Kind.CRISIS)
        if Role.TECHNICIAN in roles:
            kinds.append(Kind.RBT)
        if Role.NURSE in roles or (Role.ASSISTANT in roles and rng.random() < 0.5):
            kinds.append(Kind.MEDICATION)
        if Role.ASSISTANT in roles:
            kinds.append(Kind.PARAPROFESSIONAL)
        for kind in kinds:
            years = 1 if kind in (Kind.CRISIS, Kind.RBT) else 2
            if staff == lapsed and kind == Kind.CRISIS:
                expires = today - timedelta(days=12)
            elif rng.random() < 0.12:
                expires = today + timedelta(days=rng.randint(3, 29))  # the 30-day alerts
            else:
                expires = today + timedelta(days=rng.randint(45, 365 * years))
            rows.append(
                Credential(
                    staff=staff,
                    kind=kind,
                    issued_on=expires - timedelta(days=365 * years),
                    expires_on=None if kind == Kind.PARAPROFESSIONAL else expires,
                    name={Kind.CRISIS: "CPI Nonviolent Crisis Intervention"}.get(kind, ""),
                )
            )
    Credential.objects.bulk_create(rows)
