"""The synthetic district the load and fault tests run against, built with bulk inserts.

A district with schools; per school, supervisors and the collectors they supervise (intervention
assistants); each collector on the case of their own learners, each learner with an approved
plan of three goals (frequency, trials, duration: counts, trials with a prompt level and
timings on the screen) and a history of ended sessions with events (so graphs, the dashboard
and the decision rules have data). Everyone signs in with one password; supervisors need a
second factor, and get recovery codes to type (as the browser tests do).

`build()` returns the accounts as plain data for locust (written to a JSON file by the driver).
"""

import datetime as dt
import random
import secrets
import uuid

PASSWORD = "load-test-password-" + "x" * 8
SCHOOLS = 5
GOALS = (
    # measure, name, settings, event kind
    ("frequency", "Hand raises", {"rate_unit": "count", "session_minutes": 30}, "count"),
    ("trials", "Matching colours", {"trials_per_session": 20}, "trial"),
    ("duration", "On-task stretch", {}, "duration"),
)


def school_days(end, n):
    day, out = end, []
    while len(out) < n:
        if day.weekday() < 5:
            out.append(day)
        day -= dt.timedelta(days=1)
    return sorted(out)


def build(collectors, supervisors, *, learners_each=5, history_days=30, extra_collectors=1,
          extra_supervisors=1, seed=17):
    """Build the district. `extra_*` accounts are for the driver's own idle measurements, so
    that locust's users and the driver never share a session or a learner."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import User
    from django.db import connection
    from django.utils import timezone
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    from trellis.collect.models import Event, Session
    from trellis.people.models import (
        CaseAssignment,
        Learner,
        Membership,
        Organization,
        Role,
        StaffMember,
    )
    from trellis.plans.measures import clean_measure_settings
    from trellis.plans.models import DEFAULT_PROMPT_LEVELS, Goal, Phase, Plan

    rng = random.Random(seed)
    n_collectors = collectors + extra_collectors
    n_supervisors = supervisors + extra_supervisors
    district = Organization.objects.create(name="Load District", kind="district")
    schools = [
        Organization.objects.create(name=f"Load School {i + 1}", kind="school", parent=district)
        for i in range(SCHOOLS)
    ]
    # One hash for everyone: Argon2 costs a tenth of a second per account.
    password = make_password(PASSWORD)
    users = User.objects.bulk_create(
        [
            User(username=f"collector{i:03d}", first_name="Collector", last_name=f"N{i:03d}",
                 email=f"collector{i:03d}@load.invalid", password=password)
            for i in range(n_collectors)
        ]
        + [
            User(username=f"supervisor{i:02d}", first_name="Supervisor", last_name=f"N{i:02d}",
                 email=f"supervisor{i:02d}@load.invalid", password=password)
            for i in range(n_supervisors)
        ]
    )
    collector_users, supervisor_users = users[:n_collectors], users[n_collectors:]
    staff = StaffMember.objects.bulk_create(StaffMember(user=u) for u in users)
    collector_staff, supervisor_staff = staff[:n_collectors], staff[n_collectors:]
    Membership.objects.bulk_create(
        [
            Membership(staff=m, organization=schools[i % SCHOOLS], role=Role.ASSISTANT)
            for i, m in enumerate(collector_staff)
        ]
        + [
            Membership(staff=m, organization=schools[i % SCHOOLS], role=Role.SUPERVISOR)
            for i, m in enumerate(supervisor_staff)
        ]
    )
    # Collector i is supervised by supervisor i mod n (same school when n is a multiple of 5).
    Supervision = StaffMember.supervisors.through
    field = StaffMember.supervisors.field
    from_col, to_col = field.m2m_field_name() + "_id", field.m2m_reverse_field_name() + "_id"
    supervisor_of = {}
    links = []
    for i, member in enumerate(collector_staff):
        boss = i % n_supervisors
        supervisor_of[i] = boss
        links.append(Supervision(**{from_col: member.pk, to_col: supervisor_staff[boss].pk}))
    Supervision.objects.bulk_create(links)
    # Second factor for supervisors: recovery codes, enough for a few sign-ins each.
    devices = StaticDevice.objects.bulk_create(
        StaticDevice(user=u, name="Recovery codes", confirmed=True) for u in supervisor_users
    )
    codes = {u.pk: [secrets.token_hex(5) for _ in range(5)] for u in supervisor_users}
    StaticToken.objects.bulk_create(
        StaticToken(device=d, token=code) for d in devices for code in codes[d.user_id]
    )

    learners = Learner.objects.bulk_create(
        Learner(
            organization=schools[(i // learners_each) % SCHOOLS],
            first_name=f"Learner{i}",
            last_name=f"Load{i:04d}",
            birth_date=dt.date(2015, 1, 1) + dt.timedelta(days=i % 900),
            grade=str(1 + i % 5),
        )
        for i in range(n_collectors * learners_each)
    )
    today = timezone.localdate()
    start = today - dt.timedelta(days=90)
    CaseAssignment.objects.bulk_create(
        CaseAssignment(
            staff=collector_staff[i // learners_each],
            learner=learner,
            role="assistant",
            starts_on=start,
        )
        for i, learner in enumerate(learners)
    )
    now = timezone.now()
    plans = Plan.objects.bulk_create(
        Plan(
            learner=learner,
            kind=Plan.Kind.IEP,
            title="Behavior and skills plan",
            status=Plan.Status.APPROVED,
            approved_at=now,
            starts_on=start,
        )
        for learner in learners
    )
    goals = Goal.objects.bulk_create(
        Goal(
            plan=plan,
            order=k,
            domain="behavior" if measure != "trials" else "academic",
            name=name,
            statement=f"{name}, measured by {measure}.",
            measure=measure,
            measure_settings=clean_measure_settings(measure, settings),
            goal_value={"frequency": 20, "trials": 80, "duration": 600_000}[measure],
            goal_date=today + dt.timedelta(days=180),
            direction="increase",
        )
        for plan in plans
        for k, (measure, name, settings, _) in enumerate(GOALS)
    )
    Phase.objects.bulk_create(
        Phase(goal=goal, kind=kind, label=label, starts_on=start + dt.timedelta(days=offset))
        for goal in goals
        for kind, label, offset in (("baseline", "Baseline", 0), ("intervention", "Plan", 21))
    )
    goals_of = {}
    for goal in goals:
        goals_of.setdefault(goal.plan.learner_id, []).append(goal)

    # History: one ended session a school day per learner, with events for each goal.
    days = school_days(today - dt.timedelta(days=1), history_days)
    sessions, session_links = [], []
    Through = Session.goals.through
    for i, learner in enumerate(learners):
        recorder = collector_users[i // learners_each]
        for day in days:
            began = dt.datetime.combine(day, dt.time(15, 0), dt.UTC)
            sid = uuid.uuid4()
            sessions.append(
                Session(id=sid, learner_id=learner.pk, started_at=began,
                        ended_at=began + dt.timedelta(minutes=30), recorded_by_id=recorder.pk)
            )
            session_links += [Through(session_id=sid, goal_id=g.pk) for g in goals_of[learner.pk]]
    Session.objects.bulk_create(sessions, batch_size=2000)
    Through.objects.bulk_create(session_links, batch_size=5000)
    prompts = [level["code"] for level in DEFAULT_PROMPT_LEVELS]

    def rows():
        for n, session in enumerate(sessions):
            for goal in goals_of[session.learner_id]:
                kind = dict((m, k) for m, _, _, k in GOALS)[goal.measure]
                count = {"count": 8 + n % 7, "trial": 10, "duration": 2}[kind]
                for k in range(count):
                    if kind == "count":
                        value = '{"n": 1}'
                    elif kind == "trial":
                        result = "correct" if rng.random() < 0.4 + 0.01 * (n % 30) else "incorrect"
                        value = f'{{"result": "{result}", "prompt": "{rng.choice(prompts)}"}}'
                    else:
                        value = f'{{"ms": {rng.randint(30_000, 400_000)}}}'
                    yield (
                        str(uuid.uuid4()), str(session.pk), goal.pk, None, kind, value,
                        session.started_at + dt.timedelta(seconds=60 * k + 30), now,
                        session.recorded_by_id, None,
                    )

    table = Event._meta.db_table
    columns = "id, session_id, goal_id, target_id, kind, value, recorded_at, received_at, "
    columns += "recorded_by_id, voids_id"
    events = 0
    with connection.cursor() as cursor:
        with cursor.connection.cursor().copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows():
                copy.write_row(row)
                events += 1
        cursor.execute(f"ANALYZE {table}")

    def learner_data(learner):
        return {
            "id": learner.pk,
            "goals": [
                {"id": g.pk, "measure": g.measure,
                 "kind": dict((m, k) for m, _, _, k in GOALS)[g.measure]}
                for g in goals_of[learner.pk]
            ],
        }

    collector_accounts = [
        {
            "username": user.username,
            "password": PASSWORD,
            "learners": [
                learner_data(learner)
                for learner in learners[i * learners_each : (i + 1) * learners_each]
            ],
        }
        for i, user in enumerate(collector_users)
    ]
    supervisor_accounts = [
        {
            "username": user.username,
            "password": PASSWORD,
            "codes": codes[user.pk],
            "goals": [
                g.pk
                for c, boss in supervisor_of.items()
                if boss == j
                for learner in learners[c * learners_each : (c + 1) * learners_each]
                for g in goals_of[learner.pk]
            ],
        }
        for j, user in enumerate(supervisor_users)
    ]
    return {
        "prompts": prompts,
        "collectors": collector_accounts[:collectors],
        "supervisors": supervisor_accounts[:supervisors],
        "probe_collectors": collector_accounts[collectors:],
        "probe_supervisors": supervisor_accounts[supervisors:],
        "counts": {
            "learners": len(learners),
            "goals": len(goals),
            "history_sessions": len(sessions),
            "history_events": events,
        },
    }
