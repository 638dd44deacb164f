"""On PostgreSQL the events live in one partition per month of their recording; ingest, reads and
the upkeep task work across them as on one table."""

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.utils import timezone

from trellis.collect.models import Event
from trellis.collect.partitions import MONTHS_AHEAD, existing_partitions, is_partitioned
from trellis.collect.tasks import create_event_partitions
from trellis.monitoring.tests.helpers import add_session, monitored_goal, recorder

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="SQLite has one table"),
]


def partition_of(event_id):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tableoid::regclass::text FROM collect_event WHERE id = %s", [event_id]
        )
        return cursor.fetchone()[0]


def test_an_event_is_stored_in_its_month_and_read_with_the_others(world):
    goal = monitored_goal(world.own_learner, "frequency", name="Call-outs")
    by = recorder(world, world.own_learner)
    now = timezone.now()
    _, (this_month,) = add_session(goal, now.date(), [("count", {"n": 1})], by=by)
    last_year = now.date().replace(year=now.year - 1)
    _, (older,) = add_session(goal, last_year, [("count", {"n": 2})], by=by)
    assert partition_of(this_month.pk) == f"collect_event_{this_month.recorded_at:%Y_%m}"
    assert partition_of(older.pk) == f"collect_event_{older.recorded_at:%Y_%m}"
    assert list(Event.objects.filter(goal=goal).values_list("pk", flat=True)) == [
        older.pk,
        this_month.pk,
    ]


def test_an_event_from_a_clock_years_off_still_lands_somewhere(world):
    goal = monitored_goal(world.own_learner, "frequency", name="Call-outs")
    by = recorder(world, world.own_learner)
    _, (odd,) = add_session(goal, dt.date(2001, 3, 4), [("count", {"n": 1})], by=by)
    assert partition_of(odd.pk) == "collect_event_default"


def test_beat_keeps_the_coming_months_partitioned_and_running_it_again_changes_nothing():
    with connection.cursor() as cursor:
        assert is_partitioned(cursor)
        cursor.execute("DROP TABLE collect_event_" + _months_ahead(MONTHS_AHEAD).strftime("%Y_%m"))
    made = create_event_partitions.apply().get()
    assert made == ["collect_event_" + _months_ahead(MONTHS_AHEAD).strftime("%Y_%m")]
    assert create_event_partitions.apply().get() == []
    with connection.cursor() as cursor:
        assert "collect_event_default" in existing_partitions(cursor)


def test_a_resent_event_is_still_stored_once(world):
    from trellis.collect.actions import insert_events

    goal = monitored_goal(world.own_learner, "frequency", name="Call-outs")
    by = recorder(world, world.own_learner)
    session, (event,) = add_session(goal, timezone.now().date(), [("count", {"n": 1})], by=by)
    row = (
        str(event.pk),
        str(session.pk),
        goal.pk,
        None,
        "count",
        {"n": 1},
        event.recorded_at,
        timezone.now(),
        by.pk,
        None,
    )
    fresh = (str(uuid.uuid4()),) + row[1:]
    assert insert_events([row, fresh]) == {fresh[0]}
    assert Event.objects.filter(goal=goal).count() == 2


def _months_ahead(n):
    month = timezone.now().date().replace(day=1)
    for _ in range(n):
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return month

