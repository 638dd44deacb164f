"""Reading the collect app: access-checked fetches, session summaries, goal data points, and
the kit the collection screen needs offline. Numbers come from `trellis.analysis.summaries`."""

import uuid
from collections import defaultdict
from datetime import datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.db.models import F, Q
from django.http import Http404

from trellis.analysis import summaries
from trellis.analysis._base import AnalysisError
from trellis.audit.log import record
from trellis.collect.events import behavior_key
from trellis.collect.models import Event, Session
from trellis.people.access import CHANGE, VIEW, is_staff_for, may, staff_learner_filter
from trellis.people.models import Learner
from trellis.plans.models import (
    INTERVAL_MEASURES,
    AbcOption,
    BehaviorDefinition,
    Goal,
    Measure,
    Plan,
    PromptHierarchy,
)


def get_session_or_404(request, session_id, action=VIEW, *, audit_action="session.view"):
    """The session when the user is staff for (VIEW) or may record for (CHANGE) each of its
    learners; otherwise an audited 404."""
    session = (
        Session.objects.select_related("learner__organization", "group", "recorded_by")
        .filter(pk=session_id)
        .first()
    )
    learners = list(session.learners()) if session else []
    if action == CHANGE:
        allowed = bool(learners) and all(may(request.user, CHANGE, p) for p in learners)
    else:
        allowed = bool(learners) and all(is_staff_for(request.user, p) for p in learners)
    if not allowed:
        record(
            audit_action or "session.view",
            learner=learners[0] if len(learners) == 1 else None,
            result="denied",
            detail={"session_id": str(session_id), "path": request.path},
        )
        raise Http404("No such session.")
    if audit_action:
        for person in learners:
            record(audit_action, learner=person, obj=session)
    return session


# A session not ended this long after its start is taken as left open, not running.
RUNNING_HOURS = 12


def joinable_sessions(user, learner, *, now):
    """The learner's sessions running now (not ended, started in the last RUNNING_HOURS) that
    someone else records and the user may join as second observer (they may record for every
    learner of it), oldest first; each as (session, the user's open record of it or None)."""
    running = list(
        (Session.objects.filter(learner=learner) | Session.objects.filter(group__learners=learner))
        .filter(
            ended_at__isnull=True,
            primary_session__isnull=True,
            started_at__gte=now - timedelta(hours=RUNNING_HOURS),
        )
        .exclude(recorded_by=user)
        .distinct()
        .select_related("recorded_by", "group")
        .prefetch_related("group__learners")
        .order_by("started_at")
    )
    if not running:
        return []
    others = {p.pk for s in running if s.group_id for p in s.group.learners.all()} - {learner.pk}
    allowed = {learner.pk} | set(
        Learner.objects.filter(staff_learner_filter(user), pk__in=others).values_list(
            "pk", flat=True
        )
    )
    running = [
        s for s in running if not s.group_id or all(p.pk in allowed for p in s.group.learners.all())
    ]
    mine = {
        s.primary_session_id: s
        for s in Session.objects.filter(
            primary_session__in=running, recorded_by=user, ended_at__isnull=True
        ).order_by("-started_at")
    }
    return [(s, mine.get(s.pk)) for s in running]


# --- the value of a session, per measure --------------------------------------------------

UNITS = {
    Measure.DURATION: "min",
    Measure.LATENCY: "s",
    Measure.PARTIAL_INTERVAL: "% of intervals",
    Measure.WHOLE_INTERVAL: "% of intervals",
    Measure.MOMENTARY_TIME_SAMPLING: "% of intervals",
    Measure.TRIALS: "% independent",
    Measure.TASK_ANALYSIS: "% of steps independent",
    Measure.RATING: "% of points",
    Measure.ABC: "records",
}


def unit_of(goal):
    if goal.measure == Measure.FREQUENCY:
        return {"per_minute": "per minute", "per_hour": "per hour"}.get(
            goal.measure_settings.get("rate_unit"), "times"
        )
    if goal.measure == Measure.PROBE:
        return goal.measure_settings.get("unit") or "score"
    return UNITS[goal.measure]


def _session_minutes(goal, session):
    minutes = goal.measure_settings.get("session_minutes")
    if minutes:
        return minutes
    if session.ended_at and session.ended_at > session.started_at:
        return (session.ended_at - session.started_at).total_seconds() / 60
    return None


def session_value(goal, summary, session):
    """The one number the graph shows for a session's summary (None: not tracked)."""
    if summary is None:
        return None
    measure = goal.measure
    if measure == Measure.FREQUENCY:
        unit = goal.measure_settings.get("rate_unit")
        if unit == "per_minute" and summary["rate_per_minute"] is not None:
            return summary["rate_per_minute"]
        if unit == "per_hour" and summary["rate_per_hour"] is not None:
            return summary["rate_per_hour"]
        return summary["count"]
    if measure == Measure.DURATION:
        return summary["total_ms"] / 60000
    if measure == Measure.LATENCY:
        return summary["mean_ms"] / 1000
    if measure in INTERVAL_MEASURES or measure == Measure.RATING:
        return summary["percent"]
    if measure in (Measure.TRIALS, Measure.TASK_ANALYSIS):
        return summary["percent_independent"]
    if measure == Measure.PROBE:
        return summary["score"]
    return summary["records"]


def _label(value, unit):
    if value is None:
        return "not tracked"
    shown = f"{value:.0f}" if float(value).is_integer() or abs(value) >= 10 else f"{value:.1f}"
    return f"{shown}%{unit[1:]}" if unit.startswith("%") else f"{shown} {unit}"


def _count(n, of):
    if n == of:
        return "all"
    return "none" if n == 0 else str(n)


def summary_label(goal, summary, value, unit):
    """The summary in words: the value with its unit, and for a task analysis how many of its
    steps were scored ("60% of steps independent (3 of 5 steps scored, all independent)")."""
    label = _label(value, unit)
    if goal.measure == Measure.TASK_ANALYSIS and summary is not None:
        scored, defined = summary["steps"], summary["defined_steps"]
        label += (
            f" ({scored} of {defined} steps scored, "
            f"{_count(summary['independent'], scored)} independent)"
        )
    return label


def summarize(goal, events, session):
    """(summary dict or None, error text or None) for one goal's corrected events."""
    settings = {}
    if goal.measure == Measure.FREQUENCY:
        settings["session_minutes"] = _session_minutes(goal, session)
    elif goal.measure == Measure.TASK_ANALYSIS:
        # The percent is over the steps the goal defines, not only those scored.
        settings["defined_steps"] = len(goal.measure_settings.get("steps") or []) or None
    try:
        return summaries.summarize(goal.measure, events, **settings), None
    except AnalysisError as error:
        return None, str(error)


def _corrected(events):
    try:
        return summaries.apply_voids(events)
    except AnalysisError:
        # A void loop cannot arrive through ingest (a void names an earlier event); be safe.
        return [e for e in events if e["kind"] != "void"]


def session_summaries(session):
    """One summary per goal of the session, in goal order (see collect-contract.md)."""
    goals = list(session.goals.select_related("plan").prefetch_related("targets"))
    by_goal = defaultdict(list)
    for row in Event.objects.filter(session=session).values(
        "id", "goal_id", "target_id", "kind", "value", "voids_id", "recorded_at"
    ):
        by_goal[row["goal_id"]].append(_event_dict(row))
    out = []
    for goal in sorted(goals, key=lambda g: (g.plan_id, g.order, g.pk)):
        events = _corrected(by_goal.get(goal.pk, []))
        summary, error = summarize(goal, events, session)
        unit = unit_of(goal)
        value = session_value(goal, summary, session)
        targets = []
        for target in goal.targets.all():
            mine = [e for e in events if e["target"] == target.pk]
            t_summary, _ = summarize(goal, mine, session)
            t_value = session_value(goal, t_summary, session)
            targets.append(
                {
                    "target": target.pk,
                    "name": target.name,
                    "value": t_value,
                    "label": summary_label(goal, t_summary, t_value, unit),
                }
            )
        out.append(
            {
                "goal": goal.pk,
                "name": goal.name,
                "measure": goal.measure,
                "measure_label": Measure(goal.measure).label,
                "tracked": summary is not None,
                "value": value,
                "unit": unit,
                "label": error or summary_label(goal, summary, value, unit),
                "summary": summary,
                "targets": targets,
            }
        )
    return out


def _event_dict(row):
    return {
        "id": row["id"],
        "kind": row["kind"],
        "value": row["value"],
        "voids": row["voids_id"],
        "target": row["target_id"],
    }


class SessionTimes(NamedTuple):
    pk: uuid.UUID
    started_at: datetime
    ended_at: datetime | None


def goal_data_points(goal):
    """Session-level values of a goal (all versions of it), oldest first, each with the phase in
    force on the session's date and, for goals with targets, one point per target too. Second
    observers' records are kept apart (they feed IOA, not the graph); a session with no data
    for the goal gives no point ("not tracked", not zero)."""
    return data_points_by_goal([goal])[goal.pk]


def data_points_by_goal(goals):
    """`goal_data_points` of many goals, by goal id, in one query of their events (the nightly
    run reads hundreds of goals at a time). Prefetch each goal's phases and targets, with its
    plan's learner's organization, to read those in a few queries too."""
    lineages = {goal.lineage for goal in goals}
    rows = (
        Event.objects.filter(goal__lineage__in=lineages, session__primary_session__isnull=True)
        .order_by("recorded_at")
        .values(
            "id",
            "session_id",
            "target_id",
            "kind",
            "value",
            "voids_id",
            "target__lineage",
            "goal__lineage",
        )
    )
    by_lineage = defaultdict(lambda: defaultdict(list))
    session_ids = set()
    for row in rows:
        event = _event_dict(row)
        event["target_lineage"] = row["target__lineage"]
        by_lineage[row["goal__lineage"]][row["session_id"]].append(event)
        session_ids.add(row["session_id"])
    # Their times only, once a session (not once an event: the nightly run reads thousands).
    sessions = {
        pk: SessionTimes(pk, started, ended)
        for pk, started, ended in Session.objects.filter(pk__in=session_ids).values_list(
            "pk", "started_at", "ended_at"
        )
    }
    return {goal.pk: _data_points(goal, by_lineage[goal.lineage], sessions) for goal in goals}


def _data_points(goal, by_session, sessions):
    tz = ZoneInfo(goal.plan.learner.organization.time_zone)
    phases = sorted(goal.phases.all(), key=lambda phase: (phase.starts_on, phase.pk))
    targets = {t.lineage: t for t in goal.targets.all()}
    unit = unit_of(goal)
    points = []
    for session in sorted((sessions[pk] for pk in by_session), key=lambda s: s.started_at):
        events = _corrected(by_session[session.pk])
        day = session.started_at.astimezone(tz).date()
        phase = None
        for candidate in phases:
            if candidate.starts_on <= day:
                phase = candidate
        phase_out = {"id": phase.pk, "kind": phase.kind, "name": phase.name} if phase else None
        base = {
            "session": str(session.pk),
            "date": day.isoformat(),
            "started_at": session.started_at.isoformat(),
            "unit": unit,
            "phase": phase_out,
        }
        summary, _ = summarize(goal, events, session)
        value = session_value(goal, summary, session)
        if value is not None:
            points.append(base | {"value": value, "target": None})
        by_target = defaultdict(list)
        for event in events:
            if event["target_lineage"] is not None:
                by_target[event["target_lineage"]].append(event)
        for lineage, mine in by_target.items():
            target = targets.get(lineage)
            t_summary, _ = summarize(goal, mine, session)
            t_value = session_value(goal, t_summary, session)
            if t_value is not None:
                points.append(
                    base
                    | {
                        "value": t_value,
                        "target": {
                            "id": target.pk if target else None,
                            "lineage": str(lineage),
                            "name": target.name if target else "(earlier target)",
                        },
                    }
                )
    return points


# --- what the screen needs ----------------------------------------------------------------


def goal_payload(goal, prompt_levels=None):
    """A goal as the API and the collection screen show it."""
    if prompt_levels is None and goal.measure in (Measure.TRIALS, Measure.TASK_ANALYSIS):
        prompt_levels = PromptHierarchy.levels_for(goal.plan.learner.organization)
    return {
        "id": goal.pk,
        "lineage": str(goal.lineage),
        "plan": {
            "id": goal.plan.pk,
            "kind": goal.plan.kind,
            "title": goal.plan.title,
            "version": goal.plan.version,
        },
        "learner": goal.plan.learner_id,
        "name": goal.name,
        "statement": goal.statement,
        "domain": goal.domain,
        "direction": goal.direction,
        "measure": goal.measure,
        "event_kind": goal.event_kind,
        "settings": goal.measure_settings,
        "prompt_levels": prompt_levels
        if goal.measure in (Measure.TRIALS, Measure.TASK_ANALYSIS)
        else [],
        "goal_value": goal.goal_value,
        "goal_date": goal.goal_date.isoformat() if goal.goal_date else None,
        "unit": unit_of(goal),
        "targets": [
            {"id": t.pk, "name": t.name, "state": t.state, "criterion": t.criterion}
            for t in goal.targets.all()
        ],
    }


def current_goals(learner):
    return (
        Goal.objects.current()
        .filter(plan__learner=learner)
        .select_related("plan__learner__organization")
        .prefetch_related("targets")
        .order_by("plan__kind", "plan_id", "order", "pk")
    )


def current_behavior_definitions(learner_ids):
    """The behavior definitions in force for these learners: the learner's own and those of
    their current (approved) plans; a plan's first, then by name."""
    return (
        BehaviorDefinition.objects.filter(learner_id__in=learner_ids)
        .filter(Q(plan__isnull=True) | Q(plan__status=Plan.Status.APPROVED))
        .order_by("learner_id", F("plan_id").asc(nulls_last=True), "name", "pk")
    )


def defined_behaviors(learner_ids):
    """Per learner: behavior_key → the defined spelling of each behavior in force (the first
    definition of a name wins)."""
    out = defaultdict(dict)
    for learner_id, name in current_behavior_definitions(learner_ids).values_list(
        "learner_id", "name"
    ):
        out[learner_id].setdefault(behavior_key(name), name)
    return out


def _distinct_names(definitions):
    seen = set()
    for definition in definitions:
        key = behavior_key(definition.name)
        if key not in seen:
            seen.add(key)
            yield definition


def learner_kit(learner):
    """Everything the collection screen needs for a learner, offline: current goals, prompt
    levels, ABC pick lists, behavior definitions and the current behavior and safety plans."""
    levels = PromptHierarchy.levels_for(learner.organization)
    options = defaultdict(list)
    for option in AbcOption.for_organization(learner.organization):
        options[option.kind].append({"code": option.code, "label": option.label})
    plans = (
        Plan.objects.current()
        .filter(learner=learner, kind__in=[Plan.Kind.BIP, Plan.Kind.SAFETY])
        .order_by("kind")
    )
    return {
        "learner": {
            "id": learner.pk,
            "name": learner.full_name,
            "organization": learner.organization.name,
            "learner_word": learner.organization.learner_word,
        },
        "goals": [goal_payload(g, levels) for g in current_goals(learner)],
        "prompt_levels": levels,
        "abc_options": dict(options),
        "behavior_definitions": [
            {
                "id": d.pk,
                "name": d.name,
                "definition": d.definition,
                "examples": d.examples,
                "non_examples": d.non_examples,
            }
            for d in _distinct_names(current_behavior_definitions([learner.pk]))
        ],
        "plans": [
            {
                "id": p.pk,
                "kind": p.kind,
                "kind_label": p.get_kind_display(),
                "title": p.title,
                "version": p.version,
                "summary": p.summary,
                "approved_at": p.approved_at.isoformat() if p.approved_at else None,
            }
            for p in plans
        ],
    }
