"""Absurd dates and counts on the medication record are refused on their field (issue 12): an
order consented in year 1 or ending in 9999, a starting count of a billion, a medication error
dated next week. Nothing is written."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from trellis.health.models import MedicationError, MedicationOrder
from trellis.health.tests.test_orders import ORDER

pytestmark = pytest.mark.django_db


def errors_of(response):
    return {name: " ".join(messages) for name, messages in response.context["form"].errors.items()}


def test_an_order_consented_in_year_1_and_ending_in_9999_is_refused(client, world, nurse):
    client.force_login(nurse)
    response = client.post(
        f"/learners/{world.own_learner.pk}/medications/",
        ORDER | {"consent_on": "0001-01-01", "ends_on": "9999-12-31"},
    )
    errors = errors_of(response)
    assert errors["consent_on"] == "Date of consent must be on or after 1 January 1900."
    assert errors["ends_on"].startswith("End of the order must be within 5 years from today")
    assert "Methylphenidate" in response.content.decode()
    assert not MedicationOrder.objects.exists()


def test_a_starting_count_of_a_billion_units_is_refused(client, world, nurse):
    client.force_login(nurse)
    response = client.post(
        f"/learners/{world.own_learner.pk}/medications/",
        ORDER | {"controlled": "on", "stock": "1000000000"},
    )
    assert errors_of(response)["stock"] == "Starting count must be from 0 to 100,000."
    assert not MedicationOrder.objects.exists()


def error_post(**fields):
    return {
        "error_type": "omitted",
        "category": "A",
        "date": date.today().isoformat(),
        "time": "00:00",
        "description": "Missed the noon dose.",
    } | fields


def test_a_medication_error_dated_next_week_is_refused_on_its_date(client, world, nurse):
    client.force_login(nurse)
    next_week = date.today() + timedelta(days=7)
    response = client.post(
        f"/learners/{world.own_learner.pk}/medications/errors/new/",
        error_post(date=next_week.isoformat()),
    )
    assert errors_of(response) == {"date": "Time of the error cannot be in the future."}
    assert not MedicationError.objects.exists()


def test_a_medication_error_later_today_is_refused_on_its_time(client, world, nurse):
    """It was reported on the form as a whole, not beside the time typed."""
    now = datetime.now(ZoneInfo(world.own_learner.organization.time_zone))
    if now.hour >= 23:
        pytest.skip("no later hour today in the organization's zone")
    client.force_login(nurse)
    response = client.post(
        f"/learners/{world.own_learner.pk}/medications/errors/new/",
        error_post(date=now.date().isoformat(), time="23:59"),
    )
    assert errors_of(response) == {"time": "Time of the error cannot be in the future."}
    assert not MedicationError.objects.exists()
