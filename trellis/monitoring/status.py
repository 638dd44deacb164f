"""Evaluating goals: read a goal's data (collect), run the rules, keep its GoalStatus rollup and
its open recommendations up to date. Called on new data (hooks.py) and nightly (`trellis
monitor`)."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from functools import cached_property
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from trellis.analysis import summaries
from trellis.analysis._base import AnalysisError
from trellis.collect.models import Event
from trellis.collect.queries import data_points_by_goal, unit_of
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


def _percent_correct(goals):
    """Percent correct per (session, target lineage), by goal lineage, for the targets whose
    mastery basis is "correct" (the points carry percent independent), from the engine's trial
    summaries: one query for every such goal."""
    wanted = {
        goal.lineage: {str(t.lineage) for t in goal.targets.all() if t.mastery_basis == "correct"}
        for goal in goals
        if goal.measure == Measure.TRIALS
    }
    wanted = {lineage: targets for lineage, targets in wanted.items() if targets}
    if not wanted:
        return {}
    rows = Event.objects.filter(
        goal__lineage__in=list(wanted), session__primary_session__isnull=True
    ).values("id", "session_id", "kind", "value", "voids_id", "target__lineage", "goal__lineage")
    by_lineage = defaultdict(list)
    for r in rows:
        by_lineage[r["goal__lineage"]].append(
            {
                "id": r["id"],
                "kind": r["kind"],
                "value": r["value"],
                "voids": r["voids_id"],
                "session": str(r["session_id"]),
                "target": str(r["target__lineage"]) if r["target__lineage"] else None,
            }
        )
    return {
        lineage: _percent_correct_of(by_lineage[lineage], targets)
        for lineage, targets in wanted.items()
    }


def _percent_correct_of(events, wanted):
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


def _expected_since(plan: Plan, tz):
    if plan.starts_on:
        return plan.starts_on
    if plan.approved_at:
        return plan.approved_at.astimezone(tz).date()
    return None


def _goals(ids):
    """The goals with what their evaluation reads of them, in four queries."""
    return (
        Goal.objects.filter(pk__in=ids)
        .select_related("plan__learner__organization")
        .prefetch_related("targets", "phases")
        .order_by("pk")
    )


class GoalBatch:
    """What evaluating some goals reads, in a few queries for all of them whatever their
    number: the nightly run evaluates hundreds at a time (`evaluate_goals`), a page one
    (`run_rules`). Each query is made when first needed."""

    def __init__(self, goals, *, points=None):
        self.goals = list(goals)
        self._points = points

    @cached_property
    def points(self):
        return data_points_by_goal(self.goals)

    @cached_property
    def percent_correct(self):
        return _percent_correct(self.goals)

    @cached_property
    def state_changes(self):
        """Each target lineage's moves between states, in order."""
        lineages = [t.lineage for goal in self.goals for t in goal.targets.all()]
        changes = defaultdict(list)
        for change in TargetStateChange.objects.filter(
            target__lineage__in=lineages
        ).select_related("target"):
            changes[change.target.lineage].append(change)
        for moves in changes.values():
            moves.sort(key=lambda c: (c.on, c.pk))
        return changes

    @cached_property
    def decided_since(self):
        """The latest decision date per goal lineage and (kind, target lineage)."""
        out = defaultdict(dict)
        for lineage, kind, target, decided_at in Recommendation.objects.filter(
            goal_lineage__in=[goal.lineage for goal in self.goals],
            status__in=[Recommendation.Status.ACCEPTED, Recommendation.Status.DISMISSED],
            decided_at__isnull=False,
        ).values_list("goal_lineage", "kind", "target__lineage", "decided_at"):
            key, day = (kind, str(target) if target else None), decided_at.date()
            if key not in out[lineage] or day > out[lineage][key]:
                out[lineage][key] = day
        return out

    @cached_property
    def open_recommendations(self):
        """Each goal lineage's open recommendations by (kind, target id)."""
        out = defaultdict(dict)
        for rec in Recommendation.objects.open().filter(
            goal_lineage__in=[goal.lineage for goal in self.goals]
        ):
            out[rec.goal_lineage][(rec.kind, rec.target_id)] = rec
        return out

    @cached_property
    def decision_rules(self):
        """The rules in force by organization id."""
        organizations = {goal.plan.learner.organization for goal in self.goals}
        return DecisionRules.for_organizations(list(organizations))

    def rule_settings(self, goal):
        found = self.decision_rules[goal.plan.learner.organization_id]
        days = (
            found.probe_schedule_days
            if goal.measure == Measure.PROBE
            else found.session_schedule_days
        )
        days = int(goal.measure_settings.get("schedule_days") or days)
        return rules.Settings(found.consecutive_points, found.trend_min_points, days)

    def inputs(self, goal):
        """The rules' inputs for a goal: its points (from collect), phases and targets."""
        points = self._points if self._points is not None else self.points[goal.pk]
        correct = self.percent_correct.get(goal.lineage, {})
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
            for ph in sorted(goal.phases.all(), key=lambda ph: (ph.starts_on, ph.pk))
        ]
        targets = []
        for t in goal.targets.all():
            moves = self.state_changes.get(t.lineage, [])
            introduced = next((c.on for c in moves if c.to_state == "acquisition"), None)
            mastered = next((c.on for c in moves if c.to_state == "mastered"), None)
            if t.state == "acquisition" and introduced is None:
                introduced = t.state_since
            if t.state == "mastered" and mastered is None:
                mastered = t.state_since
            targets.append(
                rules.TargetInfo(
                    lineage=str(t.lineage),
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

    def run_rules(self, goal, today=None):
        """(evaluation, inputs) for a goal, without writing anything."""
        tz = ZoneInfo(goal.plan.learner.organization.time_zone)
        today = today or timezone.now().astimezone(tz).date()
        data, phases, targets = self.inputs(goal)
        ev = rules.evaluate(
            points=data,
            phases=phases,
            targets=targets,
            goal_value=goal.goal_value,
            goal_date=goal.goal_date,
            baseline_value=goal.baseline_value,
            settings=self.rule_settings(goal),
            today=today,
            data_expected_since=_expected_since(goal.plan, tz),
        )
        return ev, (data, phases, targets)

    def outcome(self, goal, now, today=None):
        """What evaluating the goal changes: (its status, new recommendations, changed ones,
        resolved ones). A new flag opens a recommendation (unless a decision already covered
        its data); a flag no longer raised closes its open one as "no longer indicated"."""
        learner = goal.plan.learner
        ev, _ = self.run_rules(goal, today)
        decided = self.decided_since[goal.lineage]
        flags = []
        for flag in ev.flags:
            key = (flag.kind, flag.target.lineage if flag.target else None)
            if key in decided and decided[key] >= flag.data_from:
                continue
            flags.append(flag)

        open_recs = dict(self.open_recommendations[goal.lineage])
        new, changed = [], []
        for flag in flags:
            target_id = flag.target.id if flag.target else None
            rec = open_recs.pop((flag.kind, target_id), None)
            if rec is None:
                new.append(
                    Recommendation(
                        goal=goal,
                        goal_lineage=goal.lineage,
                        learner=learner,
                        target_id=target_id,
                        kind=flag.kind,
                        explanation=flag.explanation,
                        evidence=flag.evidence,
                        raised_at=now,
                    )
                )
            elif rec.explanation != flag.explanation or rec.evidence != flag.evidence:
                rec.goal, rec.explanation, rec.evidence = goal, flag.explanation, flag.evidence
                changed.append(rec)
        resolved = list(open_recs.values())
        for rec in resolved:
            rec.status = Recommendation.Status.RESOLVED
            rec.decided_at = now
            rec.reason = "The data no longer meet this rule."

        kinds = {f.kind for f in flags}
        top = next((k for k in FLAG_ORDER if k in kinds), "")
        status = GoalStatus(
            goal=goal,
            learner=learner,
            organization=learner.organization,
            tier=goal.plan.tier,
            points=ev.points,
            latest_value=ev.latest_value,
            latest_date=ev.last_data_date if ev.latest_date is None else ev.latest_date,
            unit=unit_of(goal),
            trend_per_week=ev.trend_per_week,
            aim_per_week=ev.aim.slope_per_week if ev.aim else None,
            flag=top,
            flag_rank=FLAG_ORDER.index(top) if top else 99,
            explanation=next((f.explanation for f in flags if f.kind == top), ""),
            computed_at=now,
        )
        return status, new, changed, resolved


STATUS_FIELDS = [
    f.name for f in GoalStatus._meta.concrete_fields if f.name not in ("id", "goal")
]


@transaction.atomic
def _write(outcomes):
    """Every outcome's writes in one transaction, a few statements for all of them."""
    statuses, new, changed, resolved = [], [], [], []
    for status, *recs in outcomes:
        statuses.append(status)
        for rows, more in zip((new, changed, resolved), recs, strict=True):
            rows.extend(more)
    Recommendation.objects.bulk_update(resolved, ["status", "decided_at", "reason"])
    Recommendation.objects.bulk_update(changed, ["goal", "explanation", "evidence"])
    Recommendation.objects.bulk_create(new)
    return GoalStatus.objects.bulk_create(
        statuses, update_conflicts=True, unique_fields=["goal"], update_fields=STATUS_FIELDS
    )


def run_rules(goal, *, points=None, today=None):
    """(evaluation, inputs) for a goal, without writing anything."""
    return GoalBatch([goal], points=points).run_rules(goal, today)


def evaluate_goal(goal, *, today=None):
    """Recompute the goal's status and sync its open recommendations with the rules' flags
    (`GoalBatch.outcome`). Returns its GoalStatus."""
    batch = GoalBatch(_goals([goal.pk]))
    (status,) = _write([batch.outcome(batch.goals[0], timezone.now(), today)])
    return status


def evaluate_goals(goal_ids, *, today=None):
    """Evaluate these goals, their reads and writes together (`GoalBatch`); one goal's failure
    is logged and does not stop the others. Returns (evaluated, failed ids)."""
    batch = GoalBatch(_goals(goal_ids))
    now, outcomes, failed = timezone.now(), [], []
    for goal in batch.goals:
        try:
            outcomes.append(batch.outcome(goal, now, today))
        except Exception:  # noqa: BLE001 - a nightly run must reach every goal
            log.exception("Evaluating goal %s failed", goal.pk)
            failed.append(goal.pk)
    try:
        _write(outcomes)
    except Exception:  # noqa: BLE001 - one goal's conflicting write must not sink the batch
        log.exception("Writing a batch of %s goals failed; writing them one by one", len(outcomes))
        written = []
        for outcome in outcomes:
            try:
                _write([outcome])
                written.append(outcome)
            except Exception:  # noqa: BLE001
                log.exception("Writing goal %s failed", outcome[0].goal_id)
                failed.append(outcome[0].goal_id)
        outcomes = written
    return len(outcomes), failed


def drop_inactive_statuses():
    """The dashboard forgets goals no longer active (a plan ended, a learner left)."""
    GoalStatus.objects.exclude(goal__in=active_goals()).delete()


def evaluate_all(*, progress=None, every=500, today=None):
    """The nightly run in this process (`trellis monitor`; beat queues it as batched tasks):
    drop the statuses of goals no longer active, evaluate every active goal `every` at a time
    (telling `progress(done, total)` after each batch). Returns (evaluated, failed ids)."""
    drop_inactive_statuses()
    ids = list(active_goals().order_by("pk").values_list("pk", flat=True))
    done, failed = 0, []
    for start in range(0, len(ids), every):
        ok, bad = evaluate_goals(ids[start : start + every], today=today)
        done, failed = done + ok, failed + bad
        if progress:
            progress(done + len(failed), len(ids))
    return done, failed
