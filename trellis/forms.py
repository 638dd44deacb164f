"""Form helpers shared by every app's views."""

from django import forms
from django.utils import timezone


def add_errors(form, error, fields=None):
    """Put an action's ValidationError on the form, on the field it names when the form has it
    (else on the form as a whole), so the page shows it in place with the user's input kept.
    `fields` maps an action's name to the form's where they differ ({"at": "time"})."""
    fields = fields or {}
    for name, messages in error.message_dict.items():
        name = fields.get(name, name)
        form.add_error(name if name in form.fields else None, messages)


def clean_day(day, zone, validator):
    """A day typed in the organization's time zone (`zone`), in the range of `validator` (a
    trellis.validators.DateRange); a future day in that zone, when the thing cannot be in the
    future, is refused on the date field itself rather than on the time typed after it."""
    problem = validator.problem(day)
    if problem is None and not validator.future and day > timezone.now().astimezone(zone).date():
        problem = f"{validator.label} cannot be in the future."
    if problem:
        raise forms.ValidationError(problem)
    return day
