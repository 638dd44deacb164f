"""A goal's status and recommendations follow its data: on each new data point (the collect
hook) and when the nightly run re-evaluates it."""

import datetime as dt

import pytest
from django.core.management import call_command

from trellis.monitoring.hooks import events_ingested
from trellis.monitoring.models import GoalStatus, Recommendation
from trellis.monitoring.status import evaluate_goal
from trellis.monitoring.tests.helpers import (
    START,
    add_event,
    add_probes,
    add_session,
    monitored_goal,
    recorder,
)

pytestmark = pytest.mark.django_db
BASELINE = [20, 20, 20, 20, 20]  # days 0-12, then intervention from day 14
TODAY = START + dt.timedelta(days=30)


def flat_goal(world, scores=(21, 21, 22, 21)):
    goal = monitored_goal(world.own_learner)
    by = recorder(world, world.own_learner)
    add_probes(goal, BASELINE, by=by)
    add_probes(goal, scores, by=by, start=START + dt.timedelta(days=14))
    return goal


def test_a_goal_below_its_aim_gets_a_status_and_one_open_recommendation(world):
    goal = flat_goal(world)
    status = evaluate_goal(goal, today=TODAY)
    assert status.flag == "change_intervention"
    assert status.latest_value == 21 and status.points == 9
    assert status.trend_per_week is not None and status.aim_per_week > 0
    rec = Recommendation.objects.get(goal_lineage=goal.lineage)
    assert rec.status == "open" and rec.kind == "change_intervention"
    assert rec.evidence["rule"] == "consecutive"

    evaluate_goal(goal, today=TODAY)  # the nightly run again: nothing piles up
    assert Recommendation.objects.filter(goal_lineage=goal.lineage).count() == 1


def test_a_recommendation_the_data_no_longer_support_is_closed_as_no_longer_indicated(world):
    goal = flat_goal(world)
    evaluate_goal(goal, today=TODAY)
    by = recorder(world, world.own_learner)
    add_session(goal, START + dt.timedelta(days=27), [("probe", {"score": 45, "errors": 0})], by=by)
    status = evaluate_goal(goal, today=TODAY)
    assert status.flag == ""
    rec = Recommendation.objects.get(goal_lineage=goal.lineage)
    assert rec.status == "resolved" and "no longer" in rec.reason


def test_a_dismissed_flag_returns_only_when_newer_data_raise_it_again(world):
    goal = flat_goal(world)
    evaluate_goal(goal, today=TODAY)
    rec = Recommendation.objects.get()
    rec.status, rec.decided_at, rec.reason = "dismissed", rec.raised_at, "Absent a week"
    rec.save()
    # Decided "today" (after every point so far): the same data raise nothing.
    rec.decided_at = rec.decided_at.replace(year=2025, month=9, day=27)
    rec.save()
    assert evaluate_goal(goal, today=TODAY).flag == ""
    by = recorder(world, world.own_learner)
    for day in (28, 29, 30, 31):
        add_session(
            goal, START + dt.timedelta(days=day), [("probe", {"score": 20, "errors": 0})], by=by
        )
    assert evaluate_goal(goal, today=START + dt.timedelta(days=32)).flag == "change_intervention"
    assert Recommendation.objects.filter(status="open").count() == 1


def test_voided_data_do_not_count(world):
    goal = monitored_goal(world.own_learner)
    by = recorder(world, world.own_learner)
    add_probes(goal, BASELINE, by=by)
    add_probes(goal, [21, 21, 22], by=by, start=START + dt.timedelta(days=14))
    session, (typo,) = add_session(
        goal, START + dt.timedelta(days=23), [("probe", {"score": 90, "errors": 0})], by=by
    )
    assert evaluate_goal(goal, today=TODAY).latest_value == 90
    add_event(session, goal, "void", {"reason": "typed 90 for 20"}, by=by, voids=typo)
    add_session(goal, START + dt.timedelta(days=25), [("probe", {"score": 21, "errors": 0})], by=by)
    status = evaluate_goal(goal, today=TODAY)
    assert status.latest_value == 21 and status.points == 9
    assert status.flag == "change_intervention"


def test_new_events_re_evaluate_their_goal_after_commit(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        goal = flat_goal(world)  # nine events saved one by one
        events_ingested([goal.pk])  # and the bulk ingest hook for the same goal
    assert len(callbacks) == 1  # one evaluation per transaction, however many events
    status = GoalStatus.objects.get(goal=goal)
    assert status.points == 9


def test_the_nightly_command_evaluates_every_active_goal(world, capsys):
    goal = flat_goal(world)
    other = monitored_goal(world.client, name="Requests")
    call_command("monitor")
    assert GoalStatus.objects.filter(goal__in=[goal, other]).count() == 2
    assert "2 goals evaluated" in capsys.readouterr().out
    # The client has no data since the plan began long ago: a data gap.
    assert GoalStatus.objects.get(goal=other).flag == "data_gap"


def statuses(goals):
    fields = ("flag", "latest_value", "points", "trend_per_week", "aim_per_week", "explanation")
    return [GoalStatus.objects.filter(goal=goal).values(*fields).get() for goal in goals]


def test_the_nightly_batch_finds_what_evaluating_each_goal_finds_in_a_few_queries(
    world, django_assert_max_num_queries
):
    """The nightly run evaluates hundreds of goals at a time: a batch reads them and their
    data in the same few queries however many there are, and writes them in a few more."""
    from trellis.monitoring.status import evaluate_goals

    goals = [flat_goal(world), flat_goal(world, scores=(30, 38, 45, 52))]
    by = recorder(world, world.client)
    trials = monitored_goal(world.client, "trials", name="Matching", targets=["red", "blue"])
    red = trials.targets.get(name="red")
    for n in range(4):
        add_session(trials, START + dt.timedelta(days=n), [("trial", {"r": "+"}, red)], by=by)
    goals.append(trials)
    for goal in goals:
        evaluate_goal(goal, today=TODAY)
    one_by_one = statuses(goals)
    GoalStatus.objects.all().delete()
    Recommendation.objects.all().delete()
    with django_assert_max_num_queries(16):
        assert evaluate_goals([goal.pk for goal in goals], today=TODAY) == (3, [])
    assert statuses(goals) == one_by_one
    assert Recommendation.objects.filter(goal_lineage=goals[0].lineage, status="open").count() == 1
