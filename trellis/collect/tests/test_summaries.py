"""Session summaries and goal data points: voided events are left out, and a goal with no
data in a session is "not tracked", never zero; a recorded zero is a zero."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from trellis.collect import actions
from trellis.collect.queries import goal_data_points, session_summaries
from trellis.plans import actions as plan_actions
from trellis.testing import make_goal, make_session

pytestmark = pytest.mark.django_db
AT = datetime(2025, 3, 3, 15, 0, tzinfo=UTC)


def send(world, session, goal, kind, values, **extra):
    events = []
    for i, value in enumerate(values):
        events.append(
            {
                "id": uuid.uuid4(),
                "session": session.pk,
                "goal": goal.pk,
                "kind": kind,
                "value": value,
                "recorded_at": session.started_at + timedelta(seconds=i),
            }
            | extra
        )
    results = actions.ingest_events(world.assistant, events)
    assert {r["status"] for r in results} == {"accepted"}, results
    return events


def test_each_goal_is_summarized_and_untracked_goals_say_so(world):
    trials = make_goal(world, world.own_learner, "trials", targets=["cup", "ball"])
    count = make_goal(world, world.own_learner, "frequency")
    zero = make_goal(world, world.own_learner, "frequency", name="Zero")
    session = make_session(
        world, world.own_learner, [trials, count, zero], by=world.assistant, started_at=AT
    )
    cup = trials.targets.get(name="cup")
    sent = send(
        world,
        session,
        trials,
        "trial",
        [
            {"result": "correct", "prompt": "independent"},
            {"result": "correct", "prompt": "gestural"},
            {"result": "incorrect", "prompt": None},
            {"result": "correct", "prompt": "independent"},
        ],
        target=cup.pk,
    )
    # The last trial was a mistake: voided, so 1 of 3 is independent.
    send(world, session, trials, "void", [{"reason": "wrong button"}], voids=sent[3]["id"])
    send(world, session, zero, "count", [{"n": 0}])
    by_goal = {row["name"]: row for row in session_summaries(session)}
    assert round(by_goal[trials.name]["value"], 1) == 33.3
    assert by_goal[trials.name]["summary"]["trials"] == 3
    assert by_goal[trials.name]["targets"][0]["label"].startswith("33")
    assert by_goal[trials.name]["targets"][1]["label"] == "not tracked"
    assert by_goal[count.name]["tracked"] is False and by_goal[count.name]["value"] is None
    assert by_goal["Zero"]["tracked"] is True and by_goal["Zero"]["value"] == 0


def test_data_points_follow_the_goal_across_plan_versions(world):
    goal = make_goal(world, world.own_learner, "probe")
    old = make_session(world, world.own_learner, [goal], by=world.assistant, started_at=AT)
    send(world, old, goal, "probe", [{"score": 40, "errors": 2}])
    new_plan = plan_actions.revise_plan(world.program_admin, goal.plan, reason="Review")
    plan_actions.approve_plan(world.program_admin, new_plan)
    copy = new_plan.goals.get()
    later = make_session(
        world, world.own_learner, [copy], by=world.assistant, started_at=AT + timedelta(days=7)
    )
    send(world, later, copy, "probe", [{"score": 48}, {"score": 52}, {"score": 50}])
    points = goal_data_points(copy)
    assert [p["value"] for p in points] == [40, 50]  # the median of three probes


def test_a_second_observers_record_is_kept_out_of_the_graph(world):
    goal = make_goal(world, world.own_learner)
    primary = make_session(world, world.own_learner, [goal], by=world.assistant, started_at=AT)
    send(world, primary, goal, "count", [{"n": 1}] * 3)
    second, _ = actions.start_session(
        world.supervisor,
        learner=world.own_learner,
        goals=[goal],
        started_at=AT,
        primary_session=primary,
    )
    actions.ingest_events(
        world.supervisor,
        [
            {
                "id": uuid.uuid4(),
                "session": second.pk,
                "goal": goal.pk,
                "kind": "count",
                "value": {"n": 1},
                "recorded_at": AT,
            }
        ],
    )
    assert [p["value"] for p in goal_data_points(goal)] == [3]
    assert second.events.count() == 1 and primary.events.count() == 3
