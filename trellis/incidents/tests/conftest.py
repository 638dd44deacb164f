from datetime import date, timedelta

import pytest

from trellis.credentials.models import Credential, Kind
from trellis.testing import PASSWORD, make_staff

YESTERDAY = date.today() - timedelta(days=1)


def restraint_post(world, **overrides):
    """What a technician types on the phone for a ten-minute restraint yesterday morning."""
    staff = world.assistant.staff
    data = {
        "kind": "restraint",
        "date": YESTERDAY.isoformat(),
        "start": "10:00",
        "end": "10:30",
        "location": "Room 12",
        "antecedent": "Asked to line up for lunch.",
        "narrative": "Hit a peer twice with a closed fist and kept swinging.",
        "deescalation": "Offered a break card, lowered voice, moved peers away.",
        "interventions": "Two-person standing restraint.",
        "imminent_risk": "Hitting a peer in the head; the peer could not get away.",
        "less_restrictive_tried": "Break card, verbal prompts, removing peers.",
        "episode_kind": "physical",
        "technique": "Two-person standing hold, arms at the sides",
        "episode_start": "10:05",
        "episode_end": "10:12",
        "monitoring": "Breathing and color checked by the observer.",
        "release_criteria": "Calm body for 30 seconds.",
        "applied_by": [staff.pk],
        "staff_involved": [staff.pk],
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def trained(world):
    """The assistant's crisis training is current."""
    return Credential.objects.create(
        staff=world.assistant.staff,
        kind=Kind.CRISIS,
        issued_on=date.today() - timedelta(days=300),
        expires_on=date.today() + timedelta(days=400),
    )


@pytest.fixture
def principal(world):
    """An administrator of the school: may review reports there."""
    from trellis.people.models import Role

    return make_staff("principal", world.school, Role.PROGRAM_ADMIN)


@pytest.fixture(autouse=True)
def emails(world):
    """Everyone has an address."""
    for user in (world.supervisor, world.assistant, world.nurse, world.program_admin):
        user.email = f"{user.username}@example.org"
        user.save()


def committed(call):
    """Run a request as if its transaction committed, so emails queued for then are sent."""
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        return call()


def signature(user, **overrides):
    """What a signer types: their name as on the account and their password."""
    return {"typed_name": user.get_full_name(), "password": PASSWORD} | overrides
