"""The caseload dashboard for a supervisor with 200 learners, 1,000 goals and a school year of
data (about 2 million events), against the single SQL query that reads the same figures.

Run from the project root: ``.venv/bin/python bench/bench_dashboard.py`` (SQLite, a file in a
temporary folder, WAL), or with ``DATABASE_URL=postgresql://…/trellis_bench`` for PostgreSQL.
It builds a throwaway test database with Django's test machinery (``test_<name>``, dropped at
the end), so it never touches real data.

Generation: people, plans and sessions with bulk_create; events with COPY on PostgreSQL and
one executemany on SQLite. Then the nightly run (`evaluate_goals`, what `trellis monitor`
does) computes every goal's status from the events: its time is printed too.

Measured: `GET /dashboard/` (the full page: filters, flag counts, first page of 100 rows) and
the htmx table swap (`?flag=any`), each through the whole Django stack (sessions, auth, CSP,
audit entry, template) with the test client: server time p50/p95 in ms. The baseline is one
hand-written SQL query returning the same figures for the same page (rows + total, joined,
filtered to the supervisor's learners, ordered, LIMIT 100), timed with a raw cursor. The
three are timed in turn, round by round, so a drift in the machine's speed shows in all three.
For scale, the same figures computed straight from the events (no rollup) are timed once.

BENCH_KEEPDB=1 keeps the database (and, on SQLite, the file in TRELLIS_DATA_DIR: set it to a
folder of your own) for the next run, which then skips generation and the nightly run.
"""

import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trellis.settings_test")
os.environ.setdefault("TRELLIS_DATA_DIR", tempfile.mkdtemp(prefix="trellis-bench-"))

import django  # noqa: E402

LEARNERS = int(os.environ.get("BENCH_LEARNERS", "200"))
GOALS_PER_LEARNER = 5
SCHOOL_DAYS = int(os.environ.get("BENCH_DAYS", "180"))
COUNTS_PER_SESSION = 13  # count events per frequency goal per session
RUNS = int(os.environ.get("BENCH_RUNS", "30"))


# (measure, name, settings, goal value, direction) of each learner's five goals
GOAL_SPECS = [
    ("frequency", "Call-outs", {"rate_unit": "count", "session_minutes": 30}, 4.0, "decrease"),
    (
        "frequency",
        "Hand raises",
        {"rate_unit": "count", "session_minutes": 30},
        20.0,
        "increase",
    ),
    (
        "frequency",
        "Peer greetings",
        {"rate_unit": "count", "session_minutes": 30},
        15.0,
        "increase",
    ),
    ("frequency", "Off-seat", {"rate_unit": "count", "session_minutes": 30}, 3.0, "decrease"),
    (
        "probe",
        "Oral reading fluency",
        {"seconds": 60, "unit": "words correct per minute"},
        90.0,
        "increase",
    ),
]


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def school_days(start, n):
    day, out = start, []
    while len(out) < n:
        if day.weekday() < 5:
            out.append(day)
        day += dt.timedelta(days=1)
    return out


def generate(rng):
    from django.contrib.auth.models import User
    from django.db import connection
    from django.utils import timezone

    from trellis.collect.models import Event, Session
    from trellis.people.models import (
        CaseAssignment,
        Learner,
        Membership,
        Organization,
        Role,
        StaffMember,
    )
    from trellis.plans.models import Goal, Phase, Plan

    district = Organization.objects.create(name="Bench District", kind="district")
    schools = [
        Organization.objects.create(name=f"Bench School {i}", kind="school", parent=district)
        for i in range(4)
    ]

    def staff(username, org, role):
        user = User.objects.create_user(username, password="x", first_name=username.title())
        member = StaffMember.objects.create(user=user)
        Membership.objects.create(staff=member, organization=org, role=role)
        return user, member

    supervisor, sup_staff = staff("supervisor", schools[0], Role.SUPERVISOR)
    assistants = [staff(f"assistant{i}", schools[i % 4], Role.ASSISTANT) for i in range(10)]
    for _, member in assistants:
        member.supervisors.add(sup_staff)
    learners = Learner.objects.bulk_create(
        Learner(
            organization=schools[i % 4],
            first_name=f"Learner{i}",
            last_name=f"Benchmark{i:03d}",
            birth_date=dt.date(2015, 1, 1),
            grade=str(1 + i % 5),
        )
        for i in range(LEARNERS)
    )
    start = dt.date(2024, 8, 26)
    CaseAssignment.objects.bulk_create(
        CaseAssignment(
            staff=assistants[i % 10][1], learner=learner, role="assistant", starts_on=start
        )
        for i, learner in enumerate(learners)
    )
    plans = Plan.objects.bulk_create(
        Plan(
            learner=learner,
            kind=Plan.Kind.RTI,
            tier=2 + (i % 2),
            title="Intervention plan",
            status=Plan.Status.APPROVED,
            approved_at=timezone.now(),
            starts_on=start,
        )
        for i, learner in enumerate(learners)
    )
    goal_date = start + dt.timedelta(days=300)
    goals = Goal.objects.bulk_create(
        Goal(
            plan=plan,
            order=k,
            domain="behavior" if measure == "frequency" else "academic",
            name=name,
            statement=name,
            measure=measure,
            measure_settings=settings,
            goal_value=value,
            goal_date=goal_date,
            direction=direction,
        )
        for plan in plans
        for k, (measure, name, settings, value, direction) in enumerate(GOAL_SPECS)
    )
    Phase.objects.bulk_create(
        Phase(goal=goal, kind=kind, label=label, starts_on=start + dt.timedelta(days=offset))
        for goal in goals
        for kind, label, offset in (
            ("baseline", "Baseline", 0),
            ("intervention", "Intervention", 21),
        )
    )
    by_learner = {}
    for goal in goals:
        by_learner.setdefault(goal.plan.learner_id, []).append(goal)

    days = school_days(start, SCHOOL_DAYS)
    sessions, links = [], []
    Through = Session.goals.through
    tz = dt.UTC
    for index, learner in enumerate(learners):
        assistant = assistants[index % 10][0]
        for day in days:
            sid = uuid.uuid4()
            began = dt.datetime.combine(day, dt.time(14, 0), tz)
            sessions.append(
                Session(
                    id=sid,
                    learner_id=learner.pk,
                    started_at=began,
                    ended_at=began + dt.timedelta(minutes=30),
                    recorded_by_id=assistant.pk,
                )
            )
            links += [Through(session_id=sid, goal_id=g.pk) for g in by_learner[learner.pk]]
    Session.objects.bulk_create(sessions, batch_size=2000)
    Through.objects.bulk_create(links, batch_size=5000)

    # Django stores UUIDs as 32 hex digits on SQLite and as uuid on PostgreSQL.
    uid = str if connection.vendor == "postgresql" else (lambda u: u.hex)

    def rows():
        now = timezone.now()
        i = 0
        for session in sessions:
            day_index = (session.started_at.date() - start).days
            for g in by_learner[session.learner_id]:
                if g.measure == "probe":
                    if session.started_at.weekday() != 0:
                        continue
                    score = 40 + 0.12 * day_index + rng.gauss(0, 6)
                    values = [f'{{"score": {max(score, 0):.0f}, "errors": 2}}']
                else:
                    level = COUNTS_PER_SESSION + rng.randint(-3, 3)
                    values = ['{"n": 1}'] * level
                for k, value in enumerate(values):
                    i += 1
                    yield (
                        uid(uuid.uuid4()),
                        uid(session.pk),
                        g.pk,
                        None,
                        "probe" if g.measure == "probe" else "count",
                        value,
                        session.started_at + dt.timedelta(seconds=60 * k + 30),
                        now,
                        session.recorded_by_id,
                        None,
                    )

    columns = "id, session_id, goal_id, target_id, kind, value, recorded_at, "
    columns += "received_at, recorded_by_id, voids_id"
    table = Event._meta.db_table
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.connection.cursor().copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows():
                    copy.write_row(row)
                    count += 1
        else:
            marks = ", ".join(["%s"] * 10)
            batch = []
            for row in rows():
                batch.append(row[:6] + (row[6].isoformat(), row[7].isoformat()) + row[8:])
                if len(batch) == 20000:
                    cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", batch)
                    count += len(batch)
                    batch = []
            if batch:
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", batch)
                count += len(batch)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {table}")
    return supervisor, goals, count, days[-1]


_ORIGINAL_RENDER = None


def main():
    global _ORIGINAL_RENDER
    django.setup()
    from django.template import base as template_base

    _ORIGINAL_RENDER = template_base.Template._render
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment, teardown_test_environment

    settings.ALLOWED_HOSTS = ["*"]
    if connection.vendor == "sqlite":
        connection.settings_dict["TEST"]["NAME"] = str(
            Path(os.environ["TRELLIS_DATA_DIR"]) / "bench-dashboard.sqlite3"
        )
    setup_test_environment()
    keep = bool(os.environ.get("BENCH_KEEPDB"))
    # serialize=False: Django would otherwise copy a kept database's 1.9 M events into memory.
    old_name = connection.creation.create_test_db(
        verbosity=0, autoclobber=True, keepdb=keep, serialize=False
    )
    # Time the server as it runs, not the test client's template instrumentation.
    from django.template import base as template_base

    template_base.Template._render = _ORIGINAL_RENDER
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
    from trellis.collect.models import Event
    from trellis.monitoring.models import GoalStatus
    from trellis.monitoring.status import evaluate_all
    from trellis.people.models import Learner
    from trellis.testing import pass_second_factor

    set_context(AuditContext())
    rng = random.Random(2024)
    print(f"Database: {connection.vendor}")
    supervisor = User.objects.filter(username="supervisor").first()
    if supervisor is not None:  # kept from an earlier run (BENCH_KEEPDB)
        goals = list(GoalStatus.objects.values_list("goal_id", flat=True))
        print(f"Kept from an earlier run: {len(goals)} goals, {Event.objects.count():,} events")
    else:
        t0 = time.perf_counter()
        supervisor, goals, events, last_day = generate(rng)
        print(
            f"Generated {LEARNERS} learners, {len(goals)} goals, {events:,} events "
            f"in {time.perf_counter() - t0:.0f} s"
        )
        t0 = time.perf_counter()
        done, failed = evaluate_all(today=last_day + dt.timedelta(days=3))
        took = time.perf_counter() - t0
        print(
            f"Nightly run (trellis monitor): {done} goals in {took:.0f} s "
            f"({1000 * took / max(done, 1):.0f} ms per goal), {len(failed)} failed"
        )
    flagged = GoalStatus.objects.exclude(flag="").count()
    print(f"Goals with a flag: {flagged}")

    client = Client()
    client.force_login(supervisor)
    pass_second_factor(client, supervisor)  # supervisors sign in with a code
    htmx = {"HX-Request": "true", "HX-Target": "dashboard-table"}

    def page():
        response = client.get("/dashboard/")
        assert response.status_code == 200, response.status_code
        assert f"of {len(goals)}" in response.content.decode()

    def table():
        response = client.get("/dashboard/?flag=any", headers=htmx)
        assert response.status_code == 200

    visible_sql, visible_params = (
        Learner.objects.visible_to(supervisor)
        .filter(active=True)
        .order_by()
        .values("pk")
        .query.sql_with_params()
    )
    sql = f"""
        SELECT gs.goal_id, g.name, l.first_name, l.last_name, o.name, gs.tier, gs.points,
               gs.latest_value, gs.latest_date, gs.unit, gs.trend_per_week, gs.aim_per_week,
               gs.flag, gs.explanation, COUNT(*) OVER () AS total
        FROM monitoring_goalstatus gs
        JOIN plans_goal g ON g.id = gs.goal_id
        JOIN plans_plan p ON p.id = g.plan_id
        JOIN people_learner l ON l.id = gs.learner_id
        JOIN people_organization o ON o.id = gs.organization_id
        WHERE p.status = 'approved' AND gs.learner_id IN ({visible_sql})
        ORDER BY gs.flag_rank, gs.latest_date, l.last_name
        LIMIT 100
    """

    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        page()
        cProfile.runctx("for _ in range(5): page()", globals(), locals(), "/tmp/dash.prof")
        pstats.Stats("/tmp/dash.prof").sort_stats("cumulative").print_stats(60)

    def raw():
        with connection.cursor() as cursor:
            cursor.execute(sql, visible_params)
            found = cursor.fetchall()
        assert found and found[0][-1] == len(goals), found[:1]

    # Interleaved, round by round (the query twice, the page, the table), so that a machine
    # whose speed drifts during the run (a shared VM) slows the baseline and the pages alike.
    cases = {raw: 2, page: 1, table: 1}
    wall = {fn: [] for fn in cases}
    spent = {fn: [] for fn in cases}
    for fn in cases:
        for _ in range(3):
            fn()
    for _ in range(RUNS):
        for fn, times in cases.items():
            for _ in range(times):
                t, c = time.perf_counter(), time.process_time()
                fn()
                wall[fn].append((time.perf_counter() - t) * 1000)
                spent[fn].append((time.process_time() - c) * 1000)
    cpu = {fn: statistics.median(values) for fn, values in spent.items()}
    raw_ms, page_ms, table_ms = wall[raw], wall[page], wall[table]
    base = statistics.median(raw_ms)
    print(f"\nSupervisor's dashboard, {len(goals)} goals ({RUNS} requests each), server time ms:")
    print("  (wall p50 / p95; cpu = this process's CPU p50, without the database server's)")
    print(
        f"  {'single SQL query, same figures':<40} p50 {base:7.2f}   p95 {pct(raw_ms, 95):7.2f}"
        f"   cpu {cpu[raw]:6.2f}"
    )
    for name, fn, values in (
        ("GET /dashboard/ (full page)", page, page_ms),
        ("htmx table, flag=any", table, table_ms),
    ):
        p50, p95 = statistics.median(values), pct(values, 95)
        print(
            f"  {name:<40} p50 {p50:7.2f}   p95 {p95:7.2f}   cpu {cpu[fn]:6.2f}"
            f"   ratio p50 {p50 / base:5.2f}"
        )

    # For scale: the same figures straight from the events, without the rollup.
    naive = f"""
        SELECT e.goal_id, COUNT(DISTINCT e.session_id), MAX(e.recorded_at)
        FROM collect_event e
        JOIN plans_goal g ON g.id = e.goal_id
        JOIN plans_plan p ON p.id = g.plan_id
        WHERE p.learner_id IN ({visible_sql})
        GROUP BY e.goal_id
    """
    t = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(naive, visible_params)
        cursor.fetchall()
    print(
        f"  (without the rollup: sessions and last data per goal from the events alone, "
        f"one query: {(time.perf_counter() - t) * 1000:.0f} ms, before any trend or rule)"
    )


if __name__ == "__main__":
    main()
