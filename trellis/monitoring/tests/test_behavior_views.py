"""The behavior-analysis pages a BCBA prints: ABC / FBA with conditional probabilities, the
time-of-day scatterplot and hypothesized functions; IOA per goal with the 80% line and the
coverage; single-case effect sizes and the CDC between two phases."""

import datetime as dt

import pytest

from trellis.analysis import effect_sizes, fba, ioa
from trellis.monitoring.tests.helpers import (
    START,
    add_event,
    add_probes,
    add_session,
    monitored_goal,
    recorder,
)

pytestmark = pytest.mark.django_db


def abc(antecedent, behavior, consequence, setting="classroom"):
    return (
        "abc",
        {
            "antecedent": antecedent,
            "behavior": behavior,
            "consequence": consequence,
            "setting": setting,
            "note": "",
        },
    )


def test_the_fba_page_shows_the_engines_probabilities_functions_and_scatterplot(client, world):
    goal = monitored_goal(
        world.own_learner, "abc", name="ABC log", goal_value=None, goal_date=None, phases=()
    )
    by = recorder(world, world.own_learner)
    records = [abc("demand_placed", "elopement", "demand_removed")] * 3 + [
        abc("attention_diverted", "elopement", "reprimand"),
        abc("alone", "humming", "no_consequence"),
    ]
    session, made = add_session(goal, START, records, by=by, hour=9)
    add_event(session, goal, "void", {"reason": "wrong student"}, by=by, voids=made[-1])
    client.force_login(world.supervisor)
    response = client.get(f"/learners/{world.own_learner.pk}/fba/")
    assert response.status_code == 200
    body = response.content.decode()
    expected = fba.analyze([r[1] for r in records[:4]])["elopement"]
    assert response.context["report"]["records"] == 4  # the voided record is left out
    assert "humming" not in body
    assert "Escape" in body and expected.functions[0].function == "escape"
    assert f"{expected.antecedents['demand_placed'].conditional:.2f}" in body
    # Four records at 9-10 on a Monday (Sep 1, 2025).
    row = response.context["report"]["scatter"][0]
    assert row["hour"] == 9 and row["cells"][0]["count"] == 4


def test_the_ioa_page_compares_the_two_observers_by_every_method(client, world):
    goal = monitored_goal(
        world.own_learner, "frequency", name="Call-outs", goal_value=2.0, direction="decrease"
    )
    by = recorder(world, world.own_learner)
    primary, _ = add_session(goal, START, [("count", {"n": 1})] * 10, by=by)
    add_session(goal, START + dt.timedelta(days=1), [("count", {"n": 1})] * 4, by=by)
    add_session(goal, START, [("count", {"n": 1})] * 8, by=world.supervisor, primary=primary)
    client.force_login(world.supervisor)
    response = client.get(f"/learners/{world.own_learner.pk}/ioa/")
    assert response.status_code == 200
    (entry,) = [g for g in response.context["goals"] if g["goal"] == goal]
    assert entry["checked"] == 1 and entry["sessions"] == 2 and entry["coverage"] == 50.0
    methods = dict((label, value) for label, value, _ in entry["checks"][0]["methods"])
    assert methods["Total count"] == ioa.total_count(10, 8) == 80.0
    assert "Mean count-per-interval (1-minute blocks)" in methods
    body = response.content.decode()
    assert "IOA coverage" in body and "below 80%" in body  # an exact-count block is below


def test_ioa_of_interval_records(client, world):
    goal = monitored_goal(
        world.own_learner,
        "partial_interval",
        name="On task",
        settings={"interval_seconds": 10, "session_minutes": 1},
    )
    by = recorder(world, world.own_learner)
    first = [("interval", {"index": i, "scored": i < 4}) for i in range(6)]
    second = [("interval", {"index": i, "scored": i < 3}) for i in range(6)]
    primary, _ = add_session(goal, START, first, by=by)
    add_session(goal, START, second, by=world.supervisor, primary=primary)
    client.force_login(world.supervisor)
    response = client.get(f"/learners/{world.own_learner.pk}/ioa/")
    (entry,) = [g for g in response.context["goals"] if g["goal"] == goal]
    methods = {label: value for label, value, _ in entry["checks"][0]["methods"]}
    a, b = [1, 1, 1, 1, 0, 0], [1, 1, 1, 0, 0, 0]
    assert methods["Interval-by-interval"] == ioa.interval_by_interval(a, b)
    assert methods["Scored-interval"] == ioa.scored_interval(a, b) == 75.0
    assert methods["Unscored-interval"] == ioa.unscored_interval(a, b)


def test_effect_sizes_between_two_phases_match_the_engine(client, world):
    goal = monitored_goal(world.own_learner)
    by = recorder(world, world.own_learner)
    baseline, treatment = [20, 22, 19, 21, 20], [25, 28, 30, 29, 33, 35]
    add_probes(goal, baseline, by=by)
    add_probes(goal, treatment, by=by, start=START + dt.timedelta(days=14))
    client.force_login(world.supervisor)
    response = client.get(f"/goals/{goal.pk}/effects/")
    assert response.status_code == 200
    rows = {es.name: es for es in response.context["result"]["rows"]}
    assert rows["NAP"].estimate == effect_sizes.nap(baseline, treatment).estimate == 1.0
    assert rows["NAP"].ci_low is not None
    assert rows["Tau-U"].estimate == effect_sizes.tau_u(baseline, treatment).estimate
    assert rows["PND"].estimate == effect_sizes.pnd(baseline, treatment).estimate
    assert rows["LRRi"].estimate == pytest.approx(
        effect_sizes.lrri(baseline, treatment, scale="other").estimate
    )
    body = response.content.decode()
    assert "Conservative dual criterion" in body and "A systematic change." in body


def test_effect_sizes_need_two_different_phases(client, world):
    goal = monitored_goal(world.own_learner)
    add_probes(goal, [20, 21], by=recorder(world, world.own_learner))
    client.force_login(world.supervisor)
    body = client.get(f"/goals/{goal.pk}/effects/").content.decode()
    assert "needs data in two phases" in body


def test_the_fba_reads_each_options_function_and_groups_spellings_of_a_behavior(client, world):
    """A supervisor says on the pick list which function an antecedent or consequence
    suggests; the FBA uses that, and "Call-out", "call out" and "call_out" are one behavior
    shown under the plan's defined name."""
    from trellis.plans.models import AbcOption, BehaviorDefinition

    for kind, code, label, function in [
        ("antecedent", "adult_busy", "Adult busy", "attention"),
        ("antecedent", "demand_placed", "Demand placed", ""),
        ("consequence", "peer_laughs", "Peers laugh", "attention"),
    ]:
        AbcOption.objects.create(
            organization=world.school, kind=kind, code=code, label=label, function=function
        )
    BehaviorDefinition.objects.create(
        learner=world.own_learner, name="Calling out", definition="Speaks without a turn."
    )
    goal = monitored_goal(
        world.own_learner, "abc", name="ABC log", goal_value=None, goal_date=None, phases=()
    )
    by = recorder(world, world.own_learner)
    records = [
        abc("adult_busy", "Calling out", "peer_laughs"),
        abc("Adult busy", "calling-out", "Peers laugh"),
        abc("adult_busy", "CALLING  OUT", "peer_laughs"),
        abc("demand_placed", "calling_out", "ignored"),
    ]
    add_session(goal, START, records, by=by, hour=9)
    client.force_login(world.supervisor)
    response = client.get(f"/learners/{world.own_learner.pk}/fba/")
    report = response.context["report"]
    (profile,) = report["profiles"]
    assert profile.behavior == "Calling out" and profile.records == 4
    assert profile.functions[0].function == "attention" and profile.functions[0].score > 0
    # "demand_placed" was not given a function here, so it is no evidence of escape.
    escape = next(h for h in profile.functions if h.function == "escape")
    assert escape.score == 0 and not escape.evidence
    # Codes and labels of one option are one row, shown by its label.
    assert profile.antecedents["Adult busy"].count == 3
    assert report["functions_set"]
    assert "No antecedent or consequence option" not in response.content.decode()


def test_the_fba_says_when_no_option_has_a_function(client, world):
    goal = monitored_goal(
        world.own_learner, "abc", name="ABC log", goal_value=None, goal_date=None, phases=()
    )
    add_session(goal, START, [abc("x", "hitting", "y")], by=recorder(world, world.own_learner))
    client.force_login(world.supervisor)
    body = client.get(f"/learners/{world.own_learner.pk}/fba/").content.decode()
    assert "No antecedent or consequence option of this organization says which function" in body


def test_count_ioa_uses_every_minute_of_the_session_including_empty_ones(client, world):
    """A 10-minute session has ten 1-minute blocks: minutes in which neither observer counted
    are agreements (exact count-per-interval counts them; blocks stop at the session's end,
    not at the last count)."""
    goal = monitored_goal(
        world.own_learner, "frequency", name="Call-outs", goal_value=2.0, direction="decrease"
    )
    by = recorder(world, world.own_learner)
    # Counts every 30 s: primary's 4 fall in minutes 0-1, the second observer's 2 in minute 0.
    primary, _ = add_session(goal, START, [("count", {"n": 1})] * 4, by=by, minutes=10)
    add_session(goal, START, [("count", {"n": 1})] * 2, by=world.supervisor, primary=primary)
    client.force_login(world.supervisor)
    response = client.get(f"/learners/{world.own_learner.pk}/ioa/")
    (entry,) = [g for g in response.context["goals"] if g["goal"] == goal]
    methods = {label: value for label, value, _ in entry["checks"][0]["methods"]}
    a, b = [1, 2, 1] + [0] * 7, [1, 1] + [0] * 8
    assert methods["Exact count-per-interval (1-minute blocks)"] == (
        ioa.exact_count_per_interval(a, b)
    )
    assert methods["Exact count-per-interval (1-minute blocks)"] == 80.0
    assert methods["Mean count-per-interval (1-minute blocks)"] == (
        ioa.mean_count_per_interval(a, b)
    )


def test_trial_ioa_pairs_trials_of_the_same_target(client, world):
    """Each observer's trials pair by target and order; a trial only one observer recorded
    (here the ball trial) is a disagreement, not a reason to refuse the check."""
    goal = monitored_goal(
        world.own_learner, "trials", name="Requesting", targets=("cup", "ball"), phases=()
    )
    cup, ball = goal.targets.order_by("order")
    by = recorder(world, world.own_learner)
    primary, _ = add_session(
        goal,
        START,
        [("trial", {"result": "correct"}, ball), ("trial", {"result": "correct"}, cup)]
        + [("trial", {"result": "incorrect"}, cup)],
        by=by,
    )
    add_session(
        goal,
        START,
        [("trial", {"result": "correct"}, cup), ("trial", {"result": "correct"}, cup)],
        by=world.supervisor,
        primary=primary,
    )
    client.force_login(world.supervisor)
    response = client.get(f"/learners/{world.own_learner.pk}/ioa/")
    (entry,) = [g for g in response.context["goals"] if g["goal"] == goal]
    (label, value, note) = entry["checks"][0]["methods"][0]
    assert label == "Trial-by-trial"
    # Pairs: ball (correct, -), cup (correct, correct), cup (incorrect, correct).
    assert value == ioa.trial_by_trial(
        ["correct", "correct", "incorrect"], ["not recorded", "correct", "correct"]
    )
    assert round(value, 1) == 33.3
