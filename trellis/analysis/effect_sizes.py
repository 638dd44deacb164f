"""Single-case effect sizes, ported from the R package SingleCaseES (Pustejovsky, Chen,
Grekov & Swan; https://github.com/jepusto/SingleCaseES, ``R/non-overlap-measures.R`` and
``R/parametric-measures.R``) so that published examples carry over one to one.

``A`` is the baseline phase and ``B`` the treatment phase, each a sequence of numbers in
session order. ``increase`` says whether therapeutic improvement is an increase (SingleCaseES
``improvement = "increase"``) or a decrease. Non-overlap indices are proportions 0-1.

Edge cases (documented per function): an empty phase, NaN or infinity raises
:class:`AnalysisError`; a value the data cannot support (log of a zero mean without
truncation information, an SMD with no baseline variation, ...) comes back as an
``EffectSize`` with ``undefined=True`` and a ``reason``; a standard error the data cannot
support (e.g. one-point phases) is None with the ``reason`` saying why.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
from scipy import stats

from ._base import AnalysisError, finite, phase

__all__ = [
    "EffectSize",
    "PercentChange",
    "TauURow",
    "ird",
    "lor",
    "lrm",
    "lrrd",
    "lrri",
    "nap",
    "pand",
    "pem",
    "pnd",
    "pogo",
    "smd",
    "tau",
    "tau_bc",
    "tau_u",
    "tau_u_table",
]


class PercentChange(NamedTuple):
    """Percent change implied by a log response ratio, with its confidence interval."""

    estimate: float
    ci_low: float | None
    ci_high: float | None


@dataclass(frozen=True)
class EffectSize:
    """One effect size estimate, as a row of SingleCaseES output.

    ``reason`` explains an undefined estimate, or (when ``undefined`` is False) why ``se``
    is missing. ``sd`` is the standard deviation used by :func:`smd`; ``details`` holds
    method-specific extras (e.g. the baseline slope and intercept of :func:`tau_bc`).
    """

    name: str
    estimate: float | None
    se: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    undefined: bool = False
    reason: str | None = None
    sd: float | None = None
    details: dict = field(default_factory=dict)

    def pct_change(self) -> PercentChange:
        """Percent change ``100 * (exp(LRR) - 1)`` and its interval (SingleCaseES
        ``pct_change = TRUE``); only for LRRi / LRRd."""
        if self.name not in ("LRRi", "LRRd"):
            raise AnalysisError("Percent change is only defined for a log response ratio.")
        if self.undefined or self.estimate is None:
            raise AnalysisError(f"No percent change: {self.reason}")

        def pct(x: float | None) -> float | None:
            return None if x is None else 100.0 * math.expm1(x)

        return PercentChange(pct(self.estimate), pct(self.ci_low), pct(self.ci_high))


def _undefined(name: str, reason: str) -> EffectSize:
    return EffectSize(name=name, estimate=None, undefined=True, reason=reason)


def _z(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise AnalysisError("The confidence level must be between 0 and 1 (e.g. 0.95).")
    return float(stats.norm.ppf(1 - (1 - confidence) / 2))


def _phases(A, B, increase: bool, *, min_a: int = 1, min_b: int = 1):
    a = phase(A, "The baseline phase (A)", min_points=min_a)
    b = phase(B, "The treatment phase (B)", min_points=min_b)
    return (a, b) if increase else (-a, -b)


def _ab_counts(a: np.ndarray, b: np.ndarray):
    """For every B value: number of A values below and tied; for every A value: number of B
    values above and tied. O((m + n) log(m + n)) via sorting instead of an m x n matrix."""
    sa, sb = np.sort(a), np.sort(b)
    a_below = np.searchsorted(sa, b, side="left")
    a_tied = np.searchsorted(sa, b, side="right") - a_below
    b_above = b.size - np.searchsorted(sb, a, side="right")
    b_tied = np.searchsorted(sb, a, side="right") - np.searchsorted(sb, a, side="left")
    return a_below, a_tied, b_above, b_tied


def _trend_counts(x: np.ndarray) -> tuple[int, int, int]:
    """Pairs i < j of a series in time order: (later higher, later lower, tied)."""
    if x.size < 2:
        return 0, 0, 0
    pos = int(np.count_nonzero(np.triu(x[:, None] < x[None, :], 1)))
    neg = int(np.count_nonzero(np.triu(x[:, None] > x[None, :], 1)))
    return pos, neg, x.size * (x.size - 1) // 2 - pos - neg


# --------------------------------------------------------------------------- non-overlap


_R_UNIROOT_TOL = np.finfo(float).eps ** 0.25


def _r_uniroot(f, lower: float, upper: float, tol: float = _R_UNIROOT_TOL) -> float:
    """Brent's zero finder exactly as R's ``uniroot`` (``R_zeroin2``, default tolerance
    eps^0.25), so NAP intervals agree with SingleCaseES digit for digit (R stops within
    ~1e-4 of the exact root, and the published numbers carry that)."""
    eps = np.finfo(float).eps
    a, b = lower, upper
    fa, fb = float(f(a)), float(f(b))
    if fa == 0:
        return a
    if fb == 0:
        return b
    c, fc = a, fa
    for _ in range(1001):
        prev_step = b - a
        if abs(fc) < abs(fb):
            a, b, c = b, c, b
            fa, fb, fc = fb, fc, fb
        tol_act = 2 * eps * abs(b) + tol / 2
        new_step = (c - b) / 2
        if abs(new_step) <= tol_act or fb == 0:
            return b
        if abs(prev_step) >= tol_act and abs(fa) > abs(fb):
            cb = c - b
            if a == c:
                t1 = fb / fa
                p, q = cb * t1, 1.0 - t1
            else:
                q, t1, t2 = fa / fc, fb / fc, fb / fa
                p = t2 * (cb * q * (q - t1) - (b - a) * (t1 - 1.0))
                q = (q - 1.0) * (t1 - 1.0) * (t2 - 1.0)
            if p > 0:
                q = -q
            else:
                p = -p
            if p < 0.75 * cb * q - abs(tol_act * q) / 2 and p < abs(prev_step * q / 2):
                new_step = p / q
        if abs(new_step) < tol_act:
            new_step = tol_act if new_step > 0 else -tol_act
        a, fa = b, fb
        b += new_step
        fb = float(f(b))
        if (fb > 0 and fc > 0) or (fb < 0 and fc < 0):
            c, fc = a, fa
    return b


def nap(A, B, *, increase=True, se_method="unbiased", confidence=0.95) -> EffectSize:
    """Non-overlap of all pairs (Parker & Vannest, 2009): share of (A, B) pairs in which B
    improves on A, ties counting 1/2.

    Standard errors as SingleCaseES ``calc_NAP``: ``"unbiased"`` (Sen, 1967; Mee, 1990),
    ``"hanley"`` (Hanley & McNeil, 1982) or ``"null"`` ((m + n + 1) / 12mn), with NAP
    truncated to [1/2mn, 1 - 1/2mn] inside the variance. Confidence interval: Newcombe (2006)
    method 5 (symmetrized score inversion), as SingleCaseES; it is [1, 1] when NAP = 1.
    A one-point phase gives no unbiased SE (division by zero in R) but a defined estimate.
    """
    a, b = _phases(A, B, increase)
    m, n = a.size, b.size
    a_below, a_tied, b_above, b_tied = _ab_counts(a, b)
    greater, ties = int(a_below.sum()), int(a_tied.sum())
    est = (greater + 0.5 * ties) / (m * n)

    method = se_method.lower()
    row = b_above + 0.5 * b_tied  # per A value, sum over B
    col = a_below + 0.5 * a_tied  # per B value, sum over A
    q1 = float(np.sum((row - n * est) ** 2)) / (m * n**2)
    q2 = float(np.sum((col - m * est) ** 2)) / (m**2 * n)
    trunc = 0.5 / (m * n)
    est_t = min(max(est, trunc), 1 - trunc)
    reason = None
    if method == "unbiased":
        x = (greater + 0.25 * ties) / (m * n) - est**2
        if m < 2 or n < 2:
            var, reason = math.inf, "The unbiased standard error needs 2 or more points per phase."
        else:
            var = (est_t * (1 - est_t) + n * q1 + m * q2 - 2 * x) / ((m - 1) * (n - 1))
    elif method == "hanley":
        var = (est_t * (1 - est_t) + (n - 1) * q1 + (m - 1) * q2) / (m * n)
    elif method == "null":
        var = (m + n + 1) / (12 * m * n)
    else:
        raise AnalysisError('se_method must be "unbiased", "hanley" or "null".')
    se = finite(math.sqrt(var)) if var >= 0 else None

    z = _z(confidence)
    h = (m + n) / 2 - 1

    def f(x: float) -> float:
        return m * n * (est - x) ** 2 * (2 - x) * (1 + x) - z**2 * x * (1 - x) * (
            2 + h + (1 + 2 * h) * x * (1 - x)
        )

    lo = _r_uniroot(f, 0.0, est) if est > 0 else 0.0
    hi = _r_uniroot(f, est, 1.0) if est < 1 else 1.0
    return EffectSize("NAP", est, se, float(lo), float(hi), reason=reason, details={"trunc": trunc})


def tau(A, B, *, increase=True, se_method="unbiased", confidence=0.95) -> EffectSize:
    """Tau (non-overlap) = 2 * NAP - 1 (Parker, Vannest, Davis & Sauber, 2011); SE and
    interval are those of :func:`nap` rescaled, as SingleCaseES ``calc_Tau``."""
    r = nap(A, B, increase=increase, se_method=se_method, confidence=confidence)
    return EffectSize(
        "Tau",
        2 * r.estimate - 1,
        None if r.se is None else 2 * r.se,
        2 * r.ci_low - 1,
        2 * r.ci_high - 1,
        reason=r.reason,
        details={"trunc": 2 * r.details["trunc"]},
    )


def tau_u(A, B, *, increase=True, baseline_trend=True) -> EffectSize:
    """Tau-U, A vs. B minus trend A (Parker, Vannest, Davis & Sauber, 2011), as SingleCaseES
    ``calc_Tau_U``: (S_AB - S_A) / (m * n), where S_AB is Kendall's S between phases and S_A
    the S of the baseline against time. It can exceed the range [-1, 1] with a strong
    baseline trend, as published. ``baseline_trend=False`` gives S_AB / mn (Tau). A one-point
    baseline has no trend (S_A = 0), so Tau-U equals Tau then."""
    a, b = _phases(A, B, increase)
    a_below, a_tied, _, _ = _ab_counts(a, b)
    s_ab = 2 * int(a_below.sum()) + int(a_tied.sum()) - a.size * b.size
    s_a = 0
    if baseline_trend:
        pos, neg, _ = _trend_counts(a)
        s_a = pos - neg
    return EffectSize("Tau-U", (s_ab - s_a) / (a.size * b.size))


@dataclass(frozen=True)
class TauURow:
    """One row of the Tau-U table: pairs, positive/negative/tied pairs, S, D and tau
    (tau is None when D is 0, e.g. the trend of a one-point phase)."""

    pairs: int
    pos: int
    neg: int
    ties: int
    S: int
    D: int
    tau: float | None


def tau_u_table(A, B, *, increase=True) -> dict[str, TauURow]:
    """The Tau-U family table of Parker, Vannest, Davis & Sauber (2011), Kendall tau-a with
    Parker's pair counts (R package scan ``tau_u(method = "parker", tau_method = "a")``):
    rows "A vs. B", "Trend A", "Trend B", "A vs. B - Trend A", "A vs. B + Trend B",
    "A vs. B + Trend B - Trend A"; D = pairs. "A vs. B - Trend A" uses mn pairs and the
    combined row (m+n)(m+n-1)/2, as Parker et al. did, so tau can exceed 1."""
    a, b = _phases(A, B, increase)
    m, n = a.size, b.size
    a_below, a_tied, b_above, _ = _ab_counts(a, b)
    ab_pos, ab_tie = int(a_below.sum()), int(a_tied.sum())
    ab = (m * n, ab_pos, m * n - ab_pos - ab_tie, ab_tie)
    ta = (m * (m - 1) // 2, *_trend_counts(a))
    tb = (n * (n - 1) // 2, *_trend_counts(b))
    rows = {
        "A vs. B": ab,
        "Trend A": ta,
        "Trend B": tb,
        "A vs. B - Trend A": (m * n, ab[1] + ta[2], ab[2] + ta[1], ab[3] + ta[3]),
        "A vs. B + Trend B": (m * n + tb[0], ab[1] + tb[1], ab[2] + tb[2], ab[3] + tb[3]),
        "A vs. B + Trend B - Trend A": (
            (m + n) * (m + n - 1) // 2,
            ab[1] + tb[1] + ta[2],
            ab[2] + tb[2] + ta[1],
            ab[3] + tb[3] + ta[3],
        ),
    }
    return {
        key: TauURow(p, pos, neg, ties, pos - neg, p, (pos - neg) / p if p else None)
        for key, (p, pos, neg, ties) in rows.items()
    }


def _kendall_tau_b(x: np.ndarray, y: np.ndarray) -> float:
    res = stats.kendalltau(x, y, variant="b")
    return float(res.statistic)


def tau_bc(
    A,
    B,
    *,
    increase=True,
    kendall=False,
    pretest_trend=False,
    se_method="unbiased",
    confidence=0.95,
) -> EffectSize:
    """Baseline-corrected Tau (Tarlow, 2017) as SingleCaseES ``calc_Tau_BC``.

    The baseline trend is a Theil-Sen line on sessions 1..m (median of pairwise slopes,
    median intercept); both phases are corrected by it (B on sessions m+1..m+n). With
    ``kendall=False`` Tau (non-overlap) of the residuals with :func:`nap`'s SE and interval;
    with ``kendall=True`` Kendall's tau-b against the phase dummy, SE sqrt(2 (1 - tau^2) /
    (m + n)) and a normal interval (Tarlow, 2017); tau is 0 when all residuals are equal.
    ``pretest_trend`` (a level such as 0.05) corrects only when Kendall's test of the
    baseline trend is significant; the p-value is scipy's ``kendalltau`` (exact when there
    are no ties), where SingleCaseES uses the R package Kendall. Needs 2+ baseline points.
    """
    a = phase(A, "The baseline phase (A)")
    b = phase(B, "The treatment phase (B)")
    m, n = a.size, b.size
    if m < 2:
        return _undefined("Tau-BC", "A baseline trend needs at least 2 baseline points.")
    sa = np.arange(1, m + 1, dtype=float)
    sb = np.arange(m + 1, m + n + 1, dtype=float)
    details: dict = {}
    adjust = True
    if pretest_trend is not False:
        if not 0 < pretest_trend < 1:
            raise AnalysisError("pretest_trend must be False or a level between 0 and 1.")
        pval = float(stats.kendalltau(a, sa).pvalue) if np.ptp(a) > 0 else 1.0
        details["pval_slope_A"] = pval
        adjust = pval <= pretest_trend
    i, j = np.triu_indices(m, k=1)
    slope = float(np.median((a[j] - a[i]) / (sa[j] - sa[i])))
    intercept = float(np.median(a - sa * slope))
    details.update(slope=slope, intercept=intercept, adjusted=adjust)
    if adjust:
        a = a - intercept - slope * sa
        b = b - intercept - slope * sb
    if not kendall:
        r = tau(a, b, increase=increase, se_method=se_method, confidence=confidence)
        return EffectSize(
            "Tau-BC", r.estimate, r.se, r.ci_low, r.ci_high, reason=r.reason, details=details
        )
    if not increase:
        a, b = -a, -b
    y = np.concatenate([a, b])
    est = 0.0 if np.ptp(y) == 0 else _kendall_tau_b(y, np.r_[np.zeros(m), np.ones(n)])
    se = math.sqrt(2 / (m + n) * (1 - est**2))
    z = _z(confidence)
    return EffectSize("Tau-BC", est, se, est - z * se, est + z * se, details=details)


def pnd(A, B, *, increase=True) -> EffectSize:
    """Percentage of non-overlapping data (Scruggs, Mastropieri & Casto, 1987): share of B
    above the highest A (below the lowest A for a decrease), as SingleCaseES ``calc_PND``."""
    a, b = _phases(A, B, increase)
    return EffectSize("PND", float(np.mean(b > a.max())))


def pem(A, B, *, increase=True) -> EffectSize:
    """Percent exceeding the median (Ma, 2006): share of B beyond the A median, ties 1/2,
    as SingleCaseES ``calc_PEM``."""
    a, b = _phases(A, B, increase)
    med = np.median(a)
    return EffectSize("PEM", float(np.mean((b > med) + 0.5 * (b == med))))


def _pand_kept(a: np.ndarray, b: np.ndarray) -> int:
    x = np.r_[-np.inf, np.sort(a)]
    y = np.r_[np.sort(b), np.inf]
    i = np.arange(a.size + 1)[:, None]
    j = np.arange(b.size + 1)[None, :]
    kept = np.where(x[:, None] < y[None, :], i + b.size - j, 0)
    return int(kept.max())


def pand(A, B, *, increase=True) -> EffectSize:
    """Percentage of all non-overlapping data (Parker, Hagan-Burke & Vannest, 2007): share
    of points left after removing the fewest so that no overlap remains; SingleCaseES
    ``calc_PAND`` (which handles complete overlap)."""
    a, b = _phases(A, B, increase)
    return EffectSize("PAND", _pand_kept(a, b) / (a.size + b.size))


def ird(A, B, *, increase=True) -> EffectSize:
    """Robust improvement rate difference (Parker, Vannest & Brown, 2009) from PAND:
    ((m + n)^2 PAND - m^2 - n^2) / 2mn, as SingleCaseES ``calc_IRD``."""
    a, b = _phases(A, B, increase)
    m, n = a.size, b.size
    return EffectSize("IRD", ((m + n) * _pand_kept(a, b) - m * m - n * n) / (2 * m * n))


# ---------------------------------------------------------------------------- parametric


def _summary(x: np.ndarray) -> tuple[int, float, float]:
    return x.size, float(x.mean()), float(x.var(ddof=1)) if x.size > 1 else math.nan


def smd(A, B, *, increase=True, std_dev="baseline", bias_correct=True, confidence=0.95):
    """Within-case standardized mean difference (Gingerich, 1984; Busk & Serlin, 1992) as
    SingleCaseES ``calc_SMD``: (mean B - mean A) / SD with Hedges' (1981) correction
    J = 1 - 3 / (4 df - 1). ``std_dev="baseline"``: SD of A, df = m - 1, SE
    J sqrt(1/m + s_B^2 / (n s_A^2) + d^2 / 2df); ``"pool"``: pooled SD, df = m + n - 2,
    SE J sqrt(1/m + 1/n + d^2 / 2df). The SD used is returned as ``sd``. Undefined when the
    SD is zero (no variation, e.g. an all-equal baseline) or cannot be estimated (one point).
    """
    a = phase(A, "The baseline phase (A)")
    b = phase(B, "The treatment phase (B)")
    (m, ma, va), (n, mb, vb) = _summary(a), _summary(b)
    if std_dev == "baseline":
        if m < 2:
            return _undefined("SMD", "The baseline SD needs at least 2 baseline points.")
        df, s_sq = m - 1, va
        sv1 = 1 / m + vb / (n * va) if va > 0 else math.nan
    elif std_dev == "pool":
        df = m + n - 2
        if df < 1:
            return _undefined("SMD", "A pooled SD needs at least 3 points in all.")
        s_sq = (np.nan_to_num((m - 1) * va) + np.nan_to_num((n - 1) * vb)) / df
        sv1 = 1 / m + 1 / n
    else:
        raise AnalysisError('std_dev must be "baseline" or "pool".')
    if s_sq == 0:
        return _undefined(
            "SMD", "There is no variation in the outcome, so an SMD cannot be computed."
        )
    j = 1 - 3 / (4 * df - 1) if bias_correct else 1.0
    d = j * (mb - ma) / math.sqrt(s_sq)
    if not increase:
        d = -d
    se = finite(j * math.sqrt(sv1 + d**2 / (2 * df)))
    z = _z(confidence)
    return EffectSize(
        "SMD",
        d,
        se,
        None if se is None else d - z * se,
        None if se is None else d + z * se,
        reason=None if se is not None else "The SE needs 2 or more points in the B phase.",
        sd=math.sqrt(s_sq),
    )


_SCALES = ("count", "rate", "proportion", "percentage", "other")


def _mean_or_none(x) -> float | None:
    if x is None:
        return None
    arr = np.atleast_1d(np.asarray(x, dtype=float))
    arr = arr[~np.isnan(arr)]
    return float(arr.mean()) if arr.size else None


def _trunc_constant(scale: str, observation_length, intervals) -> float:
    """SingleCaseES ``trunc_constant``: 1 for counts, session minutes for rates, intervals
    for proportions, intervals / 100 for percentages; infinity (no truncation) otherwise."""
    obs, itv = _mean_or_none(observation_length), _mean_or_none(intervals)
    if scale == "count":
        return 1.0
    if scale == "rate":
        return math.inf if obs is None else obs
    if scale == "proportion":
        return math.inf if itv is None else itv
    if scale == "percentage":
        return math.inf if itv is None else itv / 100
    return math.inf


def _check_scale(scale: str, values: np.ndarray) -> str:
    scale = scale.lower()
    if scale not in _SCALES:
        raise AnalysisError(f"scale must be one of {', '.join(_SCALES)}.")
    if scale == "proportion" and ((values < 0) | (values > 1)).any():
        raise AnalysisError("Proportions must be between 0 and 1.")
    if scale == "percentage" and ((values < 0) | (values > 100)).any():
        raise AnalysisError("Percentages must be between 0 and 100.")
    return scale


def _lrr(
    name, A, B, increase, scale, observation_length, intervals, D_const, bias_correct, confidence
) -> EffectSize:
    a = phase(A, "The baseline phase (A)")
    b = phase(B, "The treatment phase (B)")
    if (a < 0).any() or (b < 0).any():
        raise AnalysisError(
            "A log response ratio needs a ratio scale (counts, rates, percentages); "
            "a negative value was found."
        )
    scale = _check_scale(scale, np.r_[a, b])
    n = np.array([a.size, b.size], dtype=float)
    mean = np.array([a.mean(), b.mean()])
    var = np.array([_summary(a)[2], _summary(b)[2]])
    against = (name == "LRRi") != increase  # outcome valence opposite to this LRR version
    if against and scale == "percentage":
        mean = 100 - mean
    elif against and scale == "proportion":
        mean = 1 - mean
    d = (
        _trunc_constant(scale, observation_length, intervals)
        if D_const is None
        else (_mean_or_none(D_const))
    )
    if d is not None and d > 0:
        mean = np.maximum(1 / (2 * d * n), mean)
        var = np.maximum(1 / (d**2 * n**3), var)  # NaN (one point) stays NaN, as in R
    if (mean <= 0).any():
        return _undefined(
            name,
            "A phase mean is zero and there is no truncation information (scale with "
            "observation_length, intervals or D_const), so its logarithm is not defined.",
        )
    if bias_correct and (n < 2).any():
        return _undefined(name, "The bias correction needs at least 2 points in each phase.")
    log_m = np.log(mean) + (var / (2 * n * mean**2) if bias_correct else 0)
    est = float(log_m[1] - log_m[0])
    if against and scale not in ("percentage", "proportion"):
        est = -est
    se = finite(math.sqrt(np.sum(var / (n * mean**2)))) if (n > 1).all() else None
    z = _z(confidence)
    return EffectSize(
        name,
        est,
        se,
        None if se is None else est - z * se,
        None if se is None else est + z * se,
        reason=None if se is not None else "The SE needs at least 2 points in each phase.",
        details={"D_const": d},
    )


def lrri(
    A,
    B,
    *,
    increase=True,
    scale="count",
    observation_length=None,
    intervals=None,
    D_const=None,
    bias_correct=True,
    confidence=0.95,
) -> EffectSize:
    """Log response ratio, increasing version (Pustejovsky, 2015, 2018), as SingleCaseES
    ``calc_LRRi``: log(mean B) - log(mean A) with the delta-method bias correction
    s^2 / (2 n M^2) per phase, SE sqrt(sum s^2 / (n M^2)) and a z interval. Positive values
    are improvements. For percentages or proportions with ``increase=False`` the means are
    reflected (100 - M, 1 - M). Zero means are truncated at 1 / (2 D n) with D = 1 for
    counts, ``observation_length`` (minutes) for rates, ``intervals`` for proportions,
    ``intervals`` / 100 for percentages, or ``D_const`` (Pustejovsky, 2018); without D a
    zero mean makes the index undefined. Negative values raise :class:`AnalysisError`.
    ``result.pct_change()`` gives 100 (exp(LRR) - 1) with its interval."""
    return _lrr(
        "LRRi",
        A,
        B,
        increase,
        scale,
        observation_length,
        intervals,
        D_const,
        bias_correct,
        confidence,
    )


def lrrd(
    A,
    B,
    *,
    increase=False,
    scale="count",
    observation_length=None,
    intervals=None,
    D_const=None,
    bias_correct=True,
    confidence=0.95,
) -> EffectSize:
    """Log response ratio, decreasing version (negative values are improvements), as
    SingleCaseES ``calc_LRRd``; otherwise as :func:`lrri`."""
    return _lrr(
        "LRRd",
        A,
        B,
        increase,
        scale,
        observation_length,
        intervals,
        D_const,
        bias_correct,
        confidence,
    )


def lor(
    A,
    B,
    *,
    increase=True,
    scale="percentage",
    intervals=None,
    D_const=None,
    bias_correct=True,
    confidence=0.95,
) -> EffectSize:
    """Log odds ratio (Pustejovsky, 2015) as SingleCaseES ``calc_LOR``, for percentages or
    proportions only (undefined for other scales): logit(mean B) - logit(mean A) with the
    bias correction (2M - 1) s^2 / (2 n M^2 (1 - M)^2), SE sqrt(sum s^2 / (n M^2 (1-M)^2)).
    Means are truncated to [1/(2Dn), 1 - 1/(2Dn)] and variances floored at 1/(D^2 n^3),
    D = ``intervals`` (or ``D_const``); with no D a mean of 0% or 100% is undefined."""
    a = phase(A, "The baseline phase (A)")
    b = phase(B, "The treatment phase (B)")
    if scale.lower() not in ("percentage", "proportion"):
        return _undefined("LOR", "The LOR is only defined for percentages or proportions.")
    scale = _check_scale(scale, np.r_[a, b])
    d = _trunc_constant(scale, None, intervals) if D_const is None else _mean_or_none(D_const)
    if scale == "percentage":
        a, b = a / 100, b / 100
        d = None if d is None else d * 100
    n = np.array([a.size, b.size], dtype=float)
    mean = np.array([a.mean(), b.mean()])
    var = np.array([_summary(a)[2], _summary(b)[2]])
    if d is not None and d > 0:
        low = 1 / (2 * d * n)
        mean = np.minimum(1 - low, np.maximum(low, mean))
        var = np.maximum(1 / (d**2 * n**3), var)
    if ((mean <= 0) | (mean >= 1)).any():
        return _undefined(
            "LOR",
            "A phase mean is 0% or 100% and there is no truncation information "
            "(intervals or D_const), so its log odds are not defined.",
        )
    if bias_correct and (n < 2).any():
        return _undefined("LOR", "The bias correction needs at least 2 points in each phase.")
    odds = np.log(mean) - np.log1p(-mean)
    if bias_correct:
        odds = odds - (2 * mean - 1) * var / (2 * n * mean**2 * (1 - mean) ** 2)
    est = float(odds[1] - odds[0])
    if not increase:
        est = -est
    se = finite(math.sqrt(np.sum(var / (n * mean**2 * (1 - mean) ** 2)))) if (n > 1).all() else None
    z = _z(confidence)
    return EffectSize(
        "LOR",
        est,
        se,
        None if se is None else est - z * se,
        None if se is None else est + z * se,
        reason=None if se is not None else "The SE needs at least 2 points in each phase.",
    )


def _log_median_stats(x: np.ndarray, delta_method: bool) -> tuple[float, float]:
    """SingleCaseES ``stats_LRM`` (Bonett & Price, 2020): log median and its variance from
    the order statistics y[o1], y[n - o1 + 1], o1 = max(round(n/2 - sqrt(n)), 1)."""
    n = x.size
    med = float(np.median(x))
    o1 = max(round(n / 2 - math.sqrt(n)), 1)
    o2 = n - o1 + 1
    z0 = stats.norm.ppf(1 - stats.binom.cdf(o1 - 1, n, 0.5))
    y = np.sort(x)
    lo, hi = y[o1 - 1], y[o2 - 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        if delta_method:
            var = ((hi - lo) / (2 * z0)) ** 2 / med**2
        else:
            var = ((np.log(hi) - np.log(lo)) / (2 * z0)) ** 2
    return math.log(med), float(var)


def lrm(A, B, *, increase=True, delta_method=False, confidence=0.95) -> EffectSize:
    """Log ratio of medians (Bonett & Price, 2020) as SingleCaseES ``calc_LRM``:
    log(median B) - log(median A), sign flipped for a decrease; SE from the order-statistic
    interval of each median (or the delta method). Undefined when a median is zero; the SE
    is None when a phase has one point or a zero among the order statistics it uses."""
    a = phase(A, "The baseline phase (A)")
    b = phase(B, "The treatment phase (B)")
    if (a < 0).any() or (b < 0).any():
        raise AnalysisError(
            "A log ratio of medians needs a ratio scale; a negative value was found."
        )
    if np.median(a) == 0 or np.median(b) == 0:
        return _undefined("LRM", "A phase median is zero, so its logarithm is not defined.")
    la, va = _log_median_stats(a, delta_method)
    lb, vb = _log_median_stats(b, delta_method)
    est = lb - la if increase else la - lb
    se = finite(math.sqrt(va + vb)) if math.isfinite(va + vb) else None
    z = _z(confidence)
    return EffectSize(
        "LRM",
        est,
        se,
        None if se is None else est - z * se,
        None if se is None else est + z * se,
        reason=None
        if se is not None
        else ("The SE needs 2+ points per phase and no zero among the order statistics it uses."),
    )


def pogo(A, B, *, goal, increase=True, confidence=0.95) -> EffectSize:
    """Percent of goal obtained (Ferron, Goldstein, Olszewski & Rohrer, 2020) as
    SingleCaseES ``calc_PoGO``: 100 (mean B - mean A) / (goal - mean A); SE from Dunlap &
    Silver's (1986) ratio approximation as coded there. The direction is implied by the goal,
    so ``increase`` does not change the result (as in SingleCaseES). Undefined when the
    baseline mean already equals the goal."""
    if goal is None:
        raise AnalysisError("PoGO needs the goal level of the behavior.")
    goal = _mean_or_none(goal)
    a = phase(A, "The baseline phase (A)")
    b = phase(B, "The treatment phase (B)")
    (na, ma, va), (nb, mb, vb) = _summary(a), _summary(b)
    if goal == ma:
        return _undefined("PoGO", "The baseline mean already equals the goal.")
    est = 100 * (mb - ma) / (goal - ma)
    var = (va / na + vb / nb + (est / 100) ** 2 * va / na) / (goal - ma) ** 2
    se = finite(100 * math.sqrt(var)) if math.isfinite(var) else None
    z = _z(confidence)
    return EffectSize(
        "PoGO",
        est,
        se,
        None if se is None else est - z * se,
        None if se is None else est + z * se,
        reason=None if se is not None else "The SE needs at least 2 points in each phase.",
    )
