"""Twenty million events in the month-partitioned event table: do sync ingest and the
supervisor's dashboard hold their figures? (docs/SCALING.md)

Run from the project root on PostgreSQL: ``DATABASE_URL=postgresql://…/trellis_scale
.venv/bin/python bench/bench_scale.py``. It builds a throwaway test database (``test_<name>``,
dropped at the end; BENCH_KEEPDB=1 keeps it) with the migrations, so the event table is
partitioned as in production.

1. The dashboard bench's district (bench_dashboard.generate: 200 learners, 1,000 goals, a
   school year of about 2 million events) and its nightly run.
2. Measured, "before": `GET /dashboard/` as the supervisor (p50/p95 ms), `POST /api/v1/sync`
   with batches of 50 events as a device sends them (p50/p95 ms) and with batches of 500
   (events per second).
3. Filled to BENCH_TOTAL events (default 20 million) with two more years of another 2,000
   learners' sessions, written by the database itself (INSERT … SELECT generate_series), so
   every monthly partition holds hundreds of thousands of rows.
4. Measured again, "after", the same way; the ratios after/before are printed.
"""

import datetime as dt
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from bench_dashboard import GOAL_SPECS, generate, pct

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trellis.settings_test")
os.environ.setdefault("TRELLIS_DATA_DIR", tempfile.mkdtemp(prefix="trellis-bench-"))

import django  # noqa: E402

TOTAL = int(os.environ.get("BENCH_TOTAL", "20000000"))
RUNS = int(os.environ.get("BENCH_RUNS", "40"))
FILLER_LEARNERS = 2000
FILLER_SESSIONS = 360  # every other day over two years


def fill(connection, until):
    """Another 2,000 learners' two years, the database writing the rows, until `until` events."""
    from django.contrib.auth.models import User

    from trellis.collect.models import Event
    from trellis.people.models import Learner, Organization
    from trellis.plans.models import Goal, Plan

    school = Organization.objects.create(name="Filler School", kind="school")
    recorder = User.objects.create_user("filler", password="x")
    learners = Learner.objects.bulk_create(
        Learner(
            organization=school,
            first_name=f"Filler{i}",
            last_name="Learner",
            birth_date=dt.date(2014, 1, 1),
        )
        for i in range(FILLER_LEARNERS)
    )
    plans = Plan.objects.bulk_create(
        Plan(learner=learner, kind=Plan.Kind.RTI, tier=2, title="Plan", status="approved")
        for learner in learners
    )
    Goal.objects.bulk_create(
        Goal(
            plan=plan,
            order=k,
            domain="behavior",
            name=name,
            statement=name,
            measure="frequency",
            measure_settings={"rate_unit": "count"},
            goal_value=value,
            goal_date=dt.date(2027, 6, 1),
            direction=direction,
        )
        for plan in plans
        for k, (_, name, _, value, direction) in enumerate(GOAL_SPECS[:4])
    )
    ids = [learner.pk for learner in learners]
    missing = until - Event.objects.count()
    per_session_goal = max(1, -(-missing // (FILLER_LEARNERS * FILLER_SESSIONS * 4)))
    with connection.cursor() as cursor:
        # A bulk load's usual shortcut: the rows are made consistent by construction, so the
        # per-row foreign-key triggers are skipped for this session (PostgreSQL superuser).
        cursor.execute("SET session_replication_role = replica")
        cursor.execute(
            "INSERT INTO collect_session (id, learner_id, started_at, ended_at, setting, "
            "recorded_by_id, created_at) "
            "SELECT gen_random_uuid(), l, t, t + interval '30 minutes', 'school', %s, now() "
            "FROM unnest(%s::bigint[]) AS l, "
            "LATERAL (SELECT timestamptz '2022-09-01 14:00+00' + d * interval '2 days' AS t "
            "FROM generate_series(0, %s) AS d) AS days",
            [recorder.pk, ids, FILLER_SESSIONS - 1],
        )
        cursor.execute(
            "INSERT INTO collect_session_goals (session_id, goal_id) "
            "SELECT s.id, g.id FROM collect_session s JOIN plans_plan p ON p.learner_id = "
            "s.learner_id JOIN plans_goal g ON g.plan_id = p.id WHERE s.learner_id = ANY(%s)",
            [ids],
        )
        cursor.execute(
            "INSERT INTO collect_event (id, session_id, goal_id, kind, value, recorded_at, "
            "received_at, recorded_by_id) "
            "SELECT gen_random_uuid(), s.id, sg.goal_id, 'count', '{\"n\": 1}'::jsonb, "
            "s.started_at + k * interval '1 minute', now(), s.recorded_by_id "
            "FROM collect_session_goals sg JOIN collect_session s ON s.id = sg.session_id, "
            "generate_series(1, %s) AS k WHERE s.learner_id = ANY(%s)",
            [per_session_goal, ids],
        )
        cursor.execute("SET session_replication_role = DEFAULT")
        cursor.execute("ANALYZE")
        cursor.execute(
            "SELECT count(*) FROM pg_inherits WHERE inhparent = 'collect_event'::regclass"
        )
        (partitions,) = cursor.fetchone()
        cursor.execute(
            "SELECT pg_size_pretty(sum(pg_total_relation_size(inhrelid))) FROM pg_inherits "
            "WHERE inhparent = 'collect_event'::regclass"
        )
        (size,) = cursor.fetchone()
    return partitions, size


def measure(client, device, session, goal, goals):
    """(dashboard ms, sync-50 ms, sync-500 events/s): interleaved rounds."""
    start = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)

    def batch(n):
        return json.dumps(
            {
                "events": [
                    {
                        "id": str(uuid.uuid4()),
                        "session": str(session.pk),
                        "goal": goal.pk,
                        "target": None,
                        "kind": "count",
                        "value": {"n": 1},
                        "recorded_at": (start + dt.timedelta(seconds=i)).isoformat(),
                        "voids": None,
                    }
                    for i in range(n)
                ]
            }
        )

    def dashboard():
        response = client.get("/dashboard/")
        assert response.status_code == 200 and f"of {goals}" in response.content.decode()

    def sync(body):
        response = device.post("/api/v1/sync", body, content_type="application/json")
        assert response.status_code == 200, response.content[:300]

    for _ in range(3):
        dashboard()
        sync(batch(50))
    page, small, rates = [], [], []
    for _ in range(RUNS):
        t = time.perf_counter()
        dashboard()
        page.append(1000 * (time.perf_counter() - t))
        body = batch(50)
        t = time.perf_counter()
        sync(body)
        small.append(1000 * (time.perf_counter() - t))
        body = batch(500)
        t = time.perf_counter()
        sync(body)
        rates.append(500 / (time.perf_counter() - t))
    return page, small, rates


def main():
    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.template import base as template_base
    from django.test import Client
    from django.test.utils import setup_test_environment, teardown_test_environment

    assert connection.vendor == "postgresql", "bench_scale needs PostgreSQL (DATABASE_URL)"
    render = template_base.Template._render
    settings.ALLOWED_HOSTS = ["*"]
    setup_test_environment()
    template_base.Template._render = render  # time the server, not the test instrumentation
    keep = bool(os.environ.get("BENCH_KEEPDB"))
    old_name = connection.creation.create_test_db(
        verbosity=0, autoclobber=True, keepdb=keep, serialize=False
    )
    try:
        run(connection, Client)
    finally:
        connection.close()
        if not keep:
            connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


def run(connection, Client):
    from django.contrib.auth.models import User

    from trellis.audit.log import AuditContext, set_context
    from trellis.collect.models import ApiToken, Event, Session
    from trellis.collect.partitions import create_month_partitions
    from trellis.monitoring.models import GoalStatus
    from trellis.monitoring.status import evaluate_all
    from trellis.testing import pass_second_factor

    set_context(AuditContext())
    if not User.objects.filter(username="supervisor").exists():
        # A partition for every month of the data to come (the migration made them from
        # two years back; an installation importing older data makes them first, likewise).
        with connection.cursor() as cursor:
            create_month_partitions(cursor, dt.date(2022, 9, 1), dt.date.today())
        t0 = time.perf_counter()
        _, _, events, last_day = generate(random.Random(2024))
        evaluate_all(today=last_day + dt.timedelta(days=3))
        print(f"The district: {events:,} events, in {time.perf_counter() - t0:.0f} s")
    supervisor = User.objects.get(username="supervisor")
    goals = GoalStatus.objects.count()
    client = Client()
    client.force_login(supervisor)
    pass_second_factor(client, supervisor)  # supervisors sign in with a code
    # A device of one of the district's assistants, recording into a session of today.
    session = Session.objects.filter(learner__isnull=False).order_by("started_at").last()
    goal = session.goals.first()
    session.started_at = dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)
    session.ended_at = None
    session.save(update_fields=["started_at", "ended_at"])
    _, token = ApiToken.issue(session.recorded_by, "bench")
    device = Client(headers={"authorization": f"Bearer {token}"})

    figures = {}
    for label in ("before", "after"):
        if label == "after":
            t0 = time.perf_counter()
            partitions, size = fill(connection, TOTAL)
            print(f"Filled in {time.perf_counter() - t0:.0f} s: {partitions} partitions, {size}")
        count = Event.objects.count()
        page, small, rates = measure(client, device, session, goal, goals)
        figures[label] = (statistics.median(page), pct(page, 95), statistics.median(small))
        figures[label] += (pct(small, 95), statistics.median(rates))
        print(
            f"{label}, {count:,} events: dashboard p50 {figures[label][0]:.1f} / p95 "
            f"{figures[label][1]:.1f} ms; sync of 50 p50 {figures[label][2]:.1f} / p95 "
            f"{figures[label][3]:.1f} ms; sync of 500: {figures[label][4]:,.0f} events/s"
        )
    before, after = figures["before"], figures["after"]
    print(
        f"after / before: dashboard p95 {after[1] / before[1]:.2f}x, "
        f"sync-50 p95 {after[3] / before[3]:.2f}x, ingest rate {after[4] / before[4]:.2f}x"
    )


if __name__ == "__main__":
    main()
