"""Building goals with data for monitoring tests (ORM only, no actions)."""

import datetime as dt
import uuid

from django.utils import timezone

from trellis.collect.models import Event, Session
from trellis.plans.measures import clean_measure_settings
from trellis.plans.models import Goal, Phase, Plan, Target

START = dt.date(2025, 9, 1)


def recorder(world, learner):
    assignment = learner.assignments.active().select_related("staff__user").first()
    return assignment.staff.user if assignment else world.supervisor


def monitored_goal(
    learner,
    measure="probe",
    *,
    name="Oral reading fluency",
    goal_value=60.0,
    goal_date=START + dt.timedelta(days=120),
    settings=None,
    direction="increase",
    tier=None,
    phases=(
        ("baseline", "Baseline", START),
        ("intervention", "Intervention", START + dt.timedelta(days=14)),
    ),
    targets=(),
):
    """An approved plan with one goal and its phases (kind, label, start)."""
    defaults = {
        "probe": {"seconds": 60, "unit": "words correct per minute"},
        "frequency": {"rate_unit": "count", "session_minutes": 10},
        "trials": {"trials_per_session": 10},
    }
    plan = Plan.objects.create(
        learner=learner,
        kind=Plan.Kind.RTI if tier else Plan.Kind.IEP,
        tier=tier,
        title=f"Plan of {learner.first_name}",
        status=Plan.Status.APPROVED,
        approved_at=timezone.now(),
        starts_on=START,
    )
    goal = Goal.objects.create(
        plan=plan,
        domain=Goal.Domain.ACADEMIC,
        name=name,
        statement=f"{name}.",
        measure=measure,
        measure_settings=clean_measure_settings(measure, settings or defaults.get(measure, {})),
        goal_value=goal_value,
        goal_date=goal_date,
        direction=direction,
    )
    for kind, label, starts_on in phases:
        Phase.objects.create(goal=goal, kind=kind, label=label, starts_on=starts_on)
    for index, target_name in enumerate(targets):
        Target.objects.create(
            goal=goal, name=target_name, order=index, state="acquisition", state_since=START
        )
    return goal


def _at(day, hour=10):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def add_session(goal, day, events, *, by, primary=None, minutes=10, hour=10):
    """A session on `day` with events given as (kind, value[, target]) tuples; returns it."""
    learner = goal.plan.learner
    started = _at(day, hour)
    session = Session.objects.create(
        learner=learner,
        started_at=started,
        ended_at=started + dt.timedelta(minutes=minutes),
        recorded_by=by,
        primary_session=primary,
    )
    session.goals.add(goal)
    made = []
    for index, spec in enumerate(events):
        kind, value = spec[0], spec[1]
        target = spec[2] if len(spec) > 2 else None
        made.append(
            Event.objects.create(
                id=uuid.uuid4(),
                session=session,
                goal=goal,
                target=target,
                kind=kind,
                value=value,
                recorded_at=started + dt.timedelta(seconds=30 * (index + 1)),
                received_at=timezone.now(),
                recorded_by=by,
                voids=spec[3] if len(spec) > 3 else None,
            )
        )
    return session, made


def add_probes(goal, scores, *, by, start=START, every=3):
    """One probe session every `every` days from `start`, with these scores."""
    sessions = []
    for i, score in enumerate(scores):
        day = start + dt.timedelta(days=every * i)
        sessions.append(add_session(goal, day, [("probe", {"score": score, "errors": 0})], by=by))
    return sessions


def make_recommendation(world, learner):
    """An open "change the intervention" recommendation on a goal of the learner."""
    from trellis.monitoring.models import Recommendation

    goal = monitored_goal(learner)
    return Recommendation.objects.create(
        goal=goal,
        goal_lineage=goal.lineage,
        learner=learner,
        kind="change_intervention",
        explanation="The last 4 data points are all below the aim line.",
        evidence={},
        raised_at=timezone.now(),
    )


def make_monitored_goal(world, learner):
    return monitored_goal(learner)


def add_event(session, goal, kind, value, *, by, voids=None, target=None):
    return Event.objects.create(
        id=uuid.uuid4(),
        session=session,
        goal=goal,
        target=target,
        kind=kind,
        value=value,
        recorded_at=session.started_at + dt.timedelta(minutes=5),
        received_at=timezone.now(),
        recorded_by=by,
        voids=voids,
    )
