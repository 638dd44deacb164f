from datetime import date

import pytest

from trellis.people.models import Role
from trellis.plans import actions
from trellis.testing import make_staff


@pytest.fixture
def draft(world):
    """A draft IEP of own_learner, written by the supervisor: a trials goal "Requesting" with
    the targets "cup" and "ball" and a baseline phase, and a probe goal "Reading"."""
    plan = actions.create_plan(world.supervisor, world.own_learner, kind="iep", title="IEP")
    requesting = actions.add_goal(
        world.supervisor,
        plan,
        domain="communication",
        name="Requesting",
        statement="Requests items with a word.",
        measure="trials",
    )
    for name in ("cup", "ball"):
        actions.add_target(world.supervisor, requesting, name=name)
    actions.add_phase(world.supervisor, requesting, kind="baseline", starts_on=date(2025, 9, 1))
    actions.add_goal(
        world.supervisor,
        plan,
        domain="academic",
        name="Reading",
        statement="Reads 60 words correct per minute.",
        measure="probe",
        measure_settings={"seconds": 60, "unit": "wcpm"},
    )
    return plan


@pytest.fixture
def birch_supervisor(world):
    """A supervisor at Birch School: writes plans and pick lists there, nothing at Alder."""
    return make_staff("birchsupervisor", world.other_school, Role.SUPERVISOR)
