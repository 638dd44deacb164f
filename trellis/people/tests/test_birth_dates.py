"""A learner's birth date has a sensible range (issue 12): not before 1900, not in the future;
the admin and every form that saves a learner share the model's rule."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("born", "message"),
    [
        (date(1, 1, 1), "Birth date must be on or after 1 January 1900."),
        (date(9999, 12, 31), "Birth date cannot be in the future."),
        (date.today() + timedelta(days=3), "Birth date cannot be in the future."),
    ],
)
def test_an_absurd_birth_date_is_refused_naming_the_field(world, born, message):
    learner = world.own_learner
    learner.birth_date = born
    with pytest.raises(ValidationError) as refused:
        learner.full_clean()
    assert refused.value.message_dict == {"birth_date": [message]}


def test_a_birth_date_of_today_or_1900_is_accepted(world):
    for born in (date.today(), date(1900, 1, 1)):
        world.own_learner.birth_date = born
        world.own_learner.full_clean()
