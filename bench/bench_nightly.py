"""The nightly decision-rule run for a district: 150,000 goals on PostgreSQL, evaluated by
batched tasks on real Celery workers, against the same run's single-goal path.

Run from the project root: ``.venv/bin/python bench/bench_nightly.py`` (PostgreSQL and Redis
must answer; BENCH_DATABASE_URL, default ``postgresql://postgres@127.0.0.1:5432/trellis_nightly``,
is dropped and created again; BENCH_BROKER_URL, default Redis db 9).

Generation (COPY): 30,000 learners with one plan of five goals each (four frequency counts, one
weekly-style probe), a baseline and an intervention phase per goal, BENCH_SESSIONS sessions per
learner (default 20) with one event per goal each: 600,000 sessions and 3 million events.

Measured:
- the single-goal path: `evaluate_goal` (what a page or a one-goal task runs) on BENCH_SAMPLE
  random goals, one after another in this process: ms per goal;
- the nightly run: `evaluate_all_goals` queued on the broker, BENCH_WORKERS worker processes
  (default 2, one per core) evaluating its batches of 500; wall time from queueing to the last
  goal's status written, goals per second, and the cost per goal per worker beside the
  single-goal figure. Target: 150,000 goals in at most 10 minutes.

BENCH_KEEPDB=1 keeps the database for the next run (which then skips generation).
"""

import datetime as dt
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from bench_dashboard import GOAL_SPECS, school_days

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/trellis_nightly"
)
BROKER_URL = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/9")
GOALS = int(os.environ.get("BENCH_GOALS", "150000"))
SESSIONS = int(os.environ.get("BENCH_SESSIONS", "20"))
SAMPLE = int(os.environ.get("BENCH_SAMPLE", "300"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
KEEP = bool(os.environ.get("BENCH_KEEPDB"))
TARGET_SECONDS = 600

# The bench and its workers: one database, one broker, one data folder (the secrets in it).
os.environ.update(
    DATABASE_URL=DATABASE_URL,
    TRELLIS_BROKER_URL=BROKER_URL,
    DJANGO_SETTINGS_MODULE="trellis.settings",
    TRELLIS_DATA_DIR=os.environ.get("TRELLIS_DATA_DIR") or tempfile.mkdtemp(prefix="nightly-"),
)

import django  # noqa: E402


def fresh_database():
    import psycopg

    base, _, name = DATABASE_URL.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and KEEP:
            return False
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    return True


def copy(cursor, table, columns, rows):
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as out:
        for row in rows:
            out.write_row(row)


def generate(rng):
    from django.contrib.auth.models import User
    from django.db import connection
    from django.utils import timezone

    from trellis.collect.models import Event, Session
    from trellis.people.models import Learner, Organization
    from trellis.plans.models import Goal, Phase, Plan

    learners_n = GOALS // len(GOAL_SPECS)
    district = Organization.objects.create(name="Bench District", kind="district")
    schools = [
        Organization.objects.create(name=f"Bench School {i}", kind="school", parent=district)
        for i in range(30)
    ]
    recorder = User.objects.create_user("recorder", password="x")
    learners = Learner.objects.bulk_create(
        (
            Learner(
                organization=schools[i % len(schools)],
                first_name=f"Learner{i}",
                last_name=f"Benchmark{i:05d}",
                birth_date=dt.date(2015, 1, 1),
                grade=str(1 + i % 5),
            )
            for i in range(learners_n)
        ),
        batch_size=5000,
    )
    days = school_days(dt.date(2026, 9, 1), SESSIONS * 2)[::2]  # twice a week
    start = days[0]
    plans = Plan.objects.bulk_create(
        (
            Plan(
                learner=learner,
                kind=Plan.Kind.RTI,
                tier=2 + i % 2,
                title="Intervention plan",
                status=Plan.Status.APPROVED,
                approved_at=timezone.now(),
                starts_on=start,
            )
            for i, learner in enumerate(learners)
        ),
        batch_size=5000,
    )
    goals = Goal.objects.bulk_create(
        (
            Goal(
                plan=plan,
                order=k,
                domain="behavior" if measure == "frequency" else "academic",
                name=name,
                statement=name,
                measure=measure,
                measure_settings=settings,
                goal_value=value,
                goal_date=start + dt.timedelta(days=240),
                direction=direction,
            )
            for plan in plans
            for k, (measure, name, settings, value, direction) in enumerate(GOAL_SPECS)
        ),
        batch_size=5000,
    )
    by_plan = {}
    for goal in goals:
        by_plan.setdefault(goal.plan_id, []).append(goal)
    now = timezone.now()
    with connection.cursor() as cursor:
        raw = cursor.connection.cursor()
        copy(
            raw,
            Phase._meta.db_table,
            ["goal_id", "kind", "label", "starts_on"],
            (
                (goal.pk, kind, label, start + dt.timedelta(days=offset))
                for goal in goals
                for kind, label, offset in (("baseline", "Baseline", 0), ("intervention", "", 21))
            ),
        )
        sessions = []  # (session id, started, learner's goals)
        for plan in plans:
            for day in days:
                began = dt.datetime.combine(day, dt.time(14, 0), dt.UTC)
                sessions.append((uuid.uuid4(), began, plan.learner_id, by_plan[plan.pk]))
        copy(
            raw,
            Session._meta.db_table,
            ["id", "learner_id", "started_at", "ended_at", "setting", "recorded_by_id"]
            + ["created_at"],
            (
                (sid, learner, began, began + dt.timedelta(minutes=30), "school", recorder.pk, now)
                for sid, began, learner, _ in sessions
            ),
        )
        copy(
            raw,
            Session.goals.through._meta.db_table,
            ["session_id", "goal_id"],
            ((sid, goal.pk) for sid, _, _, mine in sessions for goal in mine),
        )

        def events():
            for sid, began, _, mine in sessions:
                weeks = (began.date() - start).days / 7
                for goal in mine:
                    if goal.measure == "probe":
                        kind = "probe"
                        value = f'{{"score": {max(40 + 1.5 * weeks + rng.gauss(0, 6), 0):.0f}}}'
                    else:
                        kind, value = "count", f'{{"n": {max(12 + rng.randint(-4, 4), 0)}}}'
                    yield (uuid.uuid4(), sid, goal.pk, kind, value, began, now, recorder.pk)

        columns = ["id", "session_id", "goal_id", "kind", "value", "recorded_at", "received_at"]
        copy(raw, Event._meta.db_table, columns + ["recorded_by_id"], events())
        for table in (Event, Session, Phase, Goal):
            cursor.execute(f"ANALYZE {table._meta.db_table}")
    return len(goals), len(sessions) * len(GOAL_SPECS)


def main():
    sys.stdout.reconfigure(line_buffering=True)  # the figures as they come, beside the worker's
    created = fresh_database()
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from trellis.audit.log import AuditContext, set_context
    from trellis.collect.models import Event
    from trellis.monitoring.models import GoalStatus
    from trellis.monitoring.status import active_goals, evaluate_goal
    from trellis.monitoring.tasks import evaluate_all_goals

    set_context(AuditContext())
    rng = random.Random(17)
    if created:
        call_command("migrate", verbosity=0)
        t0 = time.perf_counter()
        goals, events = generate(rng)
        print(
            f"Generated {goals:,} goals and {events:,} events in {time.perf_counter() - t0:.0f} s"
        )
    else:
        t0 = time.perf_counter()
        call_command("migrate", verbosity=0)  # a kept database brought to this code's schema
        print(f"Kept: {active_goals().count():,} goals, {Event.objects.count():,} events")
        print(f"(migrations applied in {time.perf_counter() - t0:.0f} s)")
    ids = list(active_goals().values_list("pk", flat=True))
    total = len(ids)

    sample = rng.sample(ids, min(SAMPLE, total))
    goals = {g.pk: g for g in active_goals().filter(pk__in=sample)}
    t0 = time.perf_counter()
    for pk in sample:
        evaluate_goal(goals[pk])
    single_ms = 1000 * (time.perf_counter() - t0) / len(sample)
    print(f"Single-goal path (evaluate_goal): {single_ms:.1f} ms per goal ({len(sample)} goals)")

    connection.close()
    from trellis.celery import app

    app.control.purge()  # nothing left from an earlier run
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "trellis.celery", "worker"]
        + ["--concurrency", str(WORKERS), "--loglevel", "warning", "--without-gossip"]
        + ["--without-mingle", "--without-heartbeat"],
        cwd=ROOT,
    )
    try:
        while not app.control.ping(timeout=1):  # the worker up and listening
            time.sleep(1)
        began = dt.datetime.now(dt.UTC)
        t0 = time.perf_counter()
        evaluate_all_goals.delay()
        done = 0
        while done < total:
            time.sleep(2)
            done = GoalStatus.objects.filter(computed_at__gte=began).count()
            if time.perf_counter() - t0 > 3 * TARGET_SECONDS:
                break
        took = time.perf_counter() - t0
    finally:
        worker.terminate()
        worker.wait(30)
    per_goal = 1000 * took * WORKERS / max(done, 1)
    print(
        f"Nightly run (evaluate_all_goals, {WORKERS} workers): {done:,} of {total:,} goals in "
        f"{took:.0f} s ({done / took:,.0f} goals/s; {per_goal:.1f} ms per goal per worker, "
        f"{single_ms / per_goal:.1f}x the single-goal path)"
    )
    verdict = "met" if done == total and took <= TARGET_SECONDS else "NOT met"
    print(f"Target: {total:,} goals in ≤ {TARGET_SECONDS // 60} min: {verdict}")


if __name__ == "__main__":
    main()
