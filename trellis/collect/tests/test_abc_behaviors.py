"""One behavior, one spelling (issue 11): the ABC control offers the learner's defined
behaviors, and ingest stores a typed behavior trimmed, its spaces collapsed, and spelled as the
defined behavior it matches without regard to case."""

import json
import uuid

import pytest
from django.utils import timezone

from trellis.collect import actions
from trellis.collect.models import Event
from trellis.plans.models import AbcOption, BehaviorDefinition, Plan
from trellis.testing import make_goal, make_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def abc_session(world):
    learner = world.own_learner
    goal = make_goal(world, learner, "abc", name="ABC log")
    bip = Plan.objects.create(
        learner=learner,
        kind=Plan.Kind.BIP,
        title="Behavior plan",
        status=Plan.Status.APPROVED,
        approved_at=timezone.now(),
    )
    draft = Plan.objects.create(
        learner=learner, kind=Plan.Kind.BIP, title="Next plan", status=Plan.Status.DRAFT
    )
    BehaviorDefinition.objects.create(
        learner=learner, plan=bip, name="Call-out", definition="Speaking without being called on."
    )
    BehaviorDefinition.objects.create(
        learner=learner, plan=draft, name="Spitting", definition="Not in force yet."
    )
    AbcOption.objects.create(
        organization=learner.organization, kind="behavior", code="call-out", label="call-out"
    )
    AbcOption.objects.create(
        organization=learner.organization, kind="behavior", code="yelling", label="Yelling"
    )
    return make_session(world, learner, [goal], by=world.assistant), goal


def record(world, session, goal, behaviors):
    results = actions.ingest_events(
        world.assistant,
        [
            {
                "id": str(uuid.uuid4()),
                "session": str(session.pk),
                "goal": goal.pk,
                "kind": "abc",
                "value": {"antecedent": "demand-placed", "behavior": behavior},
                "recorded_at": timezone.now().isoformat(),
            }
            for behavior in behaviors
        ],
    )
    return results


def test_a_typed_behavior_is_stored_with_the_defined_spelling(world, abc_session):
    session, goal = abc_session

    results = record(
        world,
        session,
        goal,
        [" call-out ", "CALL   OUT", "call_out", "Pencil   tapping ", "spitting"],
    )

    assert {r["status"] for r in results} == {"accepted"}, results
    stored = [e.value["behavior"] for e in Event.objects.filter(session=session)]
    # A draft plan's definition is not in force: "spitting" is only tidied.
    assert sorted(stored) == ["Call-out", "Call-out", "Call-out", "Pencil tapping", "spitting"]
    assert Event.objects.filter(session=session, value__antecedent="demand-placed").count() == 5


def test_a_behavior_of_only_spaces_is_no_behavior(world, abc_session):
    session, goal = abc_session
    results = actions.ingest_events(
        world.assistant,
        [
            {
                "id": str(uuid.uuid4()),
                "session": str(session.pk),
                "goal": goal.pk,
                "kind": "abc",
                "value": {"behavior": "   "},
                "recorded_at": timezone.now().isoformat(),
            }
        ],
    )

    assert results[0]["status"] == "rejected"
    assert "needs an antecedent, a behavior or a consequence" in results[0]["reason"]


def test_the_screen_offers_the_defined_behaviors_and_not_their_other_spellings(
    client, world, abc_session
):
    session, _ = abc_session
    client.force_login(world.assistant)

    html = client.get(f"/collect/sessions/{session.pk}/").content.decode()

    data = json.loads(
        html.split('id="screen-data" type="application/json">')[1].split("</script>")[0]
    )
    behaviors = data["learners"][0]["abc"]["behavior"]
    assert behaviors == [
        {"code": "Call-out", "label": "Call-out"},
        {"code": "yelling", "label": "Yelling"},
    ]
