"""Sync ingest through the API against a raw insert of the same rows, in the same database.

Run from the project root: ``.venv/bin/python bench/bench_sync.py`` (SQLite), or with
``DATABASE_URL=postgresql://…/trellis_bench`` for PostgreSQL. It creates a throwaway test
database with Django's test machinery (``test_<name>``, dropped at the end), so it never touches
real data.

The API side is one app process handling `POST /api/v1/sync` with batches of 500 events through
the whole stack (middleware, token auth, body parsing and validation, per-event checks, bulk
insert that skips the ids stored already, audit entry), driven by Django's test client with
request bodies encoded beforehand. The raw side inserts the same rows (fresh ids) 500 to a
transaction, with `executemany` and as one statement (PostgreSQL: `unnest` of one array per
column, the classic bulk INSERT short of COPY, and one JSON document unpacked by the server, as
ingest does; SQLite: a multi-row VALUES); the ratio is against the fastest.
Prints events per second for both and their ratio. BENCH_EVENTS sets the number of events;
BENCH_PROFILE=1 prints a cProfile of the API side (BENCH_PROFILE_SORT, BENCH_PROFILE_LINES).
"""

import json
import os
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trellis.settings_test")
os.environ.setdefault("TRELLIS_DATA_DIR", tempfile.mkdtemp(prefix="trellis-bench-"))

import django  # noqa: E402

EVENTS = int(os.environ.get("BENCH_EVENTS", "50000"))
BATCH = 500
PG_TYPES = ("uuid", "uuid", "bigint", "bigint", "text", "jsonb")
PG_TYPES += ("timestamptz", "timestamptz", "integer", "uuid")


def main():
    django.setup()
    from django.conf import settings
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import setup_test_environment, teardown_test_environment

    settings.ALLOWED_HOSTS = ["*"]
    if connection.vendor == "sqlite":
        # A file, as in production (WAL), rather than the in-memory test database.
        connection.settings_dict["TEST"]["NAME"] = str(
            Path(os.environ["TRELLIS_DATA_DIR"]) / "bench.sqlite3"
        )
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        from trellis.collect.actions import PG_ROW
        from trellis.collect.models import ApiToken, Event
        from trellis.testing import build_world, make_goal, make_session

        world = build_world()
        goal = make_goal(world, world.own_learner, "frequency")
        session = make_session(world, world.own_learner, [goal], by=world.assistant)
        _, raw_token = ApiToken.issue(world.assistant, "bench")
        start = datetime(2025, 3, 3, 15, 0, tzinfo=UTC)

        def event(i):
            return {
                "id": str(uuid.uuid4()),
                "session": str(session.pk),
                "goal": goal.pk,
                "target": None,
                "kind": "count",
                "value": {"n": 1},
                "recorded_at": (start + timedelta(milliseconds=i * 250)).isoformat(),
                "voids": None,
            }

        bodies = [
            json.dumps({"events": [event(b * BATCH + i) for i in range(BATCH)]})
            for b in range(EVENTS // BATCH)
        ]
        client = Client(headers={"authorization": f"Bearer {raw_token}"})
        # Warm up (imports, first queries, connection) with one batch not counted.
        warm = json.dumps({"events": [event(i) for i in range(BATCH)]})
        warmed = client.post("/api/v1/sync", warm, content_type="application/json")
        assert warmed.status_code == 200, warmed.content[:500]

        profile = None
        if os.environ.get("BENCH_PROFILE"):
            import cProfile

            profile = cProfile.Profile()
            profile.enable()
        began = time.perf_counter()
        for body in bodies:
            response = client.post("/api/v1/sync", body, content_type="application/json")
            assert response.status_code == 200, response.content[:500]
        api_seconds = time.perf_counter() - began
        if profile is not None:
            import pstats

            profile.disable()
            pstats.Stats(profile).sort_stats(
                os.environ.get("BENCH_PROFILE_SORT", "tottime")
            ).print_stats(int(os.environ.get("BENCH_PROFILE_LINES", "40")))
        results = response.json()["results"]
        assert all(r["status"] == "accepted" for r in results), results[:3]
        stored = Event.objects.count()
        assert stored == EVENTS + BATCH, stored

        # The same rows (new ids), inserted raw into the same table.
        table = Event._meta.db_table
        columns = [
            "id",
            "session_id",
            "goal_id",
            "target_id",
            "kind",
            "value",
            "recorded_at",
            "received_at",
            "recorded_by_id",
            "voids_id",
        ]
        now = datetime.now(UTC)
        uuid_param = (lambda u: u.hex) if connection.vendor == "sqlite" else (lambda u: u)
        rows = [
            (
                uuid_param(uuid.uuid4()),
                uuid_param(session.pk),
                goal.pk,
                None,
                "count",
                json.dumps({"n": 1}),
                start + timedelta(milliseconds=i * 250),
                now,
                world.assistant.pk,
                None,
            )
            for i in range(EVENTS)
        ]
        one = f"({', '.join(['%s'] * len(columns))})"
        head = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "

        def raw(method):
            for index, row in enumerate(rows):  # fresh ids for each round
                rows[index] = (uuid_param(uuid.uuid4()), *row[1:])
            began = time.perf_counter()
            for offset in range(0, EVENTS, BATCH):
                chunk = rows[offset : offset + BATCH]
                with transaction.atomic(), connection.cursor() as cursor:
                    if method == "executemany":
                        cursor.executemany(head + one, chunk)
                    elif method == "one JSON document":
                        doc = json.dumps(
                            [
                                [
                                    str(r[0]),
                                    str(r[1]),
                                    *r[2:5],
                                    {"n": 1},
                                    r[6].isoformat(),
                                    r[7].isoformat(),
                                    r[8],
                                    None,
                                ]
                                for r in chunk
                            ]
                        )
                        cursor.execute(
                            f"INSERT INTO {table} ({', '.join(columns)}) SELECT {PG_ROW} "
                            "FROM jsonb_array_elements(%s::jsonb) AS r",
                            [doc],
                        )
                    elif method == "unnest arrays":
                        arrays = [list(column) for column in zip(*chunk, strict=True)]
                        cursor.execute(
                            f"INSERT INTO {table} ({', '.join(columns)}) SELECT * FROM unnest("
                            + ", ".join(f"%s::{t}[]" for t in PG_TYPES)
                            + ")",
                            arrays,
                        )
                    else:
                        values = ", ".join([one] * len(chunk))
                        cursor.execute(head + values, [p for row in chunk for p in row])
            return EVENTS / (time.perf_counter() - began)

        methods = ["executemany", "multi-row VALUES"]
        if connection.vendor == "postgresql":
            methods = ["executemany", "unnest arrays", "one JSON document"]
        raw_rates = {method: raw(method) for method in methods}
        assert Event.objects.count() == (1 + len(methods)) * EVENTS + BATCH

        api_rate = EVENTS / api_seconds
        raw_rate = max(raw_rates.values())
        print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
        print(f"events: {EVENTS:,} in batches of {BATCH}")
        print(f"API sync (POST /api/v1/sync, one process): {api_rate:>9,.0f} events/s")
        for method, rate in raw_rates.items():
            print(f"raw insert, {method + ',':<18} same rows: {rate:>9,.0f} events/s")
        print(f"ratio API / fastest raw insert: {api_rate / raw_rate:.2f}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    main()
