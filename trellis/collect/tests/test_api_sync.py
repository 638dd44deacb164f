"""POST /api/v1/sync: an assistant's tablet sends the events it recorded, maybe twice."""

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.db import IntegrityError, connection, transaction

from trellis.audit.models import AuditEntry
from trellis.collect.models import Event
from trellis.testing import make_goal, make_session

pytestmark = pytest.mark.django_db

AT = datetime(2025, 3, 3, 15, 0, tzinfo=UTC)


def sync(client, events, **extra):
    return client.post(
        "/api/v1/sync", json.dumps({"events": events}), content_type="application/json", **extra
    )


def event(session, goal, kind="count", value=None, **fields):
    return {
        "id": str(fields.pop("id", uuid.uuid4())),
        "session": str(session.pk),
        "goal": goal.pk,
        "target": fields.pop("target", None),
        "kind": kind,
        "value": {"n": 1} if value is None else value,
        "recorded_at": fields.pop("recorded_at", AT.isoformat()),
        "voids": fields.pop("voids", None),
    }


@pytest.fixture
def counting(world, client):
    """The assistant counts call-outs for her own learner."""
    goal = make_goal(world, world.own_learner, "frequency")
    session = make_session(world, world.own_learner, [goal], by=world.assistant, started_at=AT)
    client.force_login(world.assistant)
    return session, goal


def test_a_batch_sent_twice_stores_each_event_once(client, counting):
    session, goal = counting
    batch = [event(session, goal) for _ in range(5)]
    first = sync(client, batch).json()["results"]
    again = sync(client, batch).json()["results"]
    assert [r["status"] for r in first] == ["accepted"] * 5
    assert [r["status"] for r in again] == ["duplicate"] * 5
    assert Event.objects.filter(session=session).count() == 5
    assert [r["id"] for r in again] == [e["id"] for e in batch]


def test_a_mixed_batch_is_answered_per_event_and_the_good_ones_stored(client, world, counting):
    session, goal = counting
    stored = event(session, goal)
    sync(client, [stored])
    good = event(session, goal, value={"n": 2})
    wrong_kind = event(session, goal, "trial", {"result": "correct", "prompt": "independent"})
    bad_value = event(session, goal, value={"n": -1})
    no_time = event(session, goal, recorded_at="yesterday")
    repeated = dict(good)
    results = sync(client, [good, stored, wrong_kind, bad_value, no_time, repeated]).json()[
        "results"
    ]
    assert [r["status"] for r in results] == [
        "accepted",
        "duplicate",
        "rejected",
        "rejected",
        "rejected",
        "duplicate",
    ]
    assert "does not fit the goal's measure 'frequency'" in results[2]["reason"]
    assert "'n'" in results[3]["reason"]
    assert "recorded_at" in results[4]["reason"]
    assert set(Event.objects.values_list("id", flat=True)) == {
        uuid.UUID(stored["id"]),
        uuid.UUID(good["id"]),
    }
    assert Event.objects.get(pk=good["id"]).value == {"n": 2}


def test_it_rejects_events_for_other_caseloads(client, world):
    # The other assistant's session for her own learner; our assistant tries to write to it,
    # and then to a session of her own that names the other learner's goal.
    theirs = make_goal(world, world.classmate)
    their_session = make_session(
        world, world.classmate, [theirs], by=world.other_assistant, started_at=AT
    )
    client.force_login(world.assistant)
    results = sync(client, [event(their_session, theirs)]).json()["results"]
    assert results[0]["status"] == "rejected"
    assert "session" in results[0]["reason"]
    sneaky = make_session(world, world.classmate, [theirs], by=world.assistant, started_at=AT)
    results = sync(client, [event(sneaky, theirs)]).json()["results"]
    assert results[0]["status"] == "rejected"
    assert "caseload" in results[0]["reason"]
    assert not Event.objects.exists()
    assert AuditEntry.objects.filter(action="event.sync", result="denied").exists()


@pytest.mark.parametrize(
    "body,field",
    [
        ({"events": [{"session": "x", "kind": "count", "recorded_at": "x"}]}, "id"),
        ({"events": [{"id": "not-a-uuid", "session": "x", "kind": "count"}]}, "id"),
        ({"events": "lots"}, "events"),
        ({}, "events"),
        ({"events": [{"id": str(uuid.uuid4()), "session": "x", "recorded_at": "x"}]}, "kind"),
    ],
)
def test_a_malformed_body_is_a_422_naming_the_field(client, counting, body, field):
    response = client.post("/api/v1/sync", json.dumps(body), content_type="application/json")
    assert response.status_code == 422
    locs = [error["loc"] for error in response.json()["detail"]]
    assert any(field in [str(part) for part in loc] for loc in locs), locs


def test_broken_json_and_too_big_batches_are_422_not_500(client, counting):
    session, goal = counting
    response = client.post("/api/v1/sync", "{not json", content_type="application/json")
    assert response.status_code in (400, 422)
    response = sync(client, [event(session, goal) for _ in range(1001)])
    assert response.status_code == 422
    assert "events" in json.dumps(response.json()["detail"])
    assert not Event.objects.exists()


def test_odd_values_are_rejected_never_a_500(client, counting):
    session, goal = counting
    odd = [
        event(session, goal, value=[1, 2]),
        event(session, goal, value={"n": "1"}),
        event(session, goal, value={"n": True}),
        event(session, goal, value=None) | {"value": None},
        event(session, goal) | {"goal": [1]},
        event(session, goal) | {"target": {"x": 1}},
        event(session, goal) | {"session": 12},
        event(session, goal) | {"voids": "nope"},
        event(session, goal, recorded_at="2025-03-03T15:00:00"),  # no UTC offset
        event(session, goal, recorded_at=(datetime.now(UTC) + timedelta(days=3)).isoformat()),
    ]
    response = sync(client, odd)
    assert response.status_code == 200
    statuses = [r["status"] for r in response.json()["results"]]
    assert statuses == ["rejected"] * len(odd)
    assert all(r["reason"] for r in response.json()["results"])


def test_a_trial_with_a_prompt_outside_the_hierarchy_is_rejected(client, world):
    goal = make_goal(world, world.own_learner, "trials", targets=["ball", "cup"])
    session = make_session(world, world.own_learner, [goal], by=world.assistant, started_at=AT)
    client.force_login(world.assistant)
    ball, cup = goal.targets.all()
    results = sync(
        client,
        [
            event(
                session, goal, "trial", {"result": "correct", "prompt": "gestural"}, target=ball.pk
            ),
            event(session, goal, "trial", {"result": "correct", "prompt": "telepathic"}),
            event(session, goal, "trial", {"result": "maybe", "prompt": None}),
            event(session, goal, "trial", {"result": "correct"}, target=999999),
        ],
    ).json()["results"]
    assert [r["status"] for r in results] == ["accepted", "rejected", "rejected", "rejected"]
    assert "prompt hierarchy" in results[1]["reason"]
    assert "target" in results[3]["reason"]


def test_a_void_must_name_an_event_of_the_same_session(client, world, counting):
    session, goal = counting
    other = make_session(world, world.own_learner, [goal], by=world.assistant, started_at=AT)
    tap = event(session, goal)
    elsewhere = event(other, goal)
    sync(client, [tap, elsewhere])
    undo = event(session, goal, "void", {"reason": "tapped twice"}, voids=tap["id"])
    undo["goal"] = None  # a void takes the goal of the event it cancels
    wrong = event(session, goal, "void", {"reason": "x"}, voids=elsewhere["id"])
    ghost = event(session, goal, "void", {"reason": "x"}, voids=str(uuid.uuid4()))
    no_reason = event(session, goal, "void", {}, voids=tap["id"])
    results = sync(client, [undo, wrong, ghost, no_reason]).json()["results"]
    assert [r["status"] for r in results] == ["accepted", "rejected", "rejected", "rejected"]
    assert "another session" in results[1]["reason"]
    stored = Event.objects.get(pk=undo["id"])
    assert stored.goal == goal and str(stored.voids_id) == tap["id"]


def test_a_void_may_follow_its_event_in_the_same_batch(client, counting):
    session, goal = counting
    tap = event(session, goal)
    undo = event(session, goal, "void", {"reason": "undo"}, voids=tap["id"])
    results = sync(client, [tap, undo]).json()["results"]
    assert [r["status"] for r in results] == ["accepted", "accepted"]


def test_each_measure_takes_its_own_values(client, world):
    cases = {
        "duration": ({"ms": 5300}, {"ms": -5}),
        "latency": ({"ms": 1200}, {"ms": 1.5}),
        "partial_interval": ({"index": 29, "scored": True}, {"index": 30, "scored": True}),
        "momentary_time_sampling": ({"index": 0, "scored": False}, {"index": 0, "scored": 1}),
        "task_analysis": ({"step": 5, "prompt": "model"}, {"step": 6, "prompt": "model"}),
        "probe": ({"score": 42, "errors": 3}, {"score": "lots"}),
        "rating": ({"row": 2, "points": 1, "max": 2}, {"row": 2, "points": 3, "max": 2}),
        "abc": ({"antecedent": "demand", "behavior": "flop"}, {"note": "only a note"}),
    }
    client.force_login(world.assistant)
    kinds = {
        "duration": "duration",
        "latency": "latency",
        "partial_interval": "interval",
        "momentary_time_sampling": "interval",
        "task_analysis": "step",
        "probe": "probe",
        "rating": "rating",
        "abc": "abc",
    }
    for measure, (good, bad) in cases.items():
        goal = make_goal(world, world.own_learner, measure)
        # Started an hour before the events: interval 30 (index 29) has ended by then.
        session = make_session(
            world, world.own_learner, [goal], by=world.assistant, started_at=AT - timedelta(hours=1)
        )
        results = sync(
            client,
            [event(session, goal, kinds[measure], good), event(session, goal, kinds[measure], bad)],
        ).json()["results"]
        assert [r["status"] for r in results] == ["accepted", "rejected"], (measure, results)


def test_a_guardian_and_an_anonymous_visitor_cannot_sync(client, world, counting):
    session, goal = counting
    client.logout()
    assert sync(client, [event(session, goal)]).status_code == 401
    client.force_login(world.guardian)
    results = sync(client, [event(session, goal)]).json()["results"]
    assert results[0]["status"] == "rejected"
    assert not Event.objects.exists()


def test_accepted_events_are_audited_once_per_learner_and_batch(client, world, counting):
    session, goal = counting
    before = AuditEntry.objects.filter(action="event.sync").count()
    sync(client, [event(session, goal) for _ in range(3)])
    entries = AuditEntry.objects.filter(action="event.sync").order_by("-id")
    assert entries.count() == before + 1
    assert entries[0].learner_id == world.own_learner.pk
    assert entries[0].detail == {"accepted": 3}


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the composite key is PostgreSQL's (SQLite, for the demo, has the ingest checks only)",
)
def test_the_database_itself_refuses_an_event_whose_goal_is_not_of_its_session(world, counting):
    """Whatever writes the row (ingest, an import, plain SQL), an event's goal must be one of its
    session's goals: one composite key checks both at once."""
    session, goal = counting
    elsewhere = make_goal(world, world.own_learner, "frequency")
    stray = Event(
        id=uuid.uuid4(),
        session=session,
        goal=elsewhere,
        kind="count",
        value={"n": 1},
        recorded_at=AT,
        received_at=AT,
        recorded_by=world.assistant,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        stray.save(force_insert=True)
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    assert not Event.objects.filter(goal=elsewhere).exists()
