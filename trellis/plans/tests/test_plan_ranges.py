"""Absurd dates and numbers in plans are refused (issue 12): a plan of year 1 or 9999, a goal of
1e300 minutes in 1-second intervals, a target mastered next year. The form names the field,
keeps the other input, and nothing is written."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from trellis.plans import actions
from trellis.plans.models import Goal, Plan, TargetStateChange

pytestmark = pytest.mark.django_db


def errors_of(response):
    return {name: " ".join(messages) for name, messages in response.context["form"].errors.items()}


@pytest.mark.parametrize(
    ("starts_on", "ends_on", "field", "words"),
    [
        ("0001-01-01", "", "starts_on", "Start of the plan must be on or after 1 January 1900."),
        ("2025-09-01", "9999-12-31", "ends_on", "End of the plan must be within 10 years"),
    ],
)
def test_a_plan_dated_year_1_or_9999_is_refused_on_its_date(
    client, world, starts_on, ends_on, field, words
):
    client.force_login(world.supervisor)
    response = client.post(
        f"/learners/{world.own_learner.pk}/plans/new/",
        {"kind": "bip", "title": "Behavior plan", "starts_on": starts_on, "ends_on": ends_on},
    )
    assert response.status_code == 200
    assert words in errors_of(response)[field]
    assert b"Behavior plan" in response.content  # the title typed is kept
    assert not Plan.objects.exists()


def goal_form(**fields):
    return {
        "domain": "behavior",
        "name": "Off-task",
        "statement": "Less off-task.",
        "direction": "decrease",
        "measure": "partial_interval",
        "interval_seconds": "1",
        "session_minutes": "5",
    } | fields


@pytest.fixture
def plan(world):
    return actions.create_plan(world.supervisor, world.own_learner, kind="bip", title="BIP")


def test_a_session_of_1e300_minutes_is_refused_on_the_session_length(client, world, plan):
    client.force_login(world.supervisor)
    response = client.post(f"/plans/{plan.pk}/goals/new/", goal_form(session_minutes="1e300"))
    errors = errors_of(response)
    assert "The session length must be at most 720." in errors["session_minutes"]
    assert "interval_seconds" not in errors
    assert b"Less off-task." in response.content
    assert not Goal.objects.exists()


def test_a_missing_session_length_is_reported_on_the_session_length(client, world, plan):
    client.force_login(world.supervisor)
    response = client.post(f"/plans/{plan.pk}/goals/new/", goal_form(session_minutes=""))
    errors = errors_of(response)
    assert errors["session_minutes"] == "Give the session length."
    assert "interval_seconds" not in errors


def test_more_intervals_than_a_session_can_hold_are_refused(client, world, plan):
    client.force_login(world.supervisor)
    response = client.post(f"/plans/{plan.pk}/goals/new/", goal_form(session_minutes="720"))
    assert "more than 3,600 intervals" in errors_of(response)["interval_seconds"]


def test_goal_values_and_dates_have_their_ranges(client, world, plan):
    client.force_login(world.supervisor)
    response = client.post(
        f"/plans/{plan.pk}/goals/new/",
        goal_form(goal_value="1e300", baseline_value="-5", goal_date="9999-12-31"),
    )
    errors = errors_of(response)
    assert errors["goal_value"] == "Goal value must be from 0 to 100,000,000."
    assert errors["baseline_value"] == "Baseline value must be from 0 to 100,000,000."
    assert errors["goal_date"].startswith("Goal date must be within 10 years from today")


def test_a_target_cannot_be_mastered_in_the_future(world, plan):
    goal = actions.add_goal(
        world.supervisor,
        plan,
        domain="communication",
        name="Requesting",
        statement="Requests items.",
        measure="trials",
    )
    cup = actions.add_target(world.supervisor, goal, name="cup")
    next_year = date.today() + timedelta(days=365)
    with pytest.raises(ValidationError) as refused:
        actions.change_target_state(world.supervisor, cup, to_state="mastered", on=next_year)
    assert refused.value.message_dict == {"on": ["Date of the change cannot be in the future."]}
    with pytest.raises(ValidationError) as refused:
        actions.change_target_state(
            world.supervisor, cup, to_state="mastered", on=date(1, 1, 1)
        )
    assert "on or after 1 January 1900" in refused.value.message_dict["on"][0]
    cup.refresh_from_db()
    assert cup.state == "baseline"
    assert TargetStateChange.objects.filter(target=cup).count() == 1  # "Added" only


def test_a_phase_of_year_1_is_refused(world, plan):
    goal = actions.add_goal(
        world.supervisor,
        plan,
        domain="communication",
        name="Requesting",
        statement="Requests items.",
        measure="trials",
    )
    with pytest.raises(ValidationError) as refused:
        actions.add_phase(world.supervisor, goal, kind="baseline", starts_on=date(1, 1, 1))
    assert "Start of the phase must be on or after" in refused.value.message_dict["starts_on"][0]
    assert not goal.phases.exists()
