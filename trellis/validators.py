"""Sensible ranges for the dates, times and numbers people type or devices send (issue 12).

One place for every app: a model field carries its range as a validator (so the admin, model
forms and `full_clean` in actions share it), and forms and actions that build values themselves
ask the same objects (`DateRange.problem`, `NumberRange.problem`) for the sentence to show.
Each message names the field ("Date of the incident cannot be in the future.").
"""

from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.deconstruct import deconstructible

# No record in Trellis is about anything before this (the oldest birth date, credential or plan).
EARLIEST = date(1900, 1, 1)
# Sessions and their events are recorded on devices: none is older than this.
EARLIEST_RECORDED = date(2000, 1, 1)
# A device's or a person's clock may run a little ahead of the server's.
CLOCK_SLACK = timedelta(minutes=5)
# "Today" somewhere: the latest date a date-only "not in the future" accepts is today's date
# in the time zone furthest ahead (UTC+14), so nobody's today is refused.
FURTHEST_AHEAD = timedelta(hours=14)


def long_date(day):
    return f"{day.day} {day:%B %Y}"


def _day(value):
    if isinstance(value, datetime):
        if timezone.is_naive(value):
            return value.date()
        try:
            return timezone.localdate(value)
        except OverflowError:  # year 1 or 9999 moved to another time zone
            return value.date()
    return value


def _years_after(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@deconstructible
class DateRange:
    """A date or date-time on or after `earliest` and, with `future=False`, not in the future
    (an incident, a birth, a dose given: `slack` (CLOCK_SLACK) for times, today anywhere for
    dates);
    otherwise no more than `years_ahead` years from today (a plan's end, a credential's
    expiry)."""

    def __init__(self, label, *, earliest=EARLIEST, future=True, years_ahead=10, slack=None):
        self.label = label
        self.earliest = earliest
        self.future = future
        self.years_ahead = years_ahead
        # How far ahead of the server's clock a time may be ("not in the future").
        self.slack = slack

    def latest(self):
        today = (timezone.now() + FURTHEST_AHEAD).date()
        return today if not self.future else _years_after(today, self.years_ahead)

    def problem(self, value):
        """The sentence saying why `value` is out of range, or None (also for no value)."""
        if not isinstance(value, date):
            return None
        if _day(value) < self.earliest:
            return f"{self.label} must be on or after {long_date(self.earliest)}."
        if not self.future:
            if isinstance(value, datetime) and timezone.is_aware(value):
                if value > timezone.now() + (self.slack or CLOCK_SLACK):
                    return f"{self.label} cannot be in the future."
            elif _day(value) > self.latest():
                return f"{self.label} cannot be in the future."
        elif _day(value) > self.latest():
            return (
                f"{self.label} must be within {self.years_ahead} years from today "
                f"(by {long_date(self.latest())})."
            )
        return None

    def __call__(self, value):
        message = self.problem(value)
        if message:
            raise ValidationError(message, code="date_range")

    def __eq__(self, other):
        return isinstance(other, DateRange) and self.deconstruct() == other.deconstruct()


@deconstructible
class NumberRange:
    """A number from `low` to `high` (inclusive)."""

    def __init__(self, label, low, high, *, unit=""):
        self.label = label
        self.low = low
        self.high = high
        self.unit = unit

    def _shown(self, number):
        text = f"{int(number):,}" if float(number).is_integer() else f"{number:,g}"
        return f"{text} {self.unit}" if self.unit else text

    def problem(self, value):
        if value is None or isinstance(value, bool) or not isinstance(value, int | float):
            return None
        if not self.low <= value <= self.high:  # NaN too
            return (
                f"{self.label} must be from {self._shown(self.low)} to {self._shown(self.high)}."
            )
        return None

    def __call__(self, value):
        message = self.problem(value)
        if message:
            raise ValidationError(message, code="number_range")

    def __eq__(self, other):
        return isinstance(other, NumberRange) and self.deconstruct() == other.deconstruct()


def check(problems, field, validator, value):
    """Add the validator's problem with `value` to `problems` (field → message), unless the
    field has one already; for actions that check values without a model's full_clean."""
    message = validator.problem(value)
    if message and field not in problems:
        problems[field] = message
    return problems
