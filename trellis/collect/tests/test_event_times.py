"""Sessions and events are timed sensibly (issue 12): a session of year 1 or one ending in 9999
is a 422 naming the field; an event is timed within its session (give or take a quarter of an
hour) and never in year 1. A correction (void) may come after the session ended."""

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from trellis.collect import actions
from trellis.collect.models import Event, Session
from trellis.testing import make_goal, make_session

pytestmark = pytest.mark.django_db
START = datetime(2025, 3, 3, 15, 0, tzinfo=UTC)


@pytest.fixture
def session(world):
    goal = make_goal(world, world.own_learner)
    return make_session(world, world.own_learner, [goal], by=world.assistant, started_at=START)


def sync(world, session, *times, kind="count", value=None, **extra):
    goal = session.goals.get()
    events = [
        {
            "id": str(uuid.uuid4()),
            "session": str(session.pk),
            "goal": goal.pk,
            "kind": kind,
            "value": value or {"n": 1},
            "recorded_at": at.isoformat(),
        }
        | extra
        for at in times
    ]
    return actions.ingest_events(world.assistant, events)


def test_an_event_30_days_before_its_session_started_is_rejected(world, session):
    [result] = sync(world, session, START - timedelta(days=30))
    assert result["status"] == "rejected"
    assert result["reason"].startswith("'recorded_at' is before the session started (2025-03-03")
    assert not Event.objects.exists()


def test_an_event_of_year_1_is_rejected(world, session):
    [result] = sync(world, session, datetime(1, 1, 1, tzinfo=UTC))
    assert result == result | {
        "status": "rejected",
        "reason": "'recorded_at' must be on or after 1 January 2000.",
    }


def test_an_event_a_few_minutes_early_is_accepted_as_clock_skew(world, session):
    results = sync(world, session, START - timedelta(minutes=10), START + timedelta(minutes=5))
    assert [r["status"] for r in results] == ["accepted", "accepted"]


def test_after_the_end_only_a_correction_is_accepted(world, session):
    [first] = sync(world, session, START + timedelta(minutes=1))
    Session.objects.filter(pk=session.pk).update(ended_at=START + timedelta(minutes=20))
    [late] = sync(world, session, START + timedelta(days=2))
    assert late["status"] == "rejected" and "after the session ended" in late["reason"]
    [void] = sync(
        world,
        session,
        START + timedelta(days=2),
        kind="void",
        value={"reason": "Counted twice"},
        voids=first["id"],
    )
    assert void["status"] == "accepted"


def post(client, url, body, method="post"):
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


def test_a_session_of_year_1_is_a_422_naming_started_at(client, world):
    goal = make_goal(world, world.own_learner)
    client.force_login(world.assistant)
    body = {"learner": world.own_learner.pk, "goals": [goal.pk], "started_at": "0001-01-01T00:00Z"}
    response = post(client, "/api/v1/sessions", body)
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "loc": ["body", "started_at"],
            "msg": "Start of the session must be on or after 1 January 2000.",
            "type": "invalid",
        }
    ]
    assert not Session.objects.exists()


def test_a_session_ending_in_9999_is_a_422_naming_ended_at(client, world, session):
    client.force_login(world.assistant)
    response = post(
        client,
        f"/api/v1/sessions/{session.pk}",
        {"ended_at": "9999-12-31T00:00Z"},
        method="patch",
    )
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "ended_at"]
    assert error["msg"] == "End of the session cannot be in the future."
    session.refresh_from_db()
    assert session.ended_at is None
