"""A session with a goal of every measure, the plans and pick lists the screen shows, for the
collection screen's tests and its latency benchmark."""

from django.utils import timezone

from trellis.collect.models import Session
from trellis.plans.models import AbcOption, BehaviorDefinition, Plan
from trellis.testing import make_goal

EVERY_MEASURE = {
    "frequency": {"name": "Hand raises"},
    "duration": {"name": "On-task duration"},
    "latency": {"name": "Latency to comply"},
    "partial_interval": {"name": "Out of seat (PIR)"},
    "whole_interval": {"name": "Engaged (WIR)"},
    "momentary_time_sampling": {"name": "Engaged (MTS)"},
    "trials": {"name": "Sight words", "targets": ("cat", "dog")},
    "task_analysis": {"name": "Handwashing"},
    "probe": {"name": "Oral reading fluency"},
    "rating": {"name": "Point card"},
    "abc": {"name": "ABC log"},
}


def screen_goals(world, learner, measures=None, *, interval_seconds=None):
    """One approved goal per measure; interval goals may get short intervals for tests."""
    goals = []
    for measure, fields in EVERY_MEASURE.items():
        if measures is not None and measure not in measures:
            continue
        fields = dict(fields)
        settings = None
        if interval_seconds and measure in (
            "partial_interval",
            "whole_interval",
            "momentary_time_sampling",
        ):
            settings = {"interval_seconds": interval_seconds, "session_minutes": 5}
        goals.append(make_goal(world, learner, measure, settings=settings, **fields))
    return goals


def behavior_support(learner):
    """The learner's behavior plan, crisis plan, definitions and the organization's ABC lists."""
    now = timezone.now()
    Plan.objects.create(
        learner=learner,
        kind=Plan.Kind.BIP,
        title="Behavior plan",
        summary="Offer a break card before independent work. Praise hand raises.",
        status=Plan.Status.APPROVED,
        approved_at=now,
    )
    Plan.objects.create(
        learner=learner,
        kind=Plan.Kind.SAFETY,
        title="Crisis plan",
        summary="If eloping: stay within sight, call the office on channel 2.",
        status=Plan.Status.APPROVED,
        approved_at=now,
    )
    BehaviorDefinition.objects.create(
        learner=learner,
        name="Elopement",
        definition="Leaving the assigned area without permission, beyond 3 metres.",
        examples="Running out of the classroom door.",
        non_examples="Walking to the pencil sharpener with permission.",
    )
    for kind, labels in {
        "antecedent": ["Demand placed", "Transition"],
        "behavior": ["Yelling"],
        "consequence": ["Break given", "Redirected"],
        "setting": ["Classroom", "Hallway"],
    }.items():
        for order, label in enumerate(labels):
            AbcOption.objects.get_or_create(
                organization=learner.organization,
                kind=kind,
                code=label.lower().replace(" ", "-"),
                defaults={"label": label, "order": order},
            )


def screen_session(world, learner, by, measures=None, *, interval_seconds=None, **fields):
    goals = screen_goals(world, learner, measures, interval_seconds=interval_seconds)
    behavior_support(learner)
    session = Session.objects.create(
        learner=learner,
        started_at=fields.pop("started_at", timezone.now()),
        recorded_by=by,
        **fields,
    )
    session.goals.set(goals)
    return session
