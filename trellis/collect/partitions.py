"""The event table on PostgreSQL is partitioned by month of `recorded_at` (declarative range
partitioning, migration 0007), so a district's years of events stay a set of tables of one month
each: vacuumed, indexed and, when a retention policy says so, detached and archived one month at
a time, while the current month's indexes stay small enough for ingest (docs/SCALING.md).

Monthly partitions exist from the earliest event's month to MONTHS_AHEAD months ahead; beat
keeps them ahead each month (`ensure_event_partitions`). Events outside every month (a device
clock years wrong, within EVENT_TIME's range) land in the default partition. SQLite, for the
demo and development, has one plain table.
"""

import datetime as dt

from django.db import connection
from django.utils import timezone

TABLE = "collect_event"
MONTHS_AHEAD = 12


def month_start(day):
    return day.replace(day=1)


def next_month(day):
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def partition_name(month):
    return f"{TABLE}_{month:%Y_%m}"


def is_partitioned(cursor):
    cursor.execute("SELECT 1 FROM pg_partitioned_table WHERE partrelid = %s::regclass", [TABLE])
    return cursor.fetchone() is not None


def existing_partitions(cursor):
    cursor.execute(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = %s::regclass",
        [TABLE],
    )
    return {row[0] for row in cursor.fetchall()}


def create_month_partitions(cursor, first, last):
    """A partition for each month from `first`'s to `last`'s that does not exist yet; returns
    the names of those created."""
    have, made, month = existing_partitions(cursor), [], month_start(first)
    while month <= last:
        name = partition_name(month)
        if name not in have:
            cursor.execute(
                f"CREATE TABLE {name} PARTITION OF {TABLE} "
                f"FOR VALUES FROM ('{month:%Y-%m-%d}') TO ('{next_month(month):%Y-%m-%d}')"
            )
            made.append(name)
        month = next_month(month)
    return made


def ensure_event_partitions(*, ahead=MONTHS_AHEAD):
    """The months to come have their partitions (run monthly by beat; idempotent). Nothing to
    do on SQLite."""
    if connection.vendor != "postgresql":
        return []
    today = timezone.now().date()
    last = today
    for _ in range(ahead):
        last = next_month(last)
    with connection.cursor() as cursor:
        if not is_partitioned(cursor):
            return []
        return create_month_partitions(cursor, today, last)
