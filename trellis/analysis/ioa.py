"""Interobserver agreement (IOA) for two observers' records of the same session.

Formulas: Cooper, Heron & Heward (2020), *Applied Behavior Analysis* (3rd ed.), ch. 5, and
Reed & Azulay (2011), "A Microsoft Excel 2010 based tool for calculating interobserver
agreement", *Behavior Analysis in Practice*, 4(2), 45-52. Every function returns a
percentage 0-100.

Conventions (one rule for all functions):

* When both observers record zero (no responses, no duration) in a session, interval or
  occurrence, that is agreement (100 %), as in Reed & Azulay's worked example where minutes
  with no response from either observer count as 100 % agreement.
* When no interval qualifies for the chosen method (scored-interval IOA with no interval
  scored by either observer, unscored-interval IOA with none unscored), the function raises
  :class:`AnalysisError` saying so, rather than dividing by zero.
* Records of unequal length, empty records, negative values and NaN raise
  :class:`AnalysisError`.
"""

from __future__ import annotations

import math

import numpy as np

from ._base import AnalysisError, phase

__all__ = [
    "exact_count_per_interval",
    "interval_by_interval",
    "mean_count_per_interval",
    "mean_duration_per_occurrence",
    "scored_interval",
    "total_count",
    "total_duration",
    "trial_by_trial",
    "unscored_interval",
]


def _pair(r1, r2, what: str) -> tuple[np.ndarray, np.ndarray]:
    a = phase(r1, f"Observer 1's {what}")
    b = phase(r2, f"Observer 2's {what}")
    if a.size != b.size:
        raise AnalysisError(
            f"The two observers' {what} have different lengths ({a.size} and {b.size}); "
            "they must cover the same intervals, trials or occurrences."
        )
    if (a < 0).any() or (b < 0).any():
        raise AnalysisError(f"The {what} cannot contain negative values.")
    return a, b


def _totals(x, what: str) -> float:
    values = phase(np.atleast_1d(np.asarray(x, dtype=float)), f"An observer's {what}")
    if (values < 0).any():
        raise AnalysisError(f"The {what} cannot be negative.")
    return float(values.sum())


def _smaller_over_larger(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per element smaller / larger, with both zero counted as full agreement (1)."""
    hi = np.maximum(a, b)
    return np.divide(np.minimum(a, b), hi, out=np.ones_like(hi), where=hi > 0)


def total_count(c1, c2) -> float:
    """Total count IOA = smaller total / larger total x 100 (CHH ch. 5). Each argument is a
    session total or the per-interval counts (summed). Both totals 0 gives 100."""
    a, b = _totals(c1, "count"), _totals(c2, "count")
    return 100.0 * float(_smaller_over_larger(np.array([a]), np.array([b]))[0])


def mean_count_per_interval(c1, c2) -> float:
    """Mean count-per-interval IOA (block-by-block; Reed & Azulay's partial agreement within
    intervals): mean over intervals of smaller / larger count x 100; an interval where both
    count 0 scores 100 %."""
    a, b = _pair(c1, c2, "interval counts")
    return 100.0 * float(_smaller_over_larger(a, b).mean())


def exact_count_per_interval(c1, c2) -> float:
    """Exact count-per-interval IOA = intervals with identical counts / intervals x 100."""
    a, b = _pair(c1, c2, "interval counts")
    return 100.0 * float(np.mean(a == b))


def trial_by_trial(t1, t2) -> float:
    """Trial-by-trial IOA = trials scored the same / trials x 100. Trial records may be any
    comparable labels (e.g. "correct"/"incorrect", 1/0)."""
    a, b = list(t1), list(t2)
    if not a or not b:
        raise AnalysisError("Each observer must record at least one trial.")
    if len(a) != len(b):
        raise AnalysisError(
            f"The two observers recorded different numbers of trials ({len(a)} and {len(b)})."
        )
    for t in (*a, *b):
        if t is None or (isinstance(t, float) and math.isnan(t)):
            raise AnalysisError("A trial record is missing; every trial needs a score.")
    return 100.0 * sum(x == y for x, y in zip(a, b, strict=True)) / len(a)


def total_duration(d1, d2) -> float:
    """Total duration IOA = shorter total / longer total x 100 (CHH ch. 5). Each argument
    is a total duration or the occurrence durations (summed). Both 0 gives 100."""
    a, b = _totals(d1, "duration"), _totals(d2, "duration")
    return 100.0 * float(_smaller_over_larger(np.array([a]), np.array([b]))[0])


def mean_duration_per_occurrence(d1, d2) -> float:
    """Mean duration-per-occurrence IOA: for each paired occurrence shorter / longer, then
    the mean x 100 (CHH ch. 5)."""
    a, b = _pair(d1, d2, "occurrence durations")
    return 100.0 * float(_smaller_over_larger(a, b).mean())


def _intervals(i1, i2) -> tuple[np.ndarray, np.ndarray]:
    a, b = _pair(i1, i2, "interval records")
    if not np.isin(a, (0, 1)).all() or not np.isin(b, (0, 1)).all():
        raise AnalysisError("Interval records must be 1 (scored) or 0 (not scored).")
    return a.astype(bool), b.astype(bool)


def interval_by_interval(i1, i2) -> float:
    """Interval-by-interval IOA = agreements (both scored or both unscored) / intervals x 100
    (CHH ch. 5)."""
    a, b = _intervals(i1, i2)
    return 100.0 * float(np.mean(a == b))


def scored_interval(i1, i2) -> float:
    """Scored-interval IOA: among intervals in which either observer scored the behavior,
    the share both scored x 100 (CHH ch. 5; recommended for low-rate behavior). Raises
    :class:`AnalysisError` when neither observer scored any interval."""
    a, b = _intervals(i1, i2)
    either = a | b
    if not either.any():
        raise AnalysisError(
            "Neither observer scored any interval, so scored-interval IOA is not defined; "
            "report interval-by-interval or unscored-interval IOA instead."
        )
    return 100.0 * float(np.count_nonzero(a & b) / np.count_nonzero(either))


def unscored_interval(i1, i2) -> float:
    """Unscored-interval IOA: among intervals in which either observer recorded no behavior,
    the share both left unscored x 100 (CHH ch. 5; recommended for high-rate behavior).
    Raises :class:`AnalysisError` when both observers scored every interval."""
    a, b = _intervals(i1, i2)
    either = ~a | ~b
    if not either.any():
        raise AnalysisError(
            "Both observers scored every interval, so unscored-interval IOA is not defined; "
            "report interval-by-interval or scored-interval IOA instead."
        )
    return 100.0 * float(np.count_nonzero(~a & ~b) / np.count_nonzero(either))
