"""Evaluating goals: read a goal's data (collect), run the rules, keep its GoalStatus rollup and
its open recommendations up to date. Called on new data (hooks.py) and nightly (`trellis
monitor`)."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from trellis.analysis import summaries
from trellis.analysis._base import AnalysisError
from trellis.collect.models import Event
from trellis.collect.queries import goal_data_points, unit_of
from trellis.monitoring import rules
from trellis.monitoring.models import FLAG_ORDER, DecisionRules, GoalStatus, Recommendation
from trellis.plans.models import Goal, Measure, Plan, TargetStateChange

log = logging.getLogger(__name__)


def active_goals():
    """Goals data is collected for: approved plan versions in force, of active learners."""
    today = timezone.localdate()
    return (
        Goal.objects.current()
        .filter(plan__learner__active=True)
        .filter(Q(plan__ends_on__isnull=True) | Q(plan__ends_on__gte=today))
    )


def local_today(organization):
    return timezone.now().astimezone(ZoneInfo(organization.time_zone)).date()


def _percent_correct(goal, points):
    """Percent correct per (session, target lineage) for targets whose mastery basis is
    "correct" (the points carry percent independent), from the engine's trial summaries."""
    if goal.measure != Measure.TRIALS:
        return {}
    wanted = {str(t.lineage) for t in goal.targets.all() if t.mastery_basis == "correct"}
    if not wanted:
        return {}
    rows = Event.objects.filter(
        goal__lineage=goal.lineage,
        session__primary_session__isnull=True,
    ).values("id", "session_id", "kind", "value", "voids_id", "target__lineage")
    events = [
        {
            "id": r["id"],
            "kind": r["kind"],
            "value": r["value"],
            "voids": r["voids_id"],
            "session": str(r["session_id"]),
            "target": str(r["target__lineage"]) if r["target__lineage"] else None,
        }
        for r in rows
    ]
    try:
        kept = summaries.apply_voids(events)
    except AnalysisError:
        return {}
    grouped = defaultdict(list)
    for e in kept:
        if e["target"] in wanted:
            grouped[(e["session"], e["target"])].append(e)
    out = {}
    for key, evs in grouped.items():
        try:
            summary = summaries.trials(evs)
        except AnalysisError:
            continue
        if summary:
            out[key] = summary["percent_correct"]
    return out


def goal_inputs(goal, points=None):
    """The rules' inputs for a goal: its points (from collect), phases and targets."""
    if points is None:
        points = goal_data_points(goal)
    correct = _percent_correct(goal, points)
    data = []
    for p in points:
        phase = p.get("phase") or {}
        target = p.get("target")
        lineage = target.get("lineage") if target else None
        pc = (p.get("summary") or {}).get("percent_correct")
        if pc is None and lineage:
            pc = correct.get((p["session"], lineage))
        data.append(
            rules.Point(
                date=dt.date.fromisoformat(p["date"]),
                value=float(p["value"]),
                phase_id=phase.get("id"),
                phase_kind=phase.get("kind"),
                phase_name=phase.get("name"),
                session=p["session"],
                target=lineage,
                percent_correct=pc,
            )
        )
    phases = [
        rules.PhaseInfo(ph.pk, ph.kind, ph.name, ph.starts_on)
        for ph in goal.phases.order_by("starts_on", "pk")
    ]
    targets_by_lineage = {t.lineage: t for t in goal.targets.all()}
    changes = defaultdict(list)
    for change in TargetStateChange.objects.filter(
        target__lineage__in=list(targets_by_lineage)
    ).select_related("target"):
        changes[change.target.lineage].append(change)
    targets = []
    for lineage, t in targets_by_lineage.items():
        moves = sorted(changes[lineage], key=lambda c: (c.on, c.pk))
        introduced = next((c.on for c in moves if c.to_state == "acquisition"), None)
        mastered = next((c.on for c in moves if c.to_state == "mastered"), None)
        if t.state == "acquisition" and introduced is None:
            introduced = t.state_since
        if t.state == "mastered" and mastered is None:
            mastered = t.state_since
        targets.append(
            rules.TargetInfo(
                lineage=str(lineage),
                id=t.pk,
                name=t.name,
                state=t.state,
                state_since=t.state_since,
                mastery_percent=t.mastery_percent,
                mastery_basis=t.mastery_basis,
                mastery_sessions=t.mastery_sessions,
                introduced_on=introduced,
                mastered_on=mastered,
            )
        )
    return data, phases, targets


def rule_settings(goal):
    found = DecisionRules.for_organization(goal.plan.learner.organization)
    days = (
        found.probe_schedule_days if goal.measure == Measure.PROBE else found.session_schedule_days
    )
    days = int(goal.measure_settings.get("schedule_days") or days)
    return rules.Settings(found.consecutive_points, found.trend_min_points, days)


def _expected_since(plan: Plan, tz):
    if plan.starts_on:
        return plan.starts_on
    if plan.approved_at:
        return plan.approved_at.astimezone(tz).date()
    return None


def run_rules(goal, *, points=None, today=None):
    """(evaluation, inputs) for a goal, without writing anything."""
    learner = goal.plan.learner
    tz = ZoneInfo(learner.organization.time_zone)
    today = today or timezone.now().astimezone(tz).date()
    data, phases, targets = goal_inputs(goal, points)
    ev = rules.evaluate(
        points=data,
        phases=phases,
        targets=targets,
        goal_value=goal.goal_value,
        goal_date=goal.goal_date,
        baseline_value=goal.baseline_value,
        settings=rule_settings(goal),
        today=today,
        data_expected_since=_expected_since(goal.plan, tz),
    )
    return ev, (data, phases, targets)


def _decided_since(goal):
    """The latest decision date per (kind, target lineage) on this goal's recommendations."""
    out = {}
    for rec in Recommendation.objects.filter(
        goal_lineage=goal.lineage,
        status__in=[Recommendation.Status.ACCEPTED, Recommendation.Status.DISMISSED],
    ).select_related("target"):
        key = (rec.kind, str(rec.target.lineage) if rec.target else None)
        day = rec.decided_at.date() if rec.decided_at else None
        if day and (key not in out or day > out[key]):
            out[key] = day
    return out


@transaction.atomic
def evaluate_goal(goal, *, today=None):
    """Recompute the goal's status and sync its open recommendations with the rules' flags:
    a new flag opens a recommendation (unless a decision already covered its data), a flag
    that is no longer raised closes its open recommendation as "no longer indicated"."""
    goal = (
        Goal.objects.select_related("plan__learner__organization")
        .prefetch_related("targets")
        .get(pk=goal.pk)
    )
    learner = goal.plan.learner
    ev, _ = run_rules(goal, today=today)
    now = timezone.now()
    decided = _decided_since(goal)
    flags = []
    for flag in ev.flags:
        key = (flag.kind, flag.target.lineage if flag.target else None)
        if key in decided and decided[key] >= flag.data_from:
            continue
        flags.append(flag)

    open_recs = {
        (r.kind, r.target_id): r
        for r in Recommendation.objects.open().filter(goal_lineage=goal.lineage)
    }
    for flag in flags:
        target_id = flag.target.id if flag.target else None
        rec = open_recs.pop((flag.kind, target_id), None)
        if rec is None:
            Recommendation.objects.create(
                goal=goal,
                goal_lineage=goal.lineage,
                learner=learner,
                target_id=target_id,
                kind=flag.kind,
                explanation=flag.explanation,
                evidence=flag.evidence,
                raised_at=now,
            )
        elif rec.explanation != flag.explanation or rec.evidence != flag.evidence:
            rec.goal, rec.explanation, rec.evidence = goal, flag.explanation, flag.evidence
            rec.save(update_fields=["goal", "explanation", "evidence"])
    for rec in open_recs.values():
        rec.status = Recommendation.Status.RESOLVED
        rec.decided_at = now
        rec.reason = "The data no longer meet this rule."
        rec.save(update_fields=["status", "decided_at", "reason"])

    kinds = {f.kind for f in flags}
    top = next((k for k in FLAG_ORDER if k in kinds), "")
    status, _ = GoalStatus.objects.update_or_create(
        goal=goal,
        defaults={
            "learner": learner,
            "organization": learner.organization,
            "tier": goal.plan.tier,
            "points": ev.points,
            "latest_value": ev.latest_value,
            "latest_date": ev.last_data_date if ev.latest_date is None else ev.latest_date,
            "unit": unit_of(goal),
            "trend_per_week": ev.trend_per_week,
            "aim_per_week": ev.aim.slope_per_week if ev.aim else None,
            "flag": top,
            "flag_rank": FLAG_ORDER.index(top) if top else 99,
            "explanation": next((f.explanation for f in flags if f.kind == top), ""),
            "computed_at": now,
        },
    )
    return status


def evaluate_goals(goals, *, today=None):
    """Evaluate many goals; one goal's failure is logged and does not stop the others."""
    done, failed = 0, []
    for goal in goals:
        try:
            evaluate_goal(goal, today=today)
            done += 1
        except Exception:  # noqa: BLE001 - a nightly run must reach every goal
            log.exception("Evaluating goal %s failed", goal.pk)
            failed.append(goal.pk)
    return done, failed


def evaluate_all(*, progress=None, every=100):
    """The nightly run: drop the statuses of goals no longer active, evaluate every active goal
    (telling `progress(done, total)` every `every` goals). Returns (evaluated, failed ids)."""
    GoalStatus.objects.exclude(goal__in=active_goals()).delete()
    goals = active_goals().select_related("plan__learner__organization").order_by("pk")
    total = goals.count()
    done, failed, last = 0, [], 0
    while batch := list(goals.filter(pk__gt=last)[:every]):
        ok, bad = evaluate_goals(batch)
        done, failed, last = done + ok, failed + bad, batch[-1].pk
        if progress:
            progress(done + len(failed), total)
    return done, failed
