from datetime import date, timedelta

import pytest

from trellis.testing import CaseRole, assign


@pytest.fixture
def nurse(world):
    """The school nurse, on own_learner's case: enters orders and charts doses."""
    assign(world.nurse, world.own_learner, CaseRole.NURSE)
    world.nurse.email = "nurse@example.org"
    world.nurse.save()
    world.supervisor.email = "supervisor@example.org"
    world.supervisor.save()
    return world.nurse


@pytest.fixture
def trained_assistant(world):
    """The assistant with a current medication-administration training."""
    from trellis.credentials.models import Credential, Kind

    Credential.objects.create(
        staff=world.assistant.staff,
        kind=Kind.MEDICATION,
        issued_on=date.today() - timedelta(days=30),
        expires_on=date.today() + timedelta(days=300),
    )
    return world.assistant
