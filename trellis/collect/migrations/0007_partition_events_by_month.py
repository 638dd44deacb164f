"""PostgreSQL: the event table becomes partitioned by month of recorded_at (trellis/collect/
partitions.py says why). Its rows are copied into the new table, so on a large installation
this runs in a maintenance window (docs/SCALING.md has the time it took, measured).
The primary key becomes (id, recorded_at), as a partitioned table's unique keys must hold the
partition key; a device resends an event as it stored it, so ingest's ON CONFLICT still stores
it once (collect/actions.py: insert_events). SQLite keeps its one table."""

from django.db import migrations
from django.utils import timezone

from trellis.collect.partitions import MONTHS_AHEAD, TABLE, create_month_partitions, next_month

OLD = f"{TABLE}_before"


def _rebuild(cursor, *, partitioned):
    """Rebuild the table as partitioned (or plain again), with its rows, indexes and keys."""
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype = 'f'",
        [TABLE],
    )
    foreign_keys = cursor.fetchall()
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname <> %s",
        [TABLE, f"{TABLE}_pkey"],
    )
    indexes = cursor.fetchall()
    cursor.execute(f"SELECT min(recorded_at) FROM {TABLE}")
    (earliest,) = cursor.fetchone()

    cursor.execute(f"ALTER TABLE {TABLE} RENAME TO {OLD}")
    cursor.execute(f"ALTER TABLE {OLD} RENAME CONSTRAINT {TABLE}_pkey TO {OLD}_pkey")
    for name, _ in indexes:
        cursor.execute(f"DROP INDEX {name}")
    like = f"(LIKE {OLD} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE)"
    if partitioned:
        cursor.execute(f"CREATE TABLE {TABLE} {like} PARTITION BY RANGE (recorded_at)")
        cursor.execute(
            f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY (id, recorded_at)"
        )
        cursor.execute(f"CREATE TABLE {TABLE}_default PARTITION OF {TABLE} DEFAULT")
        today = timezone.now().date()
        first = earliest.date() if earliest else today.replace(year=today.year - 2)
        last = today
        for _ in range(MONTHS_AHEAD):
            last = next_month(last)
        create_month_partitions(cursor, first, last)
    else:
        cursor.execute(f"CREATE TABLE {TABLE} {like}")
        cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY (id)")
    cursor.execute(f"INSERT INTO {TABLE} SELECT * FROM {OLD}")
    cursor.execute(f"DROP TABLE {OLD}")
    for _, definition in indexes:
        cursor.execute(definition)
    for name, definition in foreign_keys:
        cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {name} {definition}")
    cursor.execute(f"ANALYZE {TABLE}")


def partition(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            _rebuild(cursor, partitioned=True)


def unpartition(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            _rebuild(cursor, partitioned=False)


class Migration(migrations.Migration):
    dependencies = [("collect", "0006_date_and_number_ranges")]

    operations = [migrations.RunPython(partition, unpartition)]
