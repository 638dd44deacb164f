"""Checking one event's value against its kind (DESIGN.md) and its goal's measure.

`problem(kind, value, goal, prompt_codes)` answers None when the event fits, else the reason in
plain words, naming the key. It never raises on odd input: a bad event is rejected, never a 500.
Given the event's time and its session's start, an interval is also checked against its timing
(`interval_timing`).
"""

import math
from datetime import timedelta

import orjson

from trellis.plans.models import EVENT_KIND, INTERVAL_MEASURES, Measure

MAX_MS = 24 * 3600 * 1000
MAX_TEXT = 500
# The fields of each kind's value (DESIGN.md), and no others: a value is stored as it came and
# shown on the screen and in reports, so an extra key would carry anything of any size.
VALUE_FIELDS = {
    "count": ("n",),
    "duration": ("ms",),
    "latency": ("ms",),
    "interval": ("index", "scored"),
    "trial": ("result", "prompt"),
    "step": ("step", "prompt"),
    "probe": ("score", "errors"),
    "rating": ("row", "points", "max"),
    "abc": ("antecedent", "behavior", "consequence", "setting", "note"),
    "void": ("reason",),
}
# The largest value that fits those fields (an ABC record of five full texts, in UTF-8).
MAX_VALUE_BYTES = 5 * MAX_TEXT * 4 + 200
TRIAL_RESULTS = ("correct", "incorrect", "no_response")
# A device's clock and the server's (which set an online session's start) may differ a little:
# the timing check allows this much before it calls an interval early.
CLOCK_SLACK = timedelta(seconds=5)
# Whole interval: scored at the interval's end (did the behavior last all of it?); momentary
# time sampling: observed at the moment it ends. Partial interval may be scored once it began.
SCORED_AT_THE_END = (Measure.WHOLE_INTERVAL, Measure.MOMENTARY_TIME_SAMPLING)


def _whole(value, key, *, low=0, high=None):
    number = value.get(key)
    if isinstance(number, bool) or not isinstance(number, int):
        if isinstance(number, float) and number.is_integer():
            number = int(number)
        else:
            return None, f"'{key}' must be a whole number."
    if number < low or (high is not None and number > high):
        upper = f" and at most {high}" if high is not None else ""
        return None, f"'{key}' must be at least {low}{upper} (got {number})."
    return number, None


def _number(value, key, *, required=True):
    number = value.get(key)
    if number is None and not required:
        return None, None
    if isinstance(number, bool) or not isinstance(number, int | float) or not math.isfinite(number):
        return None, f"'{key}' must be a number."
    if number < 0:
        return None, f"'{key}' cannot be negative."
    return number, None


def _prompt(value, prompt_codes):
    prompt = value.get("prompt")
    if prompt is None or prompt in prompt_codes:
        return None
    return f"prompt {prompt!r} is not a level of the prompt hierarchy ({', '.join(prompt_codes)})."


def interval_timing(index, goal, recorded_at, started_at):
    """Why an interval scored at `recorded_at` in a session started at `started_at` is too early
    (a sentence), or None. The screen's interval recorder starts at the session's start or later
    (a resumed recorder continues from the first unscored interval), so interval n (from 0)
    cannot end before `started_at + (n + 1) × interval`, nor begin before `started_at + n ×
    interval`."""
    settings = goal.measure_settings or {}
    seconds = settings.get("interval_seconds")
    if not seconds or recorded_at is None or started_at is None:
        return None
    length = timedelta(seconds=seconds)
    if goal.measure in SCORED_AT_THE_END:
        ends = started_at + length * (index + 1)
        if recorded_at < ends - CLOCK_SLACK:
            early = (ends - recorded_at).total_seconds()
            return (
                f"'index' {index}: interval {index + 1} ends {seconds * (index + 1)} s after the "
                f"session's start; {Measure(goal.measure).label.lower()} is scored once it has "
                f"ended (recorded {early:.0f} s before that)."
            )
    else:
        begins = started_at + length * index
        if recorded_at < begins - CLOCK_SLACK:
            return (
                f"'index' {index}: interval {index + 1} begins {seconds * index} s after the "
                "session's start; it cannot be scored before it begins."
            )
    return None


def behavior_key(text):
    """How behavior names are matched: case-folded, with hyphens, underscores and runs of
    whitespace read as one space ("Call-out", "call out" and "CALL_OUT" are one behavior)."""
    return " ".join(str(text).replace("-", " ").replace("_", " ").split()).casefold()


def normalize_behavior(text, defined):
    """A behavior as it is stored: trimmed, inner whitespace collapsed, and spelled as the
    learner's defined behavior it matches (`defined`: behavior_key → defined name)."""
    if not isinstance(text, str):
        return text
    tidy = " ".join(text.split())
    return defined.get(behavior_key(tidy), tidy) if tidy else None


def problem(kind, value, goal, prompt_codes, *, recorded_at=None, started_at=None):
    """Why this value does not fit (a sentence), or None when it does. With the event's time
    and its session's start, an interval's timing is checked too."""
    if not isinstance(value, dict):
        return "value must be a JSON object."
    if kind != "void":
        expected = EVENT_KIND.get(goal.measure)
        if kind != expected:
            return (
                f"kind {kind!r} does not fit the goal's measure {goal.measure!r} "
                f"(expects {expected!r})."
            )
    fields = VALUE_FIELDS.get(kind)
    if fields is None:
        return f"unknown kind {kind!r}."
    extra = next((key for key in value if key not in fields), None)
    if extra is not None:
        return (
            f"{str(extra)[:40]!r} is not a field of a {kind} value "
            f"(its fields: {', '.join(fields)})."
        )
    try:
        size = len(orjson.dumps(value))
    except TypeError:  # something JSON cannot hold (a value built in Python, not parsed)
        return "value must be plain JSON."
    if size > MAX_VALUE_BYTES:
        return f"value is larger than {MAX_VALUE_BYTES:,} bytes."
    if kind == "void":
        reason = value.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            return "a void needs a 'reason'."
        if len(reason) > MAX_TEXT:
            return f"'reason' is longer than {MAX_TEXT} characters."
        return None
    settings = goal.measure_settings or {}
    if kind == "count":
        return _whole(value, "n", high=10_000)[1]
    if kind in ("duration", "latency"):
        return _whole(value, "ms", high=MAX_MS)[1]
    if kind == "interval":
        if goal.measure in INTERVAL_MEASURES and settings.get("interval_seconds"):
            count = math.ceil(settings["session_minutes"] * 60 / settings["interval_seconds"])
            index, error = _whole(value, "index", high=count - 1)
        else:
            index, error = _whole(value, "index")
        if error:
            return error
        if not isinstance(value.get("scored"), bool):
            return "'scored' must be true or false."
        if goal.measure in INTERVAL_MEASURES:
            return interval_timing(index, goal, recorded_at, started_at)
        return None
    if kind == "trial":
        if value.get("result") not in TRIAL_RESULTS:
            return "'result' must be correct, incorrect or no_response."
        return _prompt(value, prompt_codes)
    if kind == "step":
        steps = settings.get("steps") or []
        _, error = _whole(value, "step", low=1, high=len(steps))
        return error or _prompt(value, prompt_codes)
    if kind == "probe":
        _, error = _number(value, "score")
        return error or _number(value, "errors", required=False)[1]
    if kind == "rating":
        rows = settings.get("rows") or []
        row, error = _whole(value, "row", low=1, high=len(rows))
        if error:
            return error
        points, error = _number(value, "points")
        if error:
            return error
        top, error = _number(value, "max")
        if error:
            return error
        if top != rows[row - 1]["max"]:
            return f"'max' of row {row} is {rows[row - 1]['max']} (got {top})."
        if points > top:
            return f"'points' ({points}) is more than 'max' ({top})."
        return None
    if kind == "abc":
        for key in VALUE_FIELDS["abc"]:
            text = value.get(key)
            if text is not None and not isinstance(text, str):
                return f"'{key}' must be text."
            if text and len(text) > MAX_TEXT:
                return f"'{key}' is longer than {MAX_TEXT} characters."
        if not any(value.get(k) for k in ("antecedent", "behavior", "consequence")):
            return "an ABC record needs an antecedent, a behavior or a consequence."
        return None
    return f"unknown kind {kind!r}."  # pragma: no cover - EVENT_KIND covers every measure


__all__ = ["Measure", "behavior_key", "normalize_behavior", "problem"]
