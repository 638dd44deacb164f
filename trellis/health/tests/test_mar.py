"""Charting doses on the MAR: who may, what each status needs, the window, witnesses,
corrections that never edit, the controlled count."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from trellis.audit.models import AuditEntry
from trellis.health.models import Dose, MedicationPolicy
from trellis.testing import PASSWORD, make_order

ZONE = ZoneInfo("America/Chicago")


def slot_yesterday(clock="08:00"):
    day = timezone.now().astimezone(ZONE).date() - timedelta(days=1)
    return datetime.combine(day, time.fromisoformat(clock), tzinfo=ZONE)


def chart(client, learner, order, slot, **data):
    return client.post(
        f"/learners/{learner.pk}/mar/record/",
        {"order": order.pk, "slot": slot.isoformat(), "time": slot.strftime("%H:%M")} | data,
    )


@pytest.fixture
def order(world):
    return make_order(world, world.own_learner)


def test_the_nurse_charts_a_dose_given_in_one_tap(client, world, nurse, order):
    client.force_login(nurse)
    response = chart(client, world.own_learner, order, slot_yesterday(), status="given")
    assert response.status_code == 302
    dose = Dose.objects.get()
    assert dose.status == "given" and dose.recorded_by == nurse and not dose.outside_window
    assert AuditEntry.objects.filter(action="mar.record", result="ok").exists()
    grid = client.get(f"/learners/{world.own_learner.pk}/mar/").content.decode()
    assert "Methylphenidate" in grid and 'class="dose given' in grid


def test_a_dose_not_given_needs_a_reason_code(client, world, nurse, order):
    client.force_login(nurse)
    page = chart(client, world.own_learner, order, slot_yesterday(), status="refused").content
    assert "Reason (if not given): A dose that was not given needs a reason code." in page.decode()
    chart(client, world.own_learner, order, slot_yesterday(), status="refused", reason="refused")
    assert Dose.objects.get().reason == "refused"


def test_a_dose_outside_the_window_is_flagged(client, world, nurse, order):
    client.force_login(nurse)
    chart(client, world.own_learner, order, slot_yesterday(), status="given", time="09:30")
    assert Dose.objects.get().outside_window


def test_the_window_is_the_organizations(client, world, nurse, order):
    MedicationPolicy.objects.create(organization=world.district, window_minutes=120)
    client.force_login(nurse)
    chart(client, world.own_learner, order, slot_yesterday(), status="given", time="09:30")
    assert not Dose.objects.get().outside_window


def test_a_dose_cannot_be_charted_twice(client, world, nurse, order):
    client.force_login(nurse)
    chart(client, world.own_learner, order, slot_yesterday(), status="given")
    page = chart(client, world.own_learner, order, slot_yesterday(), status="given").content
    assert "already charted" in page.decode() and Dose.objects.count() == 1


def test_staff_without_medication_training_may_not_chart(client, world, order):
    client.force_login(world.assistant)
    page = chart(client, world.own_learner, order, slot_yesterday(), status="given").content
    assert "Only staff authorized for medication administration" in page.decode()
    assert not Dose.objects.exists()
    assert AuditEntry.objects.filter(action="mar.record", result="denied").exists()


def test_staff_with_current_medication_training_may_chart(client, world, order, trained_assistant):
    client.force_login(trained_assistant)
    chart(client, world.own_learner, order, slot_yesterday(), status="given")
    assert Dose.objects.get().recorded_by == trained_assistant


def test_a_controlled_substance_needs_a_witness_and_counts_down(client, world, nurse):
    from trellis.health.actions import enter_order

    controlled = enter_order(
        by=nurse,
        learner=world.own_learner,
        stock=10,
        data={
            "drug": "Clonazepam",
            "dose": "0.5 mg",
            "route": "oral",
            "times": ["08:00"],
            "prescriber": "Dr. Rowan",
            "starts_on": timezone.now().date() - timedelta(days=5),
            "consent_on": timezone.now().date() - timedelta(days=6),
            "controlled": True,
        },
    )
    client.force_login(nurse)
    page = chart(client, world.own_learner, controlled, slot_yesterday(), status="given").content
    assert "Witness: This organization requires a witness for this dose." in page.decode()
    chart(
        client,
        world.own_learner,
        controlled,
        slot_yesterday(),
        status="given",
        witness=world.supervisor.pk,
        witness_name="Supervisor Staffer",
        witness_password=PASSWORD,
    )
    controlled.refresh_from_db()
    assert controlled.stock() == 9
    assert Dose.objects.get().witness == world.supervisor


def test_a_correction_marks_the_entry_in_error_and_records_the_right_one(
    client, world, nurse, order
):
    client.force_login(nurse)
    chart(client, world.own_learner, order, slot_yesterday(), status="given")
    wrong = Dose.objects.get()
    page = client.post(f"/mar/doses/{wrong.pk}/correct/", {"status": "held"}).content.decode()
    assert "Why the entry was wrong: This field is required." in page
    response = client.post(
        f"/mar/doses/{wrong.pk}/correct/",
        {
            "error_reason": "Charted on the wrong day's row",
            "replace": "on",
            "status": "held",
            "time": "08:05",
            "reason": "held_nurse",
        },
    )
    assert response.status_code == 302
    wrong.refresh_from_db()
    right = wrong.corrected_by_dose
    assert wrong.entered_in_error and wrong.status == "given"  # the original is unchanged
    assert right.status == "held" and right.scheduled_for == wrong.scheduled_for
    assert list(Dose.objects.standing()) == [right]
    assert AuditEntry.objects.filter(action="mar.correct").exists()


def test_an_as_needed_dose_needs_its_reason_and_gets_an_effect_follow_up(client, world, nurse):
    prn = make_order(
        world,
        world.own_learner,
        times=(),
        as_needed=True,
        indication="Headache",
        drug="Ibuprofen",
        dose="200 mg",
    )
    client.force_login(nurse)
    now = timezone.now().astimezone(ZONE) - timedelta(minutes=1)
    data = {"order": prn.pk, "time": now.strftime("%H:%M"), "status": "given"}
    page = client.post(f"/learners/{world.own_learner.pk}/mar/record/", data).content.decode()
    assert "Say why the as-needed dose was given." in page
    client.post(f"/learners/{world.own_learner.pk}/mar/record/", data | {"prn_reason": "Headache"})
    dose = Dose.objects.get()
    response = client.post(
        f"/mar/doses/{dose.pk}/effect/", {"effect": "Pain gone", "time": now.strftime("%H:%M")}
    )
    assert response.status_code == 302 and dose.effect.effect == "Pain gone"


def test_the_mar_is_hidden_from_families_and_other_caseloads(client, world, order):
    client.force_login(world.guardian)
    assert client.get(f"/learners/{world.own_learner.pk}/mar/").status_code == 404
    client.force_login(world.nurse)  # no case: sees nobody
    assert client.get(f"/learners/{world.own_learner.pk}/mar/").status_code == 404
