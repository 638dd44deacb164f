"""Session summaries per measure (DESIGN.md "Measures"), from corrected event values.

Each summary takes the values of one session's events for one measure (the JSON values of
DESIGN.md's event kinds, e.g. ``{"n": 1}``; whole events with a ``"value"`` key are accepted
too) after :func:`apply_voids`. A session with no events is ``None`` ("not tracked"),
never zero.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

import numpy as np

from ._base import AnalysisError
from .fba import behavior_key

__all__ = [
    "INDEPENDENT",
    "apply_voids",
    "duration",
    "frequency",
    "interval",
    "latency",
    "probe",
    "rating",
    "summarize",
    "task_analysis",
    "trials",
]

INDEPENDENT = "independent"


def apply_voids(events: Iterable[Mapping]) -> list[Mapping]:
    """Corrected view: drop every event cancelled by an effective ``void`` event and the void
    events themselves. A void that is itself voided no longer cancels its target (so a
    mistaken void can be undone). Order is kept. Events need ``id`` and ``kind``; a void
    names its target in ``voids``."""
    evs = list(events)
    voiders: dict = {}
    for e in evs:
        if e.get("kind") == "void":
            if e.get("voids") is None:
                raise AnalysisError("A void event must name the event it cancels.")
            voiders.setdefault(e["voids"], []).append(e["id"])
    if not voiders:  # most sessions: nothing to cancel
        return evs

    memo: dict = {}

    def cancelled(eid, seen=()) -> bool:
        if eid in memo:
            return memo[eid]
        if eid in seen:
            raise AnalysisError("Void events refer to each other in a loop.")
        result = any(not cancelled(v, (*seen, eid)) for v in voiders.get(eid, ()))
        memo[eid] = result
        return result

    return [e for e in evs if e.get("kind") != "void" and not cancelled(e["id"])]


def _by_behavior(vals) -> dict:
    """Records per behavior, grouped without regard to case and spacing (fba.behavior_key),
    each group under its most frequent spelling."""
    groups: dict[str, Counter] = {}
    for v in vals:
        name = v.get("behavior")
        key = behavior_key(name) if name is not None else None
        groups.setdefault(key, Counter())[name] += 1
    return {c.most_common(1)[0][0]: c.total() for c in groups.values()}


def _values(events) -> list[Mapping]:
    return [e["value"] if "value" in e and "kind" in e else e for e in events]


def _number(v: Mapping, key: str, what: str) -> float:
    try:
        x = float(v[key])
    except (KeyError, TypeError, ValueError) as exc:
        raise AnalysisError(f"A {what} event has no valid '{key}'.") from exc
    if not np.isfinite(x) or x < 0:
        raise AnalysisError(f"A {what} event has an invalid '{key}' ({v[key]!r}).")
    return x


def frequency(events, *, session_minutes: float | None = None) -> dict | None:
    """Count, and rate per minute and per hour when the session length is known (else the
    rates are None)."""
    vals = _values(events)
    if not vals:
        return None
    count = sum(_number(v, "n", "count") for v in vals)
    if session_minutes is not None and not session_minutes > 0:
        raise AnalysisError("The session length must be positive to compute a rate.")
    per_min = None if session_minutes is None else count / session_minutes
    return {
        "count": count,
        "rate_per_minute": per_min,
        "rate_per_hour": None if per_min is None else per_min * 60,
    }


def duration(events) -> dict | None:
    """Total and mean duration (ms) of the finished timings, and their number."""
    vals = _values(events)
    if not vals:
        return None
    ms = [_number(v, "ms", "duration") for v in vals]
    return {"occurrences": len(ms), "total_ms": sum(ms), "mean_ms": sum(ms) / len(ms)}


def latency(events) -> dict | None:
    """Mean latency (ms) and the number of latencies recorded."""
    vals = _values(events)
    if not vals:
        return None
    ms = [_number(v, "ms", "latency") for v in vals]
    return {"count": len(ms), "mean_ms": sum(ms) / len(ms)}


def interval(events) -> dict | None:
    """Percent of recorded intervals scored (partial/whole interval, momentary time
    sampling). An interval index recorded twice keeps its last record."""
    vals = _values(events)
    if not vals:
        return None
    scored = {}
    for v in vals:
        if "index" not in v or not isinstance(v.get("scored"), bool):
            raise AnalysisError("An interval event needs an index and scored true/false.")
        scored[v["index"]] = v["scored"]
    n = len(scored)
    k = sum(scored.values())
    return {"intervals": n, "scored": k, "percent": 100.0 * k / n}


def _independent(prompt) -> bool:
    return prompt is None or prompt == INDEPENDENT


def trials(events) -> dict | None:
    """Percent correct (no_response counts as not correct) and percent independent: correct
    trials with no prompt or the ``"independent"`` prompt level, over all trials; with
    counts per prompt level."""
    vals = _values(events)
    if not vals:
        return None
    results = [v.get("result") for v in vals]
    if any(r not in ("correct", "incorrect", "no_response") for r in results):
        raise AnalysisError("A trial result must be correct, incorrect or no_response.")
    correct = sum(r == "correct" for r in results)
    indep = sum(
        r == "correct" and _independent(v.get("prompt")) for r, v in zip(results, vals, strict=True)
    )
    n = len(vals)
    return {
        "trials": n,
        "correct": correct,
        "percent_correct": 100.0 * correct / n,
        "percent_independent": 100.0 * indep / n,
        "by_prompt": dict(Counter(v.get("prompt") or INDEPENDENT for v in vals)),
    }


def task_analysis(events, *, defined_steps: int | None = None) -> dict | None:
    """Percent of the task analysis's steps performed independently (no prompt or the
    ``"independent"`` level); a step recorded twice keeps its last record.

    The percent is over the steps the task analysis defines (``defined_steps``, from the
    goal's settings), so a session that scored 3 of 5 steps, all independent, is 60%, not 100%:
    a step not scored was not performed independently. Without ``defined_steps`` (or with fewer
    than were scored, as after a revision shortened the list) it is over the steps scored."""
    vals = _values(events)
    if not vals:
        return None
    if defined_steps is not None and (isinstance(defined_steps, bool) or defined_steps < 0):
        raise AnalysisError("The number of defined steps cannot be negative.")
    steps = {}
    for v in vals:
        if "step" not in v:
            raise AnalysisError("A task-analysis event needs a step.")
        steps[v["step"]] = v.get("prompt")
    indep = sum(_independent(p) for p in steps.values())
    total = max(defined_steps or 0, len(steps))
    return {
        "steps": len(steps),
        "defined_steps": total,
        "independent": indep,
        "percent_independent": 100.0 * indep / total,
        "by_prompt": dict(Counter(p or INDEPENDENT for p in steps.values())),
    }


def probe(events) -> dict | None:
    """Probe score (e.g. words correct per minute). With several probes in one session the
    median score is reported, as CBM benchmarking takes the median of three passages
    (Hosp, Hosp & Howell, 2016); errors likewise."""
    vals = _values(events)
    if not vals:
        return None
    scores = [_number(v, "score", "probe") for v in vals]
    errors = [_number(v, "errors", "probe") for v in vals if v.get("errors") is not None]
    return {
        "probes": len(scores),
        "score": float(np.median(scores)),
        "errors": float(np.median(errors)) if errors else None,
    }


def rating(events) -> dict | None:
    """Percent of possible points (e.g. a daily point card): points / max over the rows, a
    row rated twice keeping its last rating."""
    vals = _values(events)
    if not vals:
        return None
    rows = {}
    for v in vals:
        pts, top = _number(v, "points", "rating"), _number(v, "max", "rating")
        if top == 0 or pts > top:
            raise AnalysisError("A rating needs 0 <= points <= max and max > 0.")
        rows[v.get("row")] = (pts, top)
    points = sum(p for p, _ in rows.values())
    maximum = sum(t for _, t in rows.values())
    return {
        "rows": len(rows),
        "points": points,
        "max": maximum,
        "percent": 100.0 * points / maximum,
    }


def summarize(measure: str, events, **settings) -> dict | None:
    """Dispatch on the measure type: frequency, duration, latency, partial_interval,
    whole_interval, momentary_time_sampling, trials, task_analysis, probe, rating, abc (abc
    gives the number of records per behavior)."""
    kinds = {
        "frequency": frequency,
        "duration": duration,
        "latency": latency,
        "partial_interval": interval,
        "whole_interval": interval,
        "momentary_time_sampling": interval,
        "trials": trials,
        "task_analysis": task_analysis,
        "probe": probe,
        "rating": rating,
    }
    if measure == "abc":
        vals = _values(events)
        return {"records": len(vals), "by_behavior": _by_behavior(vals)} if vals else None
    if measure not in kinds:
        raise AnalysisError(f"Unknown measure type {measure!r}.")
    return kinds[measure](events, **settings)
