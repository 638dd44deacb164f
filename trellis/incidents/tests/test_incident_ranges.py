"""Absurd dates in incident reports are refused on the field they are typed in (issue 12): a
report dated 0001-01-01 or next week, a guardian called tomorrow, a debrief in year 1, a
follow-up due in 9999. The rest of the input stays and nothing is written."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from trellis.incidents import actions
from trellis.incidents.models import Debrief, FollowUp, GuardianContact, Incident
from trellis.incidents.tests.conftest import committed, restraint_post

pytestmark = pytest.mark.django_db


def file(client, world, **overrides):
    return committed(
        lambda: client.post(
            f"/learners/{world.own_learner.pk}/incidents/new/", restraint_post(world, **overrides)
        )
    )


def errors_of(response):
    return {name: " ".join(messages) for name, messages in response.context["form"].errors.items()}


def test_a_report_dated_next_week_is_refused_on_its_date_not_its_start(client, world, trained):
    client.force_login(world.assistant)
    next_week = date.today() + timedelta(days=7)
    response = file(client, world, date=next_week.isoformat())
    errors = errors_of(response)
    assert errors["date"] == "Date of the incident cannot be in the future."
    assert "start" not in errors
    assert "Asked to line up for lunch." in response.content.decode()
    assert not Incident.objects.exists()


def test_a_report_dated_year_1_is_refused_on_its_date(client, world, trained):
    client.force_login(world.assistant)
    response = file(client, world, date="0001-01-01")
    assert errors_of(response) == {
        "date": "Date of the incident must be on or after 1 January 1900."
    }
    assert not Incident.objects.exists()


def test_a_start_later_today_is_refused_on_the_start(client, world, trained):
    client.force_login(world.assistant)
    zone = ZoneInfo(world.own_learner.organization.time_zone)
    now = datetime.now(zone)
    if now.hour >= 22:
        pytest.skip("no later hour today in the organization's zone")
    later = f"{now.hour + 1}:59"
    response = file(
        client, world, date=now.date().isoformat(), start=later, end="23:59", kind="behavioral"
    )
    errors = errors_of(response)
    assert errors.get("start") == "Start of the incident cannot be in the future.", errors
    assert "date" not in errors


@pytest.fixture
def report(world, trained):
    zone = ZoneInfo(world.own_learner.organization.time_zone)
    start = datetime.now(zone).replace(microsecond=0) - timedelta(days=1)
    return actions.file_incident(
        by=world.assistant,
        learner=world.own_learner,
        data={
            "kind": "behavioral",
            "started_at": start,
            "ended_at": start + timedelta(minutes=10),
            "location": "Room 12",
            "antecedent": "Asked to line up.",
            "narrative": "Threw a chair.",
        },
        announce=False,
    )


def test_the_action_refuses_an_incident_of_year_1_naming_the_field(world, trained):
    start = datetime(1, 1, 1, 10, tzinfo=ZoneInfo("UTC"))
    with pytest.raises(ValidationError) as refused:
        actions.file_incident(
            by=world.assistant,
            learner=world.own_learner,
            data={
                "kind": "behavioral",
                "started_at": start,
                "ended_at": start + timedelta(minutes=5),
                "location": "Room 12",
                "antecedent": "-",
                "narrative": "-",
            },
        )
    assert refused.value.message_dict["started_at"] == [
        "Start of the incident must be on or after 1 January 1900."
    ]
    assert not Incident.objects.exists()


def test_a_guardian_contact_tomorrow_is_refused_on_its_date(client, world, report):
    client.force_login(world.assistant)
    tomorrow = date.today() + timedelta(days=2)
    response = client.post(
        f"/incidents/{report.pk}/guardian/",
        {"date": tomorrow.isoformat(), "time": "09:00", "method": "phone", "person": "Gwen"},
    )
    assert response.status_code == 200
    assert errors_of(response) == {"date": "Date of the contact cannot be in the future."}
    assert not GuardianContact.objects.exists()


def test_debriefs_and_follow_ups_have_their_ranges(world, report):
    with pytest.raises(ValidationError) as refused:
        actions.add_debrief(
            by=world.assistant,
            incident=report,
            data={
                "kind": "staff",
                "held_on": date.today() + timedelta(days=30),
                "participants": "Team",
                "summary": "Talked.",
            },
        )
    assert refused.value.message_dict == {
        "held_on": ["Date of the debrief cannot be in the future."]
    }
    with pytest.raises(ValidationError) as refused:
        actions.add_follow_up(
            by=world.assistant,
            incident=report,
            data={
                "action": "Review the plan",
                "owner": world.supervisor.staff,
                "due_on": date(9999, 12, 31),
            },
        )
    assert refused.value.message_dict["due_on"][0].startswith(
        "Due date must be within 2 years from today"
    )
    assert not Debrief.objects.exists() and not FollowUp.objects.exists()
