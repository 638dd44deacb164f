"""A session's data point is judged when it is complete: when the session ends, not mid-session
(a count still climbing is not "below the aim line"), and again if a device syncs late."""

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from trellis.collect import actions
from trellis.monitoring.models import GoalStatus
from trellis.monitoring.tests.helpers import monitored_goal


def probe(session, goal, score):
    return {
        "id": str(uuid.uuid4()),
        "session": str(session.pk),
        "goal": goal.pk,
        "target": None,
        "kind": "probe",
        "value": {"score": score, "errors": 0},
        "recorded_at": timezone.now().isoformat(),
        "voids": None,
    }


# Real commits: the evaluation runs when each action's transaction commits.
@pytest.mark.django_db(transaction=True)
def test_ending_a_session_evaluates_its_goals_and_a_late_sync_does_again(world):
    goal = monitored_goal(world.own_learner, "probe")
    started = timezone.now() - dt.timedelta(minutes=20)
    session, _ = actions.start_session(
        world.assistant, learner=world.own_learner, goals=[goal.pk], started_at=started
    )
    actions.ingest_events(world.assistant, [probe(session, goal, 31)])
    assert not GoalStatus.objects.filter(goal=goal).exists()  # in progress: not judged yet

    actions.end_session(world.assistant, session, ended_at=timezone.now())
    status = GoalStatus.objects.get(goal=goal)
    assert status.points == 1 and status.latest_value == 31

    actions.ingest_events(world.assistant, [probe(session, goal, 35)])
    assert GoalStatus.objects.get(goal=goal).latest_value == 33  # median of the session's probes
