"""The settings each measure needs (DESIGN.md "Measures"), checked and normalized.

| measure | settings |
|---|---|
| frequency | `rate_unit`: "count" / "per_minute" / "per_hour"; `session_minutes` (optional) |
| duration, latency, abc | none |
| interval measures (partial, whole, momentary) | `interval_seconds`, `session_minutes` |
| trials | `trials_per_session` (optional); prompt levels come from the organization's hierarchy |
| task_analysis | `steps`: list of step texts (events name the step by its 1-based number) |
| probe | `seconds` (timing, e.g. 60), `unit` (e.g. "words correct per minute") |
| rating | `rows`: list of {"label": …, "max": points} (events name the row by its 1-based number) |
"""

from django.core.exceptions import ValidationError

RATE_UNITS = ("count", "per_minute", "per_hour")
# The largest value of each setting (issue 12: a session of 1e300 minutes was accepted). The
# smallest is "more than zero": the screen's tests run one-second intervals in seconds.
MAXIMUM = {
    "session_minutes": 720,  # twelve hours
    "interval_seconds": 3600,
    "trials_per_session": 500,
    "seconds": 3600,  # a probe's timing
    "max": 1000,  # a rating row's points
}
# Intervals one session may have (a button or a row each on the screen and in the IOA).
MAX_INTERVALS = 3600
MAX_STEPS = 100


def _positive_number(settings, key, what, *, required=True, integer=False, field=None):
    """The setting as a number, from just above zero to its MAXIMUM; a problem is raised on
    `field` (the setting's key by default), so a form shows it on the setting's own input."""
    field = field or key
    value = settings.get(key)
    if value in (None, ""):
        if required:
            raise ValidationError({field: f"Give the {what}."})
        return None
    try:
        number = int(value) if integer else float(value)
    except (TypeError, ValueError, OverflowError):
        raise ValidationError({field: f"The {what} must be a number."}) from None
    if integer and float(value) != number:
        raise ValidationError({field: f"The {what} must be a whole number."})
    if not number > 0:  # NaN too
        raise ValidationError({field: f"The {what} must be more than zero."})
    top = MAXIMUM.get(key)
    if top is not None and number > top:
        raise ValidationError({field: f"The {what} must be at most {top:,}."})
    return number


def _texts(value, what):
    if isinstance(value, str):
        value = [line.strip() for line in value.splitlines()]
    if not isinstance(value, list):
        raise ValidationError({what: f"List the {what}."})
    return [str(v).strip() for v in value if str(v).strip()]


def clean_measure_settings(measure, settings):
    """The settings of a measure, normalized; raises a ValidationError whose dict names the
    setting that is wrong (its key in measure_settings)."""
    from trellis.plans.models import INTERVAL_MEASURES, Measure

    settings = dict(settings or {})
    if measure not in Measure.values:
        raise ValidationError({"measure": f"Unknown measure {measure!r}."})
    if measure == Measure.FREQUENCY:
        unit = settings.get("rate_unit") or "count"
        if unit not in RATE_UNITS:
            raise ValidationError({"rate_unit": "The rate unit is count, per_minute or per_hour."})
        minutes = _positive_number(settings, "session_minutes", "session length", required=False)
        return {"rate_unit": unit, "session_minutes": minutes}
    if measure in INTERVAL_MEASURES:
        seconds = _positive_number(settings, "interval_seconds", "interval length", integer=True)
        minutes = _positive_number(settings, "session_minutes", "session length")
        if seconds > minutes * 60:
            raise ValidationError({"interval_seconds": "The interval is longer than the session."})
        if minutes * 60 / seconds > MAX_INTERVALS:
            raise ValidationError(
                {
                    "interval_seconds": f"That makes more than {MAX_INTERVALS:,} intervals in a "
                    "session: make the intervals longer or the session shorter."
                }
            )
        return {"interval_seconds": seconds, "session_minutes": minutes}
    if measure == Measure.TRIALS:
        per = _positive_number(
            settings, "trials_per_session", "trials per session", required=False, integer=True
        )
        return {"trials_per_session": per}
    if measure == Measure.TASK_ANALYSIS:
        steps = _texts(settings.get("steps", []), "steps")
        if not steps:
            raise ValidationError({"steps": "A task analysis needs at least one step."})
        if len(steps) > MAX_STEPS:
            raise ValidationError({"steps": f"A task analysis has at most {MAX_STEPS} steps."})
        return {"steps": steps}
    if measure == Measure.PROBE:
        seconds = _positive_number(settings, "seconds", "probe timing", integer=True)
        unit = str(settings.get("unit") or "score").strip()
        return {"seconds": seconds, "unit": unit}
    if measure == Measure.RATING:
        rows = settings.get("rows")
        if isinstance(rows, str):
            # "Label | max" per line, as typed in the form.
            parsed = []
            for line in rows.splitlines():
                if line.strip():
                    label, _, top = line.partition("|")
                    parsed.append({"label": label.strip(), "max": top.strip() or 2})
            rows = parsed
        if not isinstance(rows, list) or not rows:
            raise ValidationError({"rows": "A rating needs at least one row."})
        if len(rows) > MAX_STEPS:
            raise ValidationError({"rows": f"A rating has at most {MAX_STEPS} rows."})
        cleaned = []
        for number, row in enumerate(rows, 1):
            if not isinstance(row, dict) or not str(row.get("label", "")).strip():
                raise ValidationError({"rows": f"Row {number} needs a label."})
            top = _positive_number(
                row, "max", f"maximum of row {number}", integer=True, field="rows"
            )
            cleaned.append({"label": str(row["label"]).strip(), "max": top})
        return {"rows": cleaned}
    return {}
