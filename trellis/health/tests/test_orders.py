"""A nurse enters medication orders; nobody else may."""

from datetime import date

from trellis.audit.models import AuditEntry
from trellis.health.models import MedicationOrder

ORDER = {
    "drug": "Methylphenidate",
    "dose": "10 mg",
    "route": "oral",
    "times": "8:00, 12:00",
    "days": ["0", "1", "2", "3", "4"],
    "prescriber": "Dr. Rowan",
    "starts_on": "2026-01-05",
    "consent_on": "2026-01-04",
}


def test_a_nurse_enters_a_scheduled_order(client, world, nurse):
    client.force_login(nurse)
    response = client.post(f"/learners/{world.own_learner.pk}/medications/", ORDER)
    assert response.status_code == 302
    order = MedicationOrder.objects.get()
    assert order.times == ["08:00", "12:00"] and order.entered_by == nurse
    assert AuditEntry.objects.filter(action="medication.order", result="ok").exists()


def test_an_as_needed_order_needs_its_indication(client, world, nurse):
    client.force_login(nurse)
    page = client.post(
        f"/learners/{world.own_learner.pk}/medications/", ORDER | {"times": "", "as_needed": "on"}
    ).content.decode()
    assert "Indication: An as-needed order needs its indication" in page
    assert not MedicationOrder.objects.exists()


def test_a_controlled_substance_needs_its_starting_count(client, world, nurse):
    client.force_login(nurse)
    page = client.post(
        f"/learners/{world.own_learner.pk}/medications/", ORDER | {"controlled": "on"}
    ).content.decode()
    assert "A controlled substance needs its starting count." in page
    client.post(
        f"/learners/{world.own_learner.pk}/medications/", ORDER | {"controlled": "on", "stock": 30}
    )
    assert MedicationOrder.objects.get().stock() == 30


def test_a_bad_time_is_named(client, world, nurse):
    client.force_login(nurse)
    page = client.post(
        f"/learners/{world.own_learner.pk}/medications/", ORDER | {"times": "noon"}
    ).content.decode()
    assert "Scheduled times: &#x27;noon&#x27; is not a time like 08:00." in page


def test_an_assistant_may_not_enter_orders(client, world):
    client.force_login(world.assistant)
    page = client.get(f"/learners/{world.own_learner.pk}/medications/").content.decode()
    assert "Orders are entered by a nurse or program admin." in page
    response = client.post(f"/learners/{world.own_learner.pk}/medications/", ORDER)
    assert response.status_code == 403 and not MedicationOrder.objects.exists()
    assert AuditEntry.objects.filter(action="medication.order", result="denied").exists()


def test_the_program_admin_may_enter_orders(client, world):
    client.force_login(world.program_admin)
    client.post(f"/learners/{world.own_learner.pk}/medications/", ORDER)
    assert MedicationOrder.objects.filter(starts_on=date(2026, 1, 5)).exists()
