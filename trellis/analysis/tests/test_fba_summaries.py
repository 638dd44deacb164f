"""ABC conditional probabilities (Eckert, Martens & DiGennaro, 2005) and session summaries
(DESIGN.md measures)."""

import pytest

from trellis.analysis import AnalysisError, fba, summaries

RECORDS = [
    # 4 of 5 aggression records follow a demand and end with the demand removed
    ("demand_placed", "aggression", "demand_removed", "math"),
    ("demand_placed", "aggression", "demand_removed", "math"),
    ("demand_placed", "aggression", "demand_removed", "reading"),
    ("demand_placed", "aggression", "reprimand", "math"),
    ("attention_diverted", "aggression", "demand_removed", "math"),
    {"antecedent": "attention_diverted", "behavior": "yelling", "consequence": "attention_given"},
    {"antecedent": "attention_diverted", "behavior": "yelling", "consequence": "attention_given"},
    {"antecedent": "humming_song", "behavior": "yelling", "consequence": "weird_code"},
]


def test_conditional_vs_unconditional_probabilities():
    profiles = fba.analyze(RECORDS)
    agg = profiles["aggression"]
    assert agg.records == 5
    dp = agg.antecedents["demand_placed"]
    assert (dp.count, dp.conditional, dp.unconditional) == (4, 0.8, 0.5)
    assert dp.elevated
    assert agg.consequences["demand_removed"].conditional == pytest.approx(0.8)
    assert agg.settings["math"].conditional == pytest.approx(0.8)


def test_function_ranking_with_evidence():
    profiles = fba.analyze(RECORDS)
    agg = profiles["aggression"]
    assert agg.top_function == "escape"
    escape = agg.functions[0]
    assert escape.score == pytest.approx((0.8 + 0.8) / 2)
    assert any("demand_placed" in e and "80%" in e for e in escape.evidence)
    yell = profiles["yelling"]
    assert yell.top_function == "attention"
    # unknown codes are tabulated but support no function
    assert "humming_song" in yell.antecedents
    assert all("weird_code" not in e for h in yell.functions for e in h.evidence)


def test_fba_edge_cases():
    with pytest.raises(AnalysisError, match="no ABC records"):
        fba.analyze([])
    with pytest.raises(AnalysisError, match="needs a behavior"):
        fba.analyze([{"antecedent": "alone"}])
    only_unknown = fba.analyze([("x", "rocking", "y")])
    assert only_unknown["rocking"].top_function is None
    custom = fba.analyze([("x", "rocking", "y")], antecedent_map={"x": "automatic"})
    assert custom["rocking"].top_function == "automatic"


EVENTS = [
    {"id": 1, "kind": "count", "value": {"n": 1}},
    {"id": 2, "kind": "count", "value": {"n": 1}},
    {"id": 3, "kind": "count", "value": {"n": 1}},
    {"id": 4, "kind": "void", "voids": 2, "value": {"reason": "double tap"}},
    {"id": 5, "kind": "count", "value": {"n": 1}},
    {"id": 6, "kind": "void", "voids": 5, "value": {"reason": "wrong child"}},
    {"id": 7, "kind": "void", "voids": 6, "value": {"reason": "void was a mistake"}},
]


def test_apply_voids_and_frequency():
    corrected = summaries.apply_voids(EVENTS)
    assert [e["id"] for e in corrected] == [1, 3, 5]
    s = summaries.frequency(corrected, session_minutes=30)
    assert s == {"count": 3, "rate_per_minute": 0.1, "rate_per_hour": pytest.approx(6.0)}
    assert summaries.frequency(corrected)["rate_per_minute"] is None
    with pytest.raises(AnalysisError):
        summaries.apply_voids([{"id": 1, "kind": "void"}])


def test_empty_session_is_not_tracked():
    for measure in (
        "frequency",
        "duration",
        "latency",
        "partial_interval",
        "trials",
        "task_analysis",
        "probe",
        "rating",
        "abc",
    ):
        assert summaries.summarize(measure, []) is None


def test_measure_summaries():
    assert summaries.duration([{"ms": 1000}, {"ms": 3000}]) == {
        "occurrences": 2,
        "total_ms": 4000,
        "mean_ms": 2000,
    }
    assert summaries.latency([{"ms": 500}, {"ms": 1500}])["mean_ms"] == 1000
    iv = summaries.summarize(
        "momentary_time_sampling",
        [
            {"index": 0, "scored": True},
            {"index": 1, "scored": False},
            {"index": 2, "scored": True},
            {"index": 3, "scored": False},
        ],
    )
    assert iv["percent"] == 50.0
    tr = summaries.trials(
        [
            {"result": "correct", "prompt": "independent"},
            {"result": "correct", "prompt": "gestural"},
            {"result": "incorrect", "prompt": "independent"},
            {"result": "no_response"},
        ]
    )
    assert (tr["percent_correct"], tr["percent_independent"]) == (50.0, 25.0)
    assert tr["by_prompt"] == {"independent": 3, "gestural": 1}
    ta = summaries.task_analysis(
        [
            {"step": 1, "prompt": "independent"},
            {"step": 2, "prompt": "physical"},
            {"step": 3, "prompt": "independent"},
            {"step": 4, "prompt": "verbal"},
        ]
    )
    assert ta["percent_independent"] == 50.0
    pr = summaries.probe(
        [{"score": 42, "errors": 3}, {"score": 50, "errors": 1}, {"score": 47, "errors": 2}]
    )
    assert (pr["score"], pr["errors"]) == (47.0, 2.0)
    rt = summaries.rating(
        [{"row": "am", "points": 3, "max": 4}, {"row": "pm", "points": 2, "max": 4}]
    )
    assert rt["percent"] == pytest.approx(62.5)
    ab = summaries.summarize("abc", [{"behavior": "hit"}, {"behavior": "hit"}])
    assert ab == {"records": 2, "by_behavior": {"hit": 2}}


def test_summary_errors():
    with pytest.raises(AnalysisError):
        summaries.frequency([{"n": -1}])
    with pytest.raises(AnalysisError):
        summaries.frequency([{"n": 1}], session_minutes=0)
    with pytest.raises(AnalysisError):
        summaries.trials([{"result": "maybe"}])
    with pytest.raises(AnalysisError):
        summaries.rating([{"row": 1, "points": 5, "max": 4}])
    with pytest.raises(AnalysisError):
        summaries.summarize("vibes", [{"n": 1}])
