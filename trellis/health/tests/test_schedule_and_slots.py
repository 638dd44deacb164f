"""An order says which days it applies; the MAR shows the other days as not scheduled, and a dose
slot from the query is read in the organization's time zone or refused by name."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from trellis.health.models import Dose, MedicationOrder
from trellis.testing import make_order

ZONE = ZoneInfo("America/Chicago")
SCHOOL_DAYS = [0, 1, 2, 3, 4]


def last_weeks_monday():
    today = timezone.now().astimezone(ZONE).date()
    return today - timedelta(days=today.weekday() + 7)


def test_a_school_order_defaults_to_school_days_and_the_form_names_missing_days(
    client, world, nurse
):
    client.force_login(nurse)
    url = f"/learners/{world.own_learner.pk}/medications/"
    form = client.get(url).content.decode()
    assert 'name="days" value="0"' in form and "Days it applies" in form
    assert 'value="4" id="id_days_4" checked' in form
    assert 'value="5" id="id_days_5" checked' not in form  # Saturday is not a school day
    order = {
        "drug": "Guanfacine",
        "dose": "1 mg",
        "route": "oral",
        "times": "12:00",
        "prescriber": "Dr. Rowan",
        "starts_on": "2026-01-05",
        "consent_on": "2026-01-04",
    }
    page = client.post(url, order).content.decode()
    assert "Days it applies: Choose the days the scheduled times apply" in page
    assert 'value="Guanfacine"' in page  # the rest of the input is kept
    assert not MedicationOrder.objects.exists()
    client.post(url, order | {"days": ["0", "1", "2", "3", "4"]})
    saved = MedicationOrder.objects.get()
    assert saved.days == SCHOOL_DAYS and saved.schedule_label == "12:00 · Mon–Fri"


def test_a_clinic_order_applies_every_day_unless_told(world):
    from trellis.health.actions import enter_order
    from trellis.people.models import Role
    from trellis.testing import assign, make_staff

    clinic_nurse = make_staff("clinicnurse", world.clinic, Role.NURSE)
    assign(clinic_nurse, world.client, "nurse")
    order = enter_order(
        by=clinic_nurse,
        learner=world.client,
        data={
            "drug": "Melatonin",
            "dose": "3 mg",
            "route": "oral",
            "times": ["20:00"],
            "prescriber": "Dr. Rowan",
            "starts_on": date.today(),
            "consent_on": date.today(),
        },
    )
    assert order.days == [0, 1, 2, 3, 4, 5, 6] and order.schedule_label == "20:00 · every day"


def test_days_an_order_does_not_apply_are_not_scheduled_rather_than_missed(client, world, nurse):
    make_order(world, world.own_learner, times=("08:00",), days=SCHOOL_DAYS)
    client.force_login(nurse)
    monday = last_weeks_monday()
    page = client.get(
        f"/learners/{world.own_learner.pk}/mar/?start={monday.isoformat()}"
    ).content.decode()
    assert page.count("Not charted") == 5  # Monday to Friday, none charted
    assert page.count("Not scheduled") == 2  # the weekend is neutral
    assert page.count('class="overdue"') == 5


def test_a_dose_on_a_day_the_order_does_not_apply_is_refused(client, world, nurse):
    order = make_order(world, world.own_learner, times=("08:00",), days=SCHOOL_DAYS)
    saturday = datetime.combine(last_weeks_monday() + timedelta(days=5), time(8), tzinfo=ZONE)
    client.force_login(nurse)
    page = client.post(
        f"/learners/{world.own_learner.pk}/mar/record/",
        {"order": order.pk, "slot": saturday.isoformat(), "time": "08:00", "status": "given"},
    ).content.decode()
    assert "No dose of this order is scheduled then" in page
    assert not Dose.objects.exists()


@pytest.fixture
def order(world):
    return make_order(world, world.own_learner, times=("08:00",))


def test_a_slot_without_an_offset_is_the_organizations_local_time(client, world, nurse, order):
    day = timezone.now().astimezone(ZONE).date() - timedelta(days=1)
    naive = f"{day.isoformat()}T08:00:00"
    client.force_login(nurse)
    url = f"/learners/{world.own_learner.pk}/mar/record/"
    form = client.get(url, {"order": order.pk, "slot": naive})
    assert form.status_code == 200 and "at 08:00" in form.content.decode()
    response = client.post(
        url, {"order": order.pk, "slot": naive, "time": "08:10", "status": "given"}
    )
    assert response.status_code == 302
    dose = Dose.objects.get()
    assert dose.scheduled_for == datetime.combine(day, time(8), tzinfo=ZONE)
    assert dose.at == datetime.combine(day, time(8, 10), tzinfo=ZONE)
    assert not dose.outside_window


def test_the_record_dose_action_reads_a_naive_slot_in_local_time(world, nurse, order):
    from trellis.health.actions import record_dose

    day = timezone.now().astimezone(ZONE).date() - timedelta(days=1)
    dose = record_dose(
        by=nurse,
        order=order,
        data={
            "status": "given",
            "at": datetime.combine(day, time(8, 5)),
            "scheduled_for": datetime.combine(day, time(8)),
        },
    )
    assert dose.scheduled_for == datetime.combine(day, time(8), tzinfo=ZONE)


@pytest.mark.parametrize("slot", ["tomorrow", "2026-13-02T08:00:00", "2026-12-02T25:00"])
def test_a_malformed_slot_is_a_clear_400_naming_the_slot(client, world, nurse, order, slot):
    client.force_login(nurse)
    url = f"/learners/{world.own_learner.pk}/mar/record/"
    for response in (
        client.get(url, {"order": order.pk, "slot": slot}),
        client.post(url, {"order": order.pk, "slot": slot, "time": "08:00", "status": "given"}),
    ):
        assert response.status_code == 400
        assert "Slot:" in response.content.decode() and "is not a date and time" in (
            response.content.decode()
        )
    assert not Dose.objects.exists()
