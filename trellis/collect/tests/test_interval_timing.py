"""Intervals are scored when their observation is made (issue 11): a whole interval and a
momentary time sample once the interval has ended, a partial interval once it has begun. The
server refuses an interval recorded earlier than the session's start allows."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from trellis.collect import actions
from trellis.collect.models import Event
from trellis.testing import make_goal, make_session

pytestmark = pytest.mark.django_db
START = datetime(2025, 3, 3, 15, 0, tzinfo=UTC)


def score(world, measure, index, after_seconds):
    """Interval `index` (from 0) of a 10-second-interval goal, scored `after_seconds` after
    the session's start; the server's answer."""
    settings = {"interval_seconds": 10, "session_minutes": 5}
    goal = make_goal(world, world.own_learner, measure, settings=settings)
    session = make_session(world, world.own_learner, [goal], by=world.assistant, started_at=START)
    (result,) = actions.ingest_events(
        world.assistant,
        [
            {
                "id": str(uuid.uuid4()),
                "session": str(session.pk),
                "goal": goal.pk,
                "kind": "interval",
                "value": {"index": index, "scored": True},
                "recorded_at": (START + timedelta(seconds=after_seconds)).isoformat(),
            }
        ],
    )
    return result


@pytest.mark.parametrize("measure", ["whole_interval", "momentary_time_sampling"])
def test_an_interval_is_accepted_once_it_has_ended_not_before(world, measure):
    early = score(world, measure, index=2, after_seconds=21)  # interval 3 ends at 30 s

    assert early["status"] == "rejected"
    assert "'index' 2" in early["reason"] and "ends 30 s after" in early["reason"]
    assert not Event.objects.exists()
    assert score(world, measure, index=2, after_seconds=30)["status"] == "accepted"
    # A few seconds of clock difference between the tablet and the server is not a mistake.
    assert score(world, measure, index=0, after_seconds=7)["status"] == "accepted"


def test_a_partial_interval_may_be_scored_while_it_runs_but_not_before_it_begins(world):
    assert score(world, "partial_interval", index=2, after_seconds=21)["status"] == "accepted"
    early = score(world, "partial_interval", index=2, after_seconds=12)
    assert early["status"] == "rejected" and "begins 20 s after" in early["reason"]
