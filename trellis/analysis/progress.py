"""Progress monitoring: trend lines, aim lines and decision rules, celeration, split-middle
and the conservative dual criterion.

Sources: National Center on Intensive Intervention (NCII), "Using academic progress
monitoring for individualized instructional planning" (data decision rules: four
consecutive points / trend line vs. goal line); Pennypacker, Gutierrez & Lindsley (2003),
*Handbook of the Standard Celeration Chart*; White & Haring (1980), *Exceptional Teaching*
(split-middle); Fisher, Kelley & Lomas (2003), JABA 36, 387-406 (CDC), as implemented in
the R package scan (``cdc``).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from ._base import AnalysisError, phase

__all__ = [
    "AimLine",
    "CDCResult",
    "Celeration",
    "Decision",
    "Line",
    "aim_line",
    "cdc",
    "celeration",
    "cdc_required",
    "decision",
    "ols_trend",
    "rate_of_improvement",
    "split_middle",
]


@dataclass(frozen=True)
class Line:
    """A straight line ``y = intercept + slope * x``."""

    slope: float
    intercept: float

    def at(self, x: float) -> float:
        return self.intercept + self.slope * x


def ols_trend(x, y) -> Line:
    """Ordinary least-squares line of ``y`` on ``x``. Needs 2+ points with distinct x."""
    xs = phase(x, "x", min_points=2)
    ys = phase(y, "y", min_points=2)
    if xs.size != ys.size:
        raise AnalysisError(f"x and y have different lengths ({xs.size} and {ys.size}).")
    if np.ptp(xs) == 0:
        raise AnalysisError("A trend needs points on at least two different occasions.")
    slope, intercept = np.polyfit(xs, ys, 1)
    return Line(float(slope), float(intercept))


def _days(dates: Sequence[dt.date]) -> np.ndarray:
    try:
        return np.array([d.toordinal() for d in dates], dtype=float)
    except AttributeError as exc:
        raise AnalysisError("Dates must be calendar dates.") from exc


def rate_of_improvement(dates: Sequence[dt.date], scores) -> float:
    """Rate of improvement per week: the OLS slope of score on calendar day, times 7
    (NCII; Shinn, 1989 for CBM). Needs 2+ scores on 2+ different dates."""
    return ols_trend(_days(dates), scores).slope * 7


@dataclass(frozen=True)
class AimLine:
    """Aim (goal) line from the baseline median at the middle baseline date to the goal."""

    start_date: dt.date
    start_day: float
    start_value: float
    goal_date: dt.date
    goal_value: float

    @property
    def slope_per_day(self) -> float:
        return (self.goal_value - self.start_value) / (self.goal_date.toordinal() - self.start_day)

    @property
    def slope_per_week(self) -> float:
        return self.slope_per_day * 7

    @property
    def increase(self) -> bool:
        """True when the goal is above the baseline median (improvement is an increase)."""
        return self.goal_value > self.start_value

    def value_at(self, date: dt.date) -> float:
        return self.start_value + self.slope_per_day * (date.toordinal() - self.start_day)


def aim_line(baseline_points, goal_value: float, goal_date: dt.date) -> AimLine:
    """Aim line (NCII): starts at the median baseline score placed at the middle baseline
    date (the median date; with an even number of dates, midway between the two middle
    ones) and ends at ``goal_value`` on ``goal_date``. A goal below the baseline median
    means the goal is a decrease. Raises :class:`AnalysisError` without baseline points,
    with a goal date not after the middle baseline date, or a goal equal to the median
    (no direction)."""
    pts = list(baseline_points)
    if not pts:
        raise AnalysisError("An aim line needs at least one baseline data point.")
    days = _days([d for d, _ in pts])
    values = phase([v for _, v in pts], "The baseline")
    mid_day = float(np.median(days))
    start = float(np.median(values))
    if goal_date.toordinal() <= mid_day:
        raise AnalysisError("The goal date must be after the middle of the baseline.")
    if not math.isfinite(goal_value) or goal_value == start:
        raise AnalysisError(
            "The goal equals the baseline median, so the aim line has no direction."
        )
    return AimLine(dt.date.fromordinal(int(mid_day)), mid_day, start, goal_date, float(goal_value))


@dataclass(frozen=True)
class Decision:
    """A data decision: ``code`` is one of "change_intervention", "raise_goal",
    "continue", "insufficient_data"; ``explanation`` says why in words."""

    code: str
    explanation: str
    details: dict


# The advice when the data beat the aim line, in the goal's direction: a more ambitious goal
# is a higher one for an increase and a lower one for a reduction goal.
_AMBITIOUS = {
    True: "Raise the goal.",
    False: "Lower the goal (set a more ambitious reduction target).",
}


def decision(
    points, aim: AimLine, *, rule="consecutive", n=4, min_points=None, confidence=0.95
) -> Decision:
    """NCII data decision rules against an aim line. ``points`` are (date, score) pairs in
    time order since the intervention (or goal) began.

    ``rule="consecutive"``: look at the last ``n`` points (NCII: four). All of them worse
    than the aim line (below it for an increase goal, above it for a decrease goal) ->
    change the intervention; all better -> a more ambitious goal (code "raise_goal"; the words
    say "raise" or, for a decrease goal, "lower"); otherwise continue. A point
    exactly on the line is neither. ``min_points`` defaults to ``n``.

    ``rule="trend"``: with at least ``min_points`` (default 8, NCII) points, compare the
    OLS trend slope per week with the aim-line slope: flatter (in the goal's direction) ->
    change the intervention, steeper -> raise the goal, "fairly equal" -> continue. NCII leaves
    "fairly equal" to the eye; here it is made testable: the aim slope lies inside the
    ``confidence`` interval of the trend slope (t distribution, n - 2 degrees of freedom), i.e.
    the data cannot tell the two apart. ``confidence=None`` compares the slopes exactly.
    """
    pts = list(points)
    dates = [d for d, _ in pts]
    values = phase([v for _, v in pts], "The progress data", min_points=0)
    sign = 1.0 if aim.increase else -1.0
    better_word, worse_word = ("above", "below") if aim.increase else ("below", "above")
    if rule == "consecutive":
        if n < 1:
            raise AnalysisError("n must be at least 1.")
        need = n if min_points is None else max(min_points, n)
        if values.size < need:
            return Decision(
                "insufficient_data",
                f"{values.size} data point(s) since the goal was set; the {n}-point rule "
                f"needs at least {need}. Keep collecting data.",
                {"points": int(values.size), "needed": need},
            )
        last = values[-n:]
        aims = np.array([aim.value_at(d) for d in dates[-n:]])
        diff = sign * (last - aims)
        details = {"last_points": last.tolist(), "aim_values": aims.tolist()}
        if (diff < 0).all():
            return Decision(
                "change_intervention",
                f"The last {n} data points are all {worse_word} the aim line: the student is "
                "not on track to meet the goal. Change the intervention.",
                details,
            )
        if (diff > 0).all():
            return Decision(
                "raise_goal",
                f"The last {n} data points are all {better_word} the aim line: the student "
                f"is progressing faster than planned. {_AMBITIOUS[aim.increase]}",
                details,
            )
        return Decision(
            "continue",
            f"The last {n} data points are not all on one side of the aim line. Continue the "
            "intervention and keep monitoring.",
            details,
        )
    if rule == "trend":
        need = 8 if min_points is None else min_points
        if values.size < max(need, 2):
            return Decision(
                "insufficient_data",
                f"{values.size} data point(s) since the goal was set; the trend rule needs at "
                f"least {max(need, 2)}. Keep collecting data.",
                {"points": int(values.size), "needed": max(need, 2)},
            )
        trend = rate_of_improvement(dates, values)
        margin = _slope_margin_per_week(dates, values, confidence)
        details = {
            "trend_per_week": trend,
            "aim_per_week": aim.slope_per_week,
            "trend_margin_per_week": margin,
        }
        gap = sign * (trend - aim.slope_per_week)
        if math.isclose(trend, aim.slope_per_week, rel_tol=1e-9, abs_tol=1e-12):
            code, words = "continue", "matches the aim line. Continue the intervention."
        elif abs(gap) <= margin:
            code, words = (
                "continue",
                (
                    f"is within ±{margin:.2f} per week ({confidence:.0%} confidence) of the aim "
                    "line: on track. Continue the intervention."
                ),
            )
        elif gap < 0:
            slower = (
                "is flatter than the aim line"
                if aim.increase
                else "is decreasing more slowly than the aim line"
            )
            code, words = (
                "change_intervention",
                f"{slower}: the goal will not be met at this rate. Change the intervention.",
            )
        else:
            faster = (
                "is steeper than the aim line"
                if aim.increase
                else "is decreasing faster than the aim line"
            )
            code, words = (
                "raise_goal",
                f"{faster}: the goal will be met early. {_AMBITIOUS[aim.increase]}",
            )
        return Decision(
            code,
            f"The trend ({trend:+.2f} per week) {words} (aim line {aim.slope_per_week:+.2f} "
            "per week.)",
            details,
        )
    raise AnalysisError('rule must be "consecutive" or "trend".')


def _slope_margin_per_week(dates, values, confidence) -> float:
    """Half-width of the confidence interval of the OLS slope, per week (0 when exact)."""
    if confidence is None or values.size < 3:
        return 0.0
    x = np.asarray(_days(dates), dtype=float) / 7
    sxx = float(((x - x.mean()) ** 2).sum())
    if sxx == 0:
        return 0.0
    fit = ols_trend(x, values)
    residuals = values - (fit.intercept + fit.slope * x)
    se = math.sqrt(float((residuals**2).sum()) / (values.size - 2) / sxx)
    return float(stats.t.ppf(0.5 + confidence / 2, values.size - 2) * se)


@dataclass(frozen=True)
class Celeration:
    """Weekly celeration and total bounce on a standard celeration chart.

    ``celeration`` and ``bounce`` are multiplicative factors (>= 1 means x, < 1 means /);
    ``label`` / ``bounce_label`` render them as chart users write them ("x1.25", "/1.4")."""

    celeration: float
    bounce: float
    slope_log10_per_day: float
    intercept_log10: float
    floored: int

    @staticmethod
    def _fmt(f: float) -> str:
        return f"\u00d7{f:.2f}" if f >= 1 else f"\u00f7{1 / f:.2f}"

    @property
    def label(self) -> str:
        return self._fmt(self.celeration)

    @property
    def bounce_label(self) -> str:
        return self._fmt(self.bounce)


def celeration(dates: Sequence[dt.date], counts, *, per_minutes) -> Celeration:
    """Weekly celeration and bounce (Pennypacker, Gutierrez & Lindsley, 2003).

    Rate per minute = count / ``per_minutes`` (a number or one per record). A least-squares
    line is fitted to log10(rate) against calendar day; celeration = 10^(7 * slope), the
    x/÷ change per week. Bounce is the total bounce envelope: 10^(max residual - min
    residual), the x factor between lines parallel to the celeration line through the
    highest and the lowest point. Zero counts are plotted at the record (counting-time)
    floor, 1 / ``per_minutes`` per minute (the rate of one response in that time), as on
    the chart; ``floored`` says how many points were. Needs 2+ dates.
    """
    days = _days(dates)
    c = phase(counts, "The counts", min_points=2)
    if c.size != days.size:
        raise AnalysisError("There must be one count per date.")
    if (c < 0).any():
        raise AnalysisError("Counts cannot be negative.")
    minutes = np.broadcast_to(np.asarray(per_minutes, dtype=float), c.shape)
    if not (minutes > 0).all():
        raise AnalysisError("Observation times (per_minutes) must be positive.")
    floored = int(np.count_nonzero(c == 0))
    rate = np.where(c > 0, c, 1.0) / minutes
    line = ols_trend(days - days.min(), np.log10(rate))
    resid = np.log10(rate) - line.at(days - days.min())
    return Celeration(
        celeration=float(10 ** (7 * line.slope)),
        bounce=float(10 ** (resid.max() - resid.min())),
        slope_log10_per_day=line.slope,
        intercept_log10=line.intercept,
        floored=floored,
    )


def _halves(n: int, parts: int) -> tuple[slice, slice]:
    """First and last part of n sessions, as scan's bi-/tri-split (middle point dropped)."""
    first = slice(0, n // parts)
    last = slice(math.ceil(n / parts * (parts - 1) + 1) - 1, n)
    return first, last


def _split_line(x: np.ndarray, y: np.ndarray, parts: int) -> Line:
    first, last = _halves(x.size, parts)
    x1, y1 = np.median(x[first]), np.median(y[first])
    x2, y2 = np.median(x[last]), np.median(y[last])
    slope = (y2 - y1) / (x2 - x1)
    return Line(float(slope), float(y1 - slope * x1))


def split_middle(y) -> Line:
    """Split-middle line (White & Haring, 1980; quarter-intersect of Koenig): the series
    (sessions 1..n) is split in half, a middle point of an odd series dropped; the line joins
    (median session, median score) of each half and is then slid parallel so that half the
    points lie on or above it and half on or below (intercept = median residual).
    Needs 2+ points."""
    ys = phase(y, "The series", min_points=2)
    x = np.arange(1, ys.size + 1, dtype=float)
    quarter = _split_line(x, ys, 2)
    return Line(quarter.slope, float(np.median(ys - quarter.slope * x)))


def cdc_required(n_b: int, alpha: float = 0.05) -> int | None:
    """Fewest of ``n_b`` treatment points that must fall beyond both lines for a one-sided
    binomial test (p = .5) below ``alpha`` (the table in Fisher et al., 2003); None when even
    all points would not suffice (fewer than 5 points)."""
    k = np.arange(n_b + 1)
    ok = stats.binom.sf(k - 1, n_b, 0.5) < alpha
    return int(k[ok][0]) if ok.any() else None


@dataclass(frozen=True)
class CDCResult:
    """Conservative dual-criterion result: ``exceeding`` treatment points beyond both
    shifted lines, ``required`` for a systematic change, ``n_b`` treatment points,
    ``p_value`` of the binomial test and ``systematic``."""

    exceeding: int
    required: int | None
    n_b: int
    p_value: float
    systematic: bool
    trend: Line
    mean_line: float
    shift: float


def cdc(
    A, B, *, increase=True, trend_method="ols", conservative_sd=0.25, A_session=None, B_session=None
) -> CDCResult:
    """Conservative dual criterion (Fisher, Kelley & Lomas, 2003) as scan ``cdc``.

    The baseline mean line and trend line (``"ols"``, ``"bisplit"`` Koenig split-middle or
    ``"trisplit"`` Tukey) are shifted by ``conservative_sd`` baseline SDs in the expected
    direction (0 gives the plain dual criterion); a treatment point counts when it is beyond
    both. The change is systematic when a one-sided binomial test (p = .5) gives p < .05.
    Sessions default to 1..m and m+1..m+n. Bi-/tri-split need 5+ points per phase (scan);
    OLS needs 2+ baseline points.
    """
    a = phase(A, "The baseline phase (A)", min_points=2)
    b = phase(B, "The treatment phase (B)")
    xa = (
        np.arange(1, a.size + 1, dtype=float)
        if A_session is None
        else phase(A_session, "A_session")
    )
    xb = (
        np.arange(a.size + 1, a.size + b.size + 1, dtype=float)
        if B_session is None
        else phase(B_session, "B_session")
    )
    if xa.size != a.size or xb.size != b.size:
        raise AnalysisError("There must be one session number per data point.")
    if trend_method == "ols":
        trend = ols_trend(xa, a)
    elif trend_method in ("bisplit", "trisplit"):
        if a.size < 5 or b.size < 5:
            raise AnalysisError(
                "The split-middle trend lines need at least five data points in each phase."
            )
        trend = _split_line(xa, a, 2 if trend_method == "bisplit" else 3)
    else:
        raise AnalysisError('trend_method must be "ols", "bisplit" or "trisplit".')
    if not 0 <= conservative_sd <= 1:
        raise AnalysisError("conservative_sd must be between 0 and 1.")
    shift = conservative_sd * float(np.std(a, ddof=1))
    mean = float(a.mean())
    if increase:
        beyond = (b > trend.at(xb) + shift) & (b > mean + shift)
    else:
        beyond = (b < trend.at(xb) - shift) & (b < mean - shift)
    k = int(beyond.sum())
    p = float(stats.binom.sf(k - 1, b.size, 0.5))
    return CDCResult(k, cdc_required(b.size), b.size, p, p < 0.05, trend, mean, shift)
