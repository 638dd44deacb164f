"""A supervisor edits a target of a draft on the goal page: its name and its mastery
criterion. The change is audited; a wrong value names its field and keeps the rest of the input;
an approved version's targets are read-only (they change in a revision)."""

import pytest

from trellis.audit.models import AuditEntry
from trellis.plans import actions
from trellis.plans.models import Target

pytestmark = pytest.mark.django_db


def edit(target, **values):
    """The goal page's edit form of `target` as stored, with `values` typed over it."""
    fields = {
        "name": target.name,
        "mastery_percent": target.mastery_percent,
        "mastery_basis": target.mastery_basis,
        "mastery_sessions": target.mastery_sessions,
    } | values
    return {"action": "edit_target", "target": target.pk} | {
        f"edit-{target.pk}-{name}": value for name, value in fields.items()
    }


def test_a_supervisor_renames_a_target_and_changes_its_mastery_criterion(client, world, draft):
    cup = Target.objects.get(name="cup")
    client.force_login(world.supervisor)
    page = client.get(f"/goals/{cup.goal_id}/").content.decode()
    assert "Edit “cup”" in page and f'name="edit-{cup.pk}-mastery_percent"' in page
    response = client.post(
        f"/goals/{cup.goal_id}/",
        edit(cup, name="cup (red)", mastery_percent=90, mastery_basis="correct"),
    )
    assert response.url == f"/goals/{cup.goal_id}/"
    cup.refresh_from_db()
    assert (cup.name, cup.mastery_percent, cup.mastery_basis, cup.mastery_sessions) == (
        "cup (red)",
        90,
        "correct",
        3,
    )
    assert cup.state == "baseline"  # a state moves only with "Move a target"
    page = client.get(f"/goals/{cup.goal_id}/").content.decode()
    assert "≥ 90% correct across 3 consecutive sessions" in page
    entry = AuditEntry.objects.get(action="target.update")
    assert (entry.actor_id, entry.learner_id, entry.object_id) == (
        world.supervisor.pk,
        world.own_learner.pk,
        str(cup.pk),
    )
    assert entry.detail["changed"] == ["mastery_basis", "mastery_percent", "name"]


def test_a_wrong_value_names_the_field_and_keeps_the_other_input(client, world, draft):
    cup = Target.objects.get(name="cup")
    client.force_login(world.supervisor)
    response = client.post(
        f"/goals/{cup.goal_id}/", edit(cup, name="cup (red)", mastery_sessions=40)
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Mastery sessions: Consecutive sessions must be from 1 to 20." in page
    assert 'value="cup (red)"' in page  # the new name is still in the form
    assert "<details open>" in page  # the form with the problem is open
    cup.refresh_from_db()
    assert (cup.name, cup.mastery_sessions) == ("cup", 3)
    assert not AuditEntry.objects.filter(action="target.update").exists()


def test_an_approved_versions_targets_are_not_edited(client, world, draft):
    actions.approve_plan(world.supervisor, draft)
    cup = Target.objects.get(name="cup")
    client.force_login(world.supervisor)
    assert "Edit “cup”" not in client.get(f"/goals/{cup.goal_id}/").content.decode()
    response = client.post(f"/goals/{cup.goal_id}/", edit(cup, name="mug"))
    assert response.status_code == 200
    assert "approved and read-only" in response.content.decode()
    cup.refresh_from_db()
    assert cup.name == "cup"


def test_a_target_of_another_goal_is_not_found(client, world, draft):
    cup = Target.objects.get(name="cup")
    reading = draft.goals.get(name="Reading")
    client.force_login(world.supervisor)
    assert client.post(f"/goals/{reading.pk}/", edit(cup, name="mug")).status_code == 404
    assert client.post(f"/goals/{cup.goal_id}/", edit(cup) | {"target": "x"}).status_code == 404
    cup.refresh_from_db()
    assert cup.name == "cup"


@pytest.mark.parametrize("persona", ["assistant", "birch_supervisor", "guardian", "outsider"])
def test_anyone_but_a_writer_of_the_learner_gets_a_404_and_the_attempt_is_audited(
    client, world, draft, birch_supervisor, persona
):
    # The assistant reads the goal but does not write plans; the others do not see it at all.
    user = birch_supervisor if persona == "birch_supervisor" else getattr(world, persona)
    cup = Target.objects.get(name="cup")
    client.force_login(user)
    assert client.post(f"/goals/{cup.goal_id}/", edit(cup, name="mug")).status_code == 404
    cup.refresh_from_db()
    assert cup.name == "cup"
    assert AuditEntry.objects.filter(result="denied", actor_id=user.pk).exists()
