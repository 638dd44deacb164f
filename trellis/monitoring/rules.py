"""The decision rules for one goal, on plain data (no database): the NCII consecutive-points
and trend rules against the aim line (from `trellis.analysis.progress`), the mastery criterion
of each target in acquisition, and the data-gap rule.

`evaluate` is what `trellis.monitoring.status.evaluate_goal` calls with a goal's points; tests
call it with constructed points.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from trellis.analysis import progress
from trellis.analysis._base import AnalysisError

CHANGE = "change_intervention"
RAISE = "raise_goal"
ADVANCE = "advance_target"
GAP = "data_gap"


@dataclass(frozen=True)
class Point:
    date: dt.date
    value: float
    phase_id: int | None = None
    phase_kind: str | None = None
    phase_name: str | None = None
    session: str = ""
    target: str | None = None  # the target's lineage (None: the goal's own point)
    percent_correct: float | None = None


@dataclass(frozen=True)
class PhaseInfo:
    id: int | None
    kind: str
    name: str
    starts_on: dt.date


@dataclass(frozen=True)
class TargetInfo:
    lineage: str
    id: int | None
    name: str
    state: str
    state_since: dt.date | None = None
    mastery_percent: int = 80
    mastery_basis: str = "independent"
    mastery_sessions: int = 3
    introduced_on: dt.date | None = None
    mastered_on: dt.date | None = None

    @property
    def criterion(self):
        return (
            f"≥ {self.mastery_percent}% {self.mastery_basis} across "
            f"{self.mastery_sessions} consecutive sessions"
        )


@dataclass(frozen=True)
class Settings:
    consecutive_points: int = 4
    trend_min_points: int = 8
    schedule_days: int = 7


@dataclass
class FlagResult:
    kind: str
    explanation: str
    evidence: dict
    # The earliest date of the data the flag rests on: a supervisor's decision taken after it
    # covers this flag, which comes back only when newer data raises it again.
    data_from: dt.date
    target: TargetInfo | None = None


@dataclass
class Evaluation:
    flags: list[FlagResult] = field(default_factory=list)
    points: int = 0
    latest_value: float | None = None
    latest_date: dt.date | None = None
    last_data_date: dt.date | None = None
    trend: progress.Line | None = None  # OLS on calendar day (ordinal) in the current phase
    trend_per_week: float | None = None
    trend_dates: tuple[dt.date, dt.date] | None = None
    aim: progress.AimLine | None = None
    aim_problem: str | None = None
    decisions: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _iso(d):
    return d.isoformat() if d else None


def baseline_points(points, baseline_value, phases):
    """Baseline data for the aim line: the goal's points in baseline phases; without any, the
    baseline value written in the plan, placed where the intervention began (or at the first
    data point)."""
    base = [(p.date, p.value) for p in points if p.phase_kind == "baseline"]
    if base or baseline_value is None:
        return base
    starts = [ph.starts_on for ph in phases if ph.kind != "baseline"]
    when = min(starts) if starts else (points[0].date if points else None)
    return [(when, float(baseline_value))] if when else []


def current_phase_points(points):
    """The goal's points in the phase of its latest point (data paths restart at a phase
    change, and so do the decision rules)."""
    if not points:
        return []
    last = points[-1].phase_id
    run = []
    for p in reversed(points):
        if p.phase_id != last:
            break
        run.append(p)
    return run[::-1]


def evaluate(
    *,
    points: list[Point],
    phases: list[PhaseInfo],
    targets: list[TargetInfo],
    goal_value: float | None,
    goal_date: dt.date | None,
    baseline_value: float | None,
    settings: Settings,
    today: dt.date,
    data_expected_since: dt.date | None = None,
) -> Evaluation:
    """Run every rule on one goal's points (time order; goal points have target None)."""
    ev = Evaluation()
    points = sorted(points, key=lambda p: p.date)
    own = [p for p in points if p.target is None]
    ev.points = len(own)
    if own:
        ev.latest_value, ev.latest_date = own[-1].value, own[-1].date
    if points:
        ev.last_data_date = points[-1].date

    phase_run = current_phase_points(own)
    if len({p.date for p in phase_run}) >= 2:
        ev.trend = progress.ols_trend(
            [p.date.toordinal() for p in phase_run], [p.value for p in phase_run]
        )
        ev.trend_per_week = ev.trend.slope * 7
        ev.trend_dates = (phase_run[0].date, phase_run[-1].date)

    _aim_rules(ev, own, phase_run, phases, goal_value, goal_date, baseline_value, settings)
    _mastery_rule(ev, points, targets)
    _gap_rule(ev, settings, today, data_expected_since)
    return ev


def _aim_rules(ev, own, phase_run, phases, goal_value, goal_date, baseline_value, settings):
    if goal_value is None or goal_date is None:
        ev.aim_problem = "The goal has no goal value and date, so there is no aim line."
        return
    base = baseline_points(own, baseline_value, phases)
    try:
        ev.aim = progress.aim_line(base, goal_value, goal_date)
    except AnalysisError as error:
        ev.aim_problem = str(error)
        return
    if not phase_run or phase_run[-1].phase_kind == "baseline":
        ev.notes.append("The goal is in baseline; the decision rules start with intervention.")
        return
    progress_pts = [(p.date, p.value) for p in phase_run]
    n = settings.consecutive_points
    consecutive = progress.decision(progress_pts, ev.aim, rule="consecutive", n=n)
    trend = progress.decision(
        progress_pts, ev.aim, rule="trend", min_points=settings.trend_min_points
    )
    ev.decisions = {"consecutive": consecutive, "trend": trend}
    dates = [d for d, _ in progress_pts]
    raised = {}
    if consecutive.code in (CHANGE, RAISE):
        raised[consecutive.code] = FlagResult(
            consecutive.code,
            consecutive.explanation,
            {
                "rule": "consecutive",
                "dates": [_iso(d) for d in dates[-n:]],
                **consecutive.details,
            },
            data_from=dates[-n],
        )
    if trend.code in (CHANGE, RAISE):
        since = dates[-max(settings.trend_min_points, 2)]
        evidence = {"rule": "trend", "since": _iso(dates[0]), **trend.details}
        other = raised.pop(CHANGE if trend.code == RAISE else RAISE, None)
        text = trend.explanation
        if other is not None:
            # The rules disagree: with enough points the trend rule is the more reliable one
            # (NCII), so it wins and the disagreement is said.
            text += f" (The {n}-point rule disagrees: {other.explanation})"
        if trend.code in raised:
            mine = raised[trend.code]
            mine.explanation += " " + text
            mine.evidence = {"consecutive": mine.evidence, "trend": evidence}
            mine.data_from = max(mine.data_from, since)
        else:
            raised[trend.code] = FlagResult(trend.code, text, evidence, data_from=since)
    ev.flags.extend(raised.values())


def _mastery_rule(ev, points, targets):
    for target in targets:
        if target.state != "acquisition":
            continue
        mine = [p for p in points if p.target == target.lineage]
        if target.state_since:
            mine = [p for p in mine if p.date >= target.state_since]
        n = target.mastery_sessions
        if len(mine) < n:
            continue
        last = mine[-n:]
        if target.mastery_basis == "correct":
            values = [p.percent_correct for p in last]
        else:
            values = [p.value for p in last]
        if any(v is None for v in values) or not all(v >= target.mastery_percent for v in values):
            continue
        shown = ", ".join(f"{v:.0f}%" for v in values)
        ev.flags.append(
            FlagResult(
                ADVANCE,
                f"{target.name}: {shown} {target.mastery_basis} in the last {n} sessions "
                f"meets the mastery criterion ({target.criterion}). Advance the target.",
                {
                    "target": target.name,
                    "values": values,
                    "dates": [_iso(p.date) for p in last],
                    "criterion": target.criterion,
                },
                data_from=last[0].date,
                target=target,
            )
        )


def _gap_rule(ev, settings, today, expected_since):
    since = ev.last_data_date or expected_since
    if since is None:
        return
    days = (today - since).days
    if days > settings.schedule_days:
        what = (
            f"The last data point is from {since:%b %-d, %Y}"
            if ev.last_data_date
            else f"No data has been recorded since the plan began on {since:%b %-d, %Y}"
        )
        ev.flags.append(
            FlagResult(
                GAP,
                f"{what}, {days} days ago; this measure is expected at least every "
                f"{settings.schedule_days} days.",
                {"last_data": _iso(ev.last_data_date), "days": days},
                data_from=since,
            )
        )
