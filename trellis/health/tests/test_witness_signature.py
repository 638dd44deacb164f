"""A witness signs for themselves: naming a colleague in a list is not their signature. The
witness of a dose or of a wasted controlled substance types their name and password, checked
like a session note's signature."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from trellis.audit.models import AuditEntry
from trellis.health.models import CountEntry, Dose, MedicationPolicy
from trellis.testing import PASSWORD, make_order

ZONE = ZoneInfo("America/Chicago")


@pytest.fixture
def controlled(world, nurse):
    order = make_order(world, world.own_learner, times=("08:00",), controlled=True)
    CountEntry.objects.create(order=order, reason="received", change=10, balance=10, by=nurse)
    return order


def yesterday_at_eight():
    day = timezone.now().astimezone(ZONE).date() - timedelta(days=1)
    return datetime.combine(day, time(8), tzinfo=ZONE)


def test_a_dose_witness_must_sign_with_their_own_password(client, world, nurse, controlled):
    client.force_login(nurse)
    url = f"/learners/{world.own_learner.pk}/mar/record/"
    slot = yesterday_at_eight()
    data = {"order": controlled.pk, "slot": slot.isoformat(), "time": "08:05", "status": "given"}
    form = client.get(url, {"order": controlled.pk, "slot": slot.isoformat()}).content.decode()
    assert "Witness: your password" in form
    page = client.post(
        url,
        data | {"witness": world.supervisor.pk, "witness_name": "Supervisor Staffer"},
    ).content.decode()
    assert "Witness: your password: The password is not right." in page
    page = client.post(
        url,
        data
        | {
            "witness": world.supervisor.pk,
            "witness_name": "Nurse Staffer",
            "witness_password": PASSWORD,
        },
    ).content.decode()
    assert "Witness: type your full name: Type your name as it appears on your account." in page
    assert not Dose.objects.exists() and controlled.stock() == 10
    assert AuditEntry.objects.filter(action="mar.witness", result="denied").count() == 2

    client.post(
        url,
        data
        | {
            "witness": world.supervisor.pk,
            "witness_name": "Supervisor Staffer",
            "witness_password": PASSWORD,
        },
    )
    assert Dose.objects.get().witness == world.supervisor and controlled.stock() == 9


def test_a_witness_is_checked_even_when_the_policy_does_not_require_one(world, nurse):
    from django.core.exceptions import ValidationError

    from trellis.health.actions import record_dose

    MedicationPolicy.objects.create(organization=world.district, witness_required="never")
    order = make_order(world, world.own_learner, times=("08:00",))
    with pytest.raises(ValidationError) as error:
        record_dose(
            by=nurse,
            order=order,
            data={
                "status": "given",
                "at": yesterday_at_eight(),
                "scheduled_for": yesterday_at_eight(),
                "witness": world.supervisor,
                "witness_name": "Supervisor Staffer",
            },
        )
    assert error.value.message_dict == {"witness_password": ["The password is not right."]}


def test_wasting_a_controlled_substance_needs_the_witness_signature(
    client, world, nurse, controlled
):
    client.force_login(nurse)
    url = f"/medications/{controlled.pk}/count/"
    data = {"reason": "wasted", "change": "1", "witness": world.supervisor.pk}
    page = client.post(url, data | {"witness_name": "Supervisor Staffer"}).content.decode()
    assert "Witness: your password: The password is not right." in page
    assert controlled.stock() == 10
    client.post(url, data | {"witness_name": "Supervisor Staffer", "witness_password": PASSWORD})
    assert controlled.stock() == 9
    assert CountEntry.objects.filter(reason="wasted").get().witness == world.supervisor
