"""A supervisor takes a goal out of a draft plan: the goal page asks first, the removal is
audited, and a refusal (an approved version, a goal with data) says why and removes nothing."""

import uuid

import pytest
from django.utils import timezone

from trellis.audit.models import AuditEntry
from trellis.collect.models import Event
from trellis.plans import actions
from trellis.plans.models import Goal, Phase, Target
from trellis.testing import make_session

pytestmark = pytest.mark.django_db


def test_the_goal_page_of_a_draft_asks_before_removing(client, world, draft):
    goal = draft.goals.get(name="Requesting")
    client.force_login(world.supervisor)
    page = client.get(f"/goals/{goal.pk}/").content.decode()
    assert "Remove this goal…" in page
    assert f'action="/goals/{goal.pk}/remove/"' in page
    assert "Yes, remove the goal" in page


def test_a_supervisor_removes_a_draft_goal_with_its_targets_and_phases(client, world, draft):
    goal = draft.goals.get(name="Requesting")
    client.force_login(world.supervisor)
    response = client.post(f"/goals/{goal.pk}/remove/")
    assert response.url == f"/plans/{draft.pk}/"
    assert list(draft.goals.values_list("name", flat=True)) == ["Reading"]
    assert not Target.objects.filter(goal_id=goal.pk).exists()
    assert not Phase.objects.filter(goal_id=goal.pk).exists()
    assert "Goal “Requesting” removed from this draft." in client.get(response.url).content.decode()
    entry = AuditEntry.objects.get(action="goal.remove")
    assert (entry.actor_id, entry.learner_id, entry.result) == (
        world.supervisor.pk,
        world.own_learner.pk,
        "ok",
    )
    assert (entry.object_id, entry.detail["name"]) == (str(goal.pk), "Requesting")


def test_a_program_admin_of_the_district_may_remove_it_too(client, world, draft):
    goal = draft.goals.get(name="Reading")
    client.force_login(world.program_admin)
    assert client.post(f"/goals/{goal.pk}/remove/").status_code == 302
    assert not Goal.objects.filter(pk=goal.pk).exists()


def test_an_approved_version_keeps_its_goals_and_the_page_says_why(client, world, draft):
    actions.approve_plan(world.supervisor, draft)
    goal = draft.goals.get(name="Reading")
    client.force_login(world.supervisor)
    page = client.get(f"/goals/{goal.pk}/").content.decode()
    assert "Remove this goal" not in page  # no button on a read-only version
    response = client.post(f"/goals/{goal.pk}/remove/", follow=True)
    assert response.redirect_chain == [(f"/goals/{goal.pk}/", 302)]
    assert "approved and read-only" in response.content.decode()
    assert Goal.objects.filter(pk=goal.pk).exists()
    assert not AuditEntry.objects.filter(action="goal.remove").exists()


def test_a_goal_with_recorded_data_is_not_removed(client, world, draft):
    goal = draft.goals.get(name="Reading")
    now = timezone.now()
    Event.objects.create(
        id=uuid.uuid4(),
        session=make_session(world, world.own_learner, [goal]),
        goal=goal,
        kind="probe",
        value={"score": 41, "errors": 3},
        recorded_at=now,
        received_at=now,
        recorded_by=world.assistant,
    )
    client.force_login(world.supervisor)
    response = client.post(f"/goals/{goal.pk}/remove/", follow=True)
    assert "This goal has data; it cannot be removed." in response.content.decode()
    assert Goal.objects.filter(pk=goal.pk).exists() and goal.events.count() == 1


@pytest.mark.parametrize("persona", ["assistant", "birch_supervisor", "guardian", "outsider"])
def test_anyone_but_a_writer_of_the_learner_gets_a_404_and_the_attempt_is_audited(
    client, world, draft, birch_supervisor, persona
):
    # The assistant sees the learner but does not write plans; Birch's supervisor writes plans
    # at another school; the guardian and the outsider write nothing.
    user = birch_supervisor if persona == "birch_supervisor" else getattr(world, persona)
    goal = draft.goals.get(name="Requesting")
    client.force_login(user)
    assert client.post(f"/goals/{goal.pk}/remove/").status_code == 404
    assert goal.targets.count() == 2
    denied = AuditEntry.objects.get(result="denied", actor_id=user.pk)
    assert denied.detail["path"] == f"/goals/{goal.pk}/remove/"


def test_removal_is_a_post(client, world, draft):
    goal = draft.goals.get(name="Requesting")
    client.force_login(world.supervisor)
    assert client.get(f"/goals/{goal.pk}/remove/").status_code == 405
    assert Goal.objects.filter(pk=goal.pk).exists()
    client.logout()
    assert client.post(f"/goals/{goal.pk}/remove/").url.startswith("/accounts/login/")
