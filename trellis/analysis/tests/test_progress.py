"""Progress monitoring: NCII decision rules, celeration, split-middle, CDC."""

import datetime as dt
import math

import pytest

from trellis.analysis import AnalysisError, progress

D0 = dt.date(2024, 1, 1)


def week(i):
    return D0 + dt.timedelta(weeks=i)


def test_ols_and_rate_of_improvement():
    line = progress.ols_trend([1, 2, 3], [2, 4, 6])
    assert (line.slope, line.intercept) == pytest.approx((2.0, 0.0))
    # weekly CBM scores rising 1.5 words per week (ROI = OLS slope per week; NCII)
    dates = [week(i) for i in range(6)]
    assert progress.rate_of_improvement(dates, [20 + 1.5 * i for i in range(6)]) == (
        pytest.approx(1.5)
    )
    with pytest.raises(AnalysisError, match="two different"):
        progress.rate_of_improvement([D0, D0], [1, 2])
    with pytest.raises(AnalysisError):
        progress.rate_of_improvement([D0], [1])


def aim_up():
    # NCII: median of three baseline scores (10, 14, 12 -> 12) at the middle date (week 1),
    # goal 30 at week 19 -> 1 word per week
    return progress.aim_line([(week(0), 10), (week(1), 14), (week(2), 12)], 30, week(19))


def test_aim_line():
    aim = aim_up()
    assert aim.start_date == week(1) and aim.start_value == 12
    assert aim.slope_per_week == pytest.approx(1.0)
    assert aim.value_at(week(5)) == pytest.approx(16.0)
    assert aim.increase
    even = progress.aim_line([(week(0), 10), (week(1), 20)], 30, week(10))
    assert even.start_value == 15 and even.start_day == D0.toordinal() + 3.5
    with pytest.raises(AnalysisError, match="no direction"):
        progress.aim_line([(week(0), 10)], 10, week(5))
    with pytest.raises(AnalysisError, match="after the middle"):
        progress.aim_line([(week(3), 10)], 20, week(2))
    with pytest.raises(AnalysisError):
        progress.aim_line([], 20, week(2))


def test_ncii_four_point_rule():
    aim = aim_up()  # aim values at weeks 3..6: 14, 15, 16, 17
    below = [(week(3 + i), v) for i, v in enumerate([13, 14, 15, 16])]
    above = [(week(3 + i), v) for i, v in enumerate([15, 16, 17, 18])]
    mixed = [(week(3 + i), v) for i, v in enumerate([15, 14, 17, 16])]
    assert progress.decision(below, aim).code == "change_intervention"
    assert progress.decision(above, aim).code == "raise_goal"
    assert progress.decision(mixed, aim).code == "continue"
    short = progress.decision(below[:3], aim)
    assert short.code == "insufficient_data" and "at least 4" in short.explanation
    # only the most recent four points count
    assert progress.decision(above + below, aim).code == "change_intervention"


def test_decrease_goal_reverses_below_and_above():
    # goal below baseline (e.g. problem behavior): points below the aim line are better;
    # median 20 at week 1 down to 2 at week 21 -> -0.9 per week
    aim = progress.aim_line([(week(0), 20), (week(1), 22), (week(2), 18)], 2, week(21))
    assert not aim.increase and aim.slope_per_week == pytest.approx(-0.9)
    better = [(week(3 + i), aim.value_at(week(3 + i)) - 1) for i in range(4)]
    worse = [(week(3 + i), aim.value_at(week(3 + i)) + 1) for i in range(4)]
    assert progress.decision(better, aim).code == "raise_goal"
    assert progress.decision(worse, aim).code == "change_intervention"
    # The words follow the direction: a reduction goal beating its aim line is lowered.
    assert "Lower the goal" in progress.decision(better, aim).explanation
    assert "Raise" not in progress.decision(better, aim).explanation
    fast = [(week(3 + i), 18 - 3 * i) for i in range(8)]
    slow = [(week(3 + i), 18 - 0.2 * i) for i in range(8)]
    assert "decreasing faster than the aim line" in (
        progress.decision(fast, aim, rule="trend").explanation
    )
    assert "decreasing more slowly than the aim line" in (
        progress.decision(slow, aim, rule="trend").explanation
    )
    assert "flatter" not in progress.decision(slow, aim, rule="trend").explanation


def test_trend_rule():
    aim = aim_up()  # 1 per week
    fast = [(week(3 + i), 14 + 2 * i) for i in range(8)]
    slow = [(week(3 + i), 14 + 0.5 * i) for i in range(8)]
    same = [(week(3 + i), 14 + i) for i in range(8)]
    assert progress.decision(fast, aim, rule="trend").code == "raise_goal"
    assert progress.decision(slow, aim, rule="trend").code == "change_intervention"
    assert progress.decision(same, aim, rule="trend").code == "continue"
    assert progress.decision(fast[:7], aim, rule="trend").code == "insufficient_data"
    assert progress.decision(fast[:6], aim, rule="trend", min_points=6).code == "raise_goal"
    with pytest.raises(AnalysisError):
        progress.decision(fast, aim, rule="gut")


def test_trend_rule_continues_when_the_data_cannot_tell_trend_from_aim():
    # NCII: "fairly equal" slopes -> continue. Scores scattered around the 1-per-week aim (a
    # noisy trend of about 1.2 per week) are on track; the same scatter around a flat line is not.
    noise = [3, -4, 2, -3, 4, -2, 3, -3, 1, -1]
    on_track = [(week(3 + i), 14 + i + e) for i, e in enumerate(noise)]
    flat = [(week(3 + i), 14 + 0.1 * e) for i, e in enumerate(noise)]
    aim = aim_up()
    result = progress.decision(on_track, aim, rule="trend")
    assert result.code == "continue" and "on track" in result.explanation
    assert result.details["trend_margin_per_week"] > 0.2
    assert progress.decision(flat, aim, rule="trend").code == "change_intervention"
    # Without a confidence interval the slopes are compared exactly.
    exact = progress.decision(on_track, aim, rule="trend", confidence=None)
    assert exact.code != "continue"


def test_celeration_doubling_per_week():
    # Pennypacker et al. (2003): a rate doubling every week has a celeration of x2
    dates = [D0 + dt.timedelta(days=d) for d in range(0, 29, 7)]
    counts = [10, 20, 40, 80, 160]
    c = progress.celeration(dates, counts, per_minutes=10)
    assert c.celeration == pytest.approx(2.0) and c.label == "\u00d72.00"
    assert c.bounce == pytest.approx(1.0)
    halving = progress.celeration(dates, counts[::-1], per_minutes=10)
    assert halving.label == "\u00f72.00"


def test_celeration_bounce_and_zero_floor():
    dates = [D0 + dt.timedelta(days=d) for d in range(4)]
    # total bounce = x-distance between parallel lines through the highest and lowest
    # residuals; for 20, 5, 20, 5 the fitted line tilts, so compute it directly
    c = progress.celeration(dates, [20, 5, 20, 5], per_minutes=1)
    import numpy as np

    y = np.log10([20, 5, 20, 5])
    slope, intercept = np.polyfit(range(4), y, 1)
    resid = y - (intercept + slope * np.arange(4))
    assert c.bounce == pytest.approx(10 ** (resid.max() - resid.min()))
    assert c.celeration == pytest.approx(10 ** (7 * slope))
    z = progress.celeration(dates, [0, 1, 2, 4], per_minutes=2)
    assert z.floored == 1  # a zero count is plotted at the floor, 1 per 2 minutes
    with pytest.raises(AnalysisError):
        progress.celeration(dates, [1, 2, 3, 4], per_minutes=0)
    with pytest.raises(AnalysisError):
        progress.celeration(dates[:1], [3], per_minutes=1)


def test_split_middle_white_haring():
    # halves (2, 4, 3, 5) and (6, 8, 7, 9): medians (2.5, 3.5) and (6.5, 7.5) -> slope 1;
    # slide so half the points are on/above: median residual 1 -> y = 1 + x
    line = progress.split_middle([2, 4, 3, 5, 6, 8, 7, 9])
    assert (line.slope, line.intercept) == pytest.approx((1.0, 1.0))
    y = [2, 4, 3, 5, 6, 8, 7, 9]
    above = sum(v >= line.at(i + 1) for i, v in enumerate(y))
    below = sum(v <= line.at(i + 1) for i, v in enumerate(y))
    assert above >= 4 and below >= 4
    # odd series: the middle point (100) is left out of both halves
    assert progress.split_middle([1, 2, 100, 4, 5]).slope == pytest.approx(1.0)


def test_cdc_required_table_fisher_2003():
    # Fisher, Kelley & Lomas (2003), Table: points needed above both lines, by n
    table = {
        5: 5,
        6: 6,
        7: 7,
        8: 7,
        9: 8,
        10: 9,
        11: 9,
        12: 10,
        13: 10,
        14: 11,
        15: 12,
        16: 12,
        17: 13,
        18: 13,
        19: 14,
        20: 15,
    }
    assert {n: progress.cdc_required(n) for n in table} == table
    assert progress.cdc_required(4) is None


def test_cdc_ols_by_hand():
    # Baseline 3, 4, 3, 5, 4: OLS y = 2.9 + 0.3 x, mean 3.8, SD 0.8367 -> shift 0.209
    r = progress.cdc([3, 4, 3, 5, 4], [8, 9, 7, 10, 9, 8])
    assert (r.trend.slope, r.trend.intercept) == pytest.approx((0.3, 2.9))
    assert r.shift == pytest.approx(0.25 * math.sqrt(0.7))
    assert (r.exceeding, r.required, r.n_b, r.systematic) == (6, 6, 6, True)
    assert r.p_value == pytest.approx(1 / 64)
    down = progress.cdc([8, 9, 7, 10, 9], [3, 4, 3, 5, 4, 3], increase=False)
    assert down.systematic


def test_cdc_bisplit_matches_scan():
    # scan cdc(trend_method = "bisplit"): halves (3, 4, 3) and (5, 4, 6) -> line through
    # (2, 3) and (5, 5); B points at sessions 7..12 beyond both lines + .25 SD: 3
    r = progress.cdc([3, 4, 3, 5, 4, 6], [8, 9, 7, 10, 9, 8], trend_method="bisplit")
    assert r.trend.slope == pytest.approx(2 / 3)
    assert (r.exceeding, r.required, r.systematic) == (3, 6, False)
    dc = progress.cdc(
        [3, 4, 3, 5, 4, 6], [8, 9, 7, 10, 9, 8], trend_method="bisplit", conservative_sd=0
    )
    assert dc.exceeding >= r.exceeding
    with pytest.raises(AnalysisError, match="five"):
        progress.cdc([1, 2, 3], [4, 5, 6, 7, 8], trend_method="trisplit")
    with pytest.raises(AnalysisError):
        progress.cdc([1], [2, 3])
