"""IOA formulas of Cooper, Heron & Heward (2020, ch. 5) and Reed & Azulay (2011)."""

import pytest

from trellis.analysis import AnalysisError, ioa

# Reed & Azulay (2011), Figure 1 example (fifteen 1-min intervals): observer 1 records one
# response in each of minutes 1-3 and two in minute 4; observer 2 none in minutes 1-3, one
# in minute 4 and four in minute 15. Minutes 5-14: both record zero.
OBS1 = [1, 1, 1, 2] + [0] * 10 + [0]
OBS2 = [0, 0, 0, 1] + [0] * 10 + [4]


def test_reed_azulay_count_example():
    assert ioa.total_count(OBS1, OBS2) == 100.0  # 5 vs 5: high agreement, different events
    # partial agreement within intervals: minute 4 = 50 %, minutes 5-14 = 100 %, others 0
    assert ioa.mean_count_per_interval(OBS1, OBS2) == pytest.approx(100 * 10.5 / 15)
    assert ioa.exact_count_per_interval(OBS1, OBS2) == pytest.approx(100 * 10 / 15)


def test_total_count_chh():
    # CHH ch. 5: observer 1 counts 9, observer 2 counts 10 -> 9 / 10 = 90 %
    assert ioa.total_count(9, 10) == pytest.approx(90.0)
    assert ioa.total_count(0, 0) == 100.0  # both saw no response: agreement


def test_trial_by_trial():
    t1 = ["correct", "correct", "incorrect", "correct", "no_response"]
    t2 = ["correct", "incorrect", "incorrect", "correct", "no_response"]
    assert ioa.trial_by_trial(t1, t2) == pytest.approx(80.0)  # 4 of 5 trials agree


def test_duration_measures_chh():
    # CHH ch. 5: total duration shorter / longer; mean duration-per-occurrence averages
    # the per-occurrence ratios (e.g. 9/10, 14/15, 8/8 seconds)
    assert ioa.total_duration(90, 100) == pytest.approx(90.0)
    assert ioa.total_duration([9, 14, 8], [10, 15, 8]) == pytest.approx(100 * 31 / 33)
    assert ioa.mean_duration_per_occurrence([9, 14, 8], [10, 15, 8]) == pytest.approx(
        100 * (0.9 + 14 / 15 + 1) / 3
    )


def test_interval_methods_chh():
    # CHH ch. 5 style example: 10 intervals, observers disagree on intervals 3 and 7
    i1 = [1, 0, 1, 1, 0, 0, 1, 0, 0, 1]
    i2 = [1, 0, 0, 1, 0, 0, 0, 0, 0, 1]
    assert ioa.interval_by_interval(i1, i2) == pytest.approx(80.0)
    # scored: either scored in 1, 3, 4, 7, 10; both in 1, 4, 10 -> 3 / 5
    assert ioa.scored_interval(i1, i2) == pytest.approx(60.0)
    # unscored: either unscored in 2, 3, 5, 6, 7, 8, 9; both in 2, 5, 6, 8, 9 -> 5 / 7
    assert ioa.unscored_interval(i1, i2) == pytest.approx(100 * 5 / 7)


def test_no_qualifying_interval_raises():
    with pytest.raises(AnalysisError, match="Neither observer scored"):
        ioa.scored_interval([0, 0, 0], [0, 0, 0])
    with pytest.raises(AnalysisError, match="scored every interval"):
        ioa.unscored_interval([1, 1], [1, 1])


@pytest.mark.parametrize(
    "fn",
    [
        ioa.mean_count_per_interval,
        ioa.exact_count_per_interval,
        ioa.interval_by_interval,
        ioa.mean_duration_per_occurrence,
        ioa.trial_by_trial,
    ],
)
def test_unequal_lengths_and_empty(fn):
    with pytest.raises(AnalysisError, match="different"):
        fn([1, 0, 1], [1, 0])
    with pytest.raises(AnalysisError):
        fn([], [])


def test_bad_values():
    with pytest.raises(AnalysisError, match="1 \\(scored\\) or 0"):
        ioa.interval_by_interval([1, 2], [1, 0])
    with pytest.raises(AnalysisError, match="negative"):
        ioa.total_count(-1, 3)
    with pytest.raises(AnalysisError, match="missing"):
        ioa.mean_count_per_interval([1, float("nan")], [1, 1])
    with pytest.raises(AnalysisError, match="missing"):
        ioa.trial_by_trial(["correct", None], ["correct", "correct"])
