"""Each decision rule on constructed data (no database): the supervisor's flags must say
exactly what the NCII rules, the mastery criterion and the data schedule say."""

import datetime as dt

from trellis.monitoring import rules

START = dt.date(2025, 9, 1)
BASE = rules.PhaseInfo(1, "baseline", "Baseline", START)
INTERVENTION = rules.PhaseInfo(2, "intervention", "Intervention", START + dt.timedelta(days=14))


def series(baseline, intervention, every=3):
    """Baseline scores every `every` days from START, then intervention scores from day 14."""
    points = [
        rules.Point(START + dt.timedelta(days=every * i), v, 1, "baseline", "Baseline")
        for i, v in enumerate(baseline)
    ]
    points += [
        rules.Point(
            INTERVENTION.starts_on + dt.timedelta(days=every * i), v, 2, "intervention", "Int."
        )
        for i, v in enumerate(intervention)
    ]
    return points


def run(points, *, targets=(), today=None, goal_value=60.0, settings=None, phases=None):
    last = max(p.date for p in points) if points else START
    return rules.evaluate(
        points=points,
        phases=[BASE, INTERVENTION] if phases is None else phases,
        targets=list(targets),
        goal_value=goal_value,
        goal_date=START + dt.timedelta(days=120),
        baseline_value=None,
        settings=settings or rules.Settings(),
        today=today or last,
    )


def kinds(ev):
    return sorted(f.kind for f in ev.flags)


def test_four_points_below_the_aim_line_say_change_the_intervention():
    # Baseline median 20 on day 3; aim rises 40 points in 117 days (~2.4/week).
    ev = run(series([20, 20, 20], [21, 22, 21, 22]))
    assert kinds(ev) == ["change_intervention"]
    assert "below the aim line" in ev.flags[0].explanation
    assert ev.flags[0].evidence["rule"] == "consecutive"
    assert ev.flags[0].data_from == INTERVENTION.starts_on


def test_four_points_above_the_aim_line_say_raise_the_goal():
    ev = run(series([20, 20, 20], [30, 32, 35, 38]))
    assert kinds(ev) == ["raise_goal"]


def test_points_on_both_sides_of_the_aim_line_raise_nothing():
    ev = run(series([20, 20, 20], [30, 21, 33, 22]))
    assert kinds(ev) == []
    assert ev.decisions["consecutive"].code == "continue"


def test_a_flat_trend_says_change_even_when_the_last_points_straddle_the_line():
    # Eight points: the trend is flat while the aim rises, the last four are not one-sided.
    ev = run(series([20, 20, 20], [30, 29, 28, 27, 29, 27, 31, 29]))
    assert ev.decisions["consecutive"].code != "change_intervention"
    assert ev.decisions["trend"].code == "change_intervention"
    assert kinds(ev) == ["change_intervention"]
    assert ev.flags[0].evidence["rule"] == "trend"
    assert ev.flags[0].evidence["trend_per_week"] < ev.flags[0].evidence["aim_per_week"]


def test_the_trend_rule_wins_when_the_rules_disagree():
    # Far below the aim but climbing much faster than it (7 a week against 2.4).
    ev = run(series([20, 20, 20], [5, 8, 11, 14, 17, 20, 23, 26]))
    assert ev.decisions["consecutive"].code == "change_intervention"
    assert ev.decisions["trend"].code == "raise_goal"
    assert kinds(ev) == ["raise_goal"]
    assert "disagrees" in ev.flags[0].explanation


def test_the_configured_number_of_points_is_used():
    points = series([20, 20, 20], [21, 22, 40])
    assert kinds(run(points)) == []  # three points: the 4-point rule waits
    assert kinds(run(points, settings=rules.Settings(consecutive_points=2))) == []
    points = series([20, 20, 20], [40, 21, 22])
    assert kinds(run(points, settings=rules.Settings(consecutive_points=2))) == [
        "change_intervention"
    ]


def test_a_decrease_goal_is_flagged_when_points_stay_above_the_aim():
    ev = run(series([12, 10, 11], [11, 12, 10, 11]), goal_value=2.0)
    assert ev.aim.increase is False
    assert kinds(ev) == ["change_intervention"]
    assert "above the aim line" in ev.flags[0].explanation


def test_nothing_is_decided_during_baseline():
    ev = run(series([20, 21, 19, 20, 22], []))
    assert ev.flags == []
    assert ev.notes and "baseline" in ev.notes[0]


def test_without_a_goal_value_there_is_no_aim_line_but_the_trend_is_still_reported():
    ev = run(series([20, 20, 20], [21, 22, 23, 24]), goal_value=None)
    assert ev.aim is None and "no aim line" in ev.aim_problem
    assert ev.trend_per_week > 0


def test_the_baseline_value_of_the_plan_stands_in_for_missing_baseline_data():
    points = series([], [19, 20, 21, 22])
    ev = rules.evaluate(
        points=points,
        phases=[INTERVENTION],
        targets=[],
        goal_value=60.0,
        goal_date=START + dt.timedelta(days=120),
        baseline_value=20.0,
        settings=rules.Settings(),
        today=points[-1].date,
    )
    assert ev.aim.start_value == 20.0 and ev.aim.start_date == INTERVENTION.starts_on
    assert kinds(ev) == ["change_intervention"]


def _target(**kw):
    base = dict(lineage="t1", id=7, name="Colors", state="acquisition", state_since=START)
    return rules.TargetInfo(**(base | kw))


def _target_points(values, **kw):
    return [
        rules.Point(START + dt.timedelta(days=i), v, 2, "intervention", "I", target="t1", **kw)
        for i, v in enumerate(values)
    ]


def test_meeting_the_mastery_criterion_says_advance_the_target():
    ev = run(_target_points([50, 70, 80, 90, 85]), targets=[_target()], phases=[])
    assert kinds(ev) == ["advance_target"]
    flag = ev.flags[0]
    assert flag.target.name == "Colors"
    assert "80%, 90%, 85%" in flag.explanation


def test_one_session_under_the_criterion_is_not_mastery():
    ev = run(_target_points([90, 90, 70, 90, 90]), targets=[_target()], phases=[])
    assert kinds(ev) == []


def test_mastery_by_percent_correct_reads_percent_correct():
    points = _target_points([10, 10, 10], percent_correct=90.0)
    ev = run(points, targets=[_target(mastery_basis="correct")], phases=[])
    assert kinds(ev) == ["advance_target"]
    ev = run(points, targets=[_target()], phases=[])
    assert kinds(ev) == []


def test_mastered_targets_are_not_flagged_again():
    ev = run(_target_points([90, 90, 90]), targets=[_target(state="mastered")], phases=[])
    assert kinds(ev) == []


def test_no_data_for_longer_than_the_schedule_is_a_data_gap():
    points = series([20, 20, 20], [30, 21, 33, 22])
    last = points[-1].date
    assert kinds(run(points, today=last + dt.timedelta(days=7))) == []
    ev = run(points, today=last + dt.timedelta(days=8))
    assert kinds(ev) == ["data_gap"]
    assert "8 days ago" in ev.flags[0].explanation
    assert (
        kinds(
            run(
                points, today=last + dt.timedelta(days=8), settings=rules.Settings(schedule_days=10)
            )
        )
        == []
    )


def test_a_goal_without_any_data_is_a_gap_once_the_schedule_has_passed():
    ev = rules.evaluate(
        points=[],
        phases=[],
        targets=[],
        goal_value=60.0,
        goal_date=START + dt.timedelta(days=120),
        baseline_value=None,
        settings=rules.Settings(),
        today=START + dt.timedelta(days=9),
        data_expected_since=START,
    )
    assert kinds(ev) == ["data_gap"]
    assert "No data has been recorded" in ev.flags[0].explanation
