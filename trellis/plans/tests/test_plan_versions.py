"""A supervisor writes a plan, approves it (read-only), and revises it as a new version; every
version stays readable and the goal's data follows it across versions."""

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from trellis.audit.models import AuditEntry
from trellis.plans import actions
from trellis.plans.models import Goal, Plan

pytestmark = pytest.mark.django_db


def draft_with_goal(world):
    plan = actions.create_plan(
        world.supervisor, world.own_learner, kind="iep", title="IEP", settings=["school"]
    )
    goal = actions.add_goal(
        world.supervisor,
        plan,
        domain="academic",
        name="Fluency",
        statement="Reads 90 wcpm.",
        measure="probe",
        measure_settings={"seconds": 60, "unit": "wcpm"},
        goal_value=90,
    )
    actions.add_target(world.supervisor, goal, name="Passage set A")
    return plan, goal


def test_approval_makes_the_version_read_only(world):
    plan, goal = draft_with_goal(world)
    actions.approve_plan(world.supervisor, plan)
    plan.refresh_from_db()
    assert plan.status == "approved" and plan.approved_by == world.supervisor
    with pytest.raises(ValidationError) as error:
        actions.update_plan(world.supervisor, plan, title="Changed")
    assert "read-only" in str(error.value)
    with pytest.raises(ValidationError):
        actions.update_goal(world.supervisor, goal, statement="Changed")
    with pytest.raises(ValidationError):
        actions.add_goal(
            world.supervisor, plan, domain="academic", name="x", statement="x", measure="duration"
        )
    assert Plan.objects.get(pk=plan.pk).title == "IEP"
    assert AuditEntry.objects.filter(
        action="plan.approve", learner_id=world.own_learner.pk
    ).exists()


def test_a_revision_is_a_new_version_copying_goals_and_superseding_on_approval(world):
    plan, goal = draft_with_goal(world)
    actions.approve_plan(world.supervisor, plan)
    new = actions.revise_plan(world.supervisor, plan, reason="Annual review")
    assert (new.version, new.status, new.supersedes) == (2, "draft", plan)
    copy = new.goals.get()
    assert copy.pk != goal.pk and copy.lineage == goal.lineage
    assert copy.targets.get().lineage == goal.targets.get().lineage
    plan.refresh_from_db()
    assert plan.status == "approved"  # in force until the new version is approved
    actions.update_goal(world.supervisor, copy, goal_value=100)
    actions.approve_plan(world.supervisor, new)
    plan.refresh_from_db()
    assert plan.status == "superseded"
    assert list(new.versions()) == [new, plan]
    assert Goal.objects.get(pk=goal.pk).goal_value == 90  # the old version is kept as it was
    assert list(Goal.objects.current().filter(plan__learner=world.own_learner)) == [copy]


def test_a_revision_needs_a_reason_and_only_one_draft_at_a_time(world):
    plan, _ = draft_with_goal(world)
    with pytest.raises(ValidationError):
        actions.revise_plan(world.supervisor, plan, reason="x")  # a draft is edited, not revised
    actions.approve_plan(world.supervisor, plan)
    with pytest.raises(ValidationError) as error:
        actions.revise_plan(world.supervisor, plan, reason="  ")
    assert "change_reason" in error.value.message_dict
    actions.revise_plan(world.supervisor, plan, reason="Review")
    with pytest.raises(ValidationError):
        actions.revise_plan(world.supervisor, plan, reason="Again")


def test_an_assistant_cannot_write_plans(world):
    with pytest.raises(Http404):
        actions.create_plan(world.assistant, world.own_learner, kind="iep", title="Mine")
    assert AuditEntry.objects.filter(action="plan.change", result="denied").exists()
    assert not Plan.objects.exists()


def test_an_rti_plan_needs_its_tier_and_settings_are_checked(world):
    with pytest.raises(ValidationError) as error:
        actions.create_plan(world.supervisor, world.own_learner, kind="rti", title="T2")
    assert "tier" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        actions.create_plan(
            world.supervisor, world.own_learner, kind="iep", title="x", settings=["moon"]
        )
    assert "settings" in error.value.message_dict


@pytest.mark.parametrize(
    "measure,settings,problem",
    [
        ("partial_interval", {"session_minutes": 5}, "interval length"),
        ("partial_interval", {"interval_seconds": 900, "session_minutes": 5}, "longer"),
        ("task_analysis", {"steps": []}, "at least one step"),
        ("rating", {"rows": [{"label": "Safe", "max": 0}]}, "more than zero"),
        ("probe", {}, "probe timing"),
        ("frequency", {"rate_unit": "per_week"}, "rate unit"),
    ],
)
def test_goal_measure_settings_are_validated(world, measure, settings, problem):
    plan, _ = draft_with_goal(world)
    with pytest.raises(ValidationError) as error:
        actions.add_goal(
            world.supervisor,
            plan,
            domain="behavior",
            name="g",
            statement="g",
            measure=measure,
            measure_settings=settings,
        )
    assert problem in " ".join(error.value.message_dict["measure_settings"])


def test_a_target_moves_through_its_states_with_history(world):
    plan, goal = draft_with_goal(world)
    actions.approve_plan(world.supervisor, plan)
    target = goal.targets.get()
    actions.change_target_state(world.supervisor, target, to_state="acquisition", reason="Start")
    actions.change_target_state(world.supervisor, target, to_state="mastered", reason="3 × 80%")
    target.refresh_from_db()
    assert target.state == "mastered"
    assert [c.to_state for c in target.state_changes.all()] == [
        "baseline",
        "acquisition",
        "mastered",
    ]
    with pytest.raises(ValidationError):
        actions.change_target_state(world.supervisor, target, to_state="mastered")


def test_phases_can_be_added_to_an_approved_goal(world):
    plan, goal = draft_with_goal(world)
    actions.approve_plan(world.supervisor, plan)
    phase = actions.add_phase(
        world.supervisor,
        goal,
        kind="intervention",
        starts_on=plan.created_at.date(),
        label="Repeated reading",
    )
    assert phase.name == "Repeated reading"
    with pytest.raises(ValidationError) as error:
        actions.add_phase(world.supervisor, goal, kind="other", starts_on=phase.starts_on)
    assert "starts_on" in error.value.message_dict


def test_in_the_admin_an_approved_version_its_goals_and_their_targets_are_read_only(
    client, world, draft
):
    """Approval locks the version wherever it is opened, the Django admin included."""
    from trellis.testing import make_user

    actions.approve_plan(world.supervisor, draft)
    goal = draft.goals.first()
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    for url in (f"/admin/plans/plan/{draft.pk}/", f"/admin/plans/goal/{goal.pk}/"):
        page = client.get(f"{url}change/").content.decode()
        assert 'name="_save"' not in page  # a view, not a form
        assert client.post(f"{url}delete/", {"post": "yes"}).status_code == 403
    renamed = client.post(f"/admin/plans/goal/{goal.pk}/change/", {"name": "Renamed"})
    assert renamed.status_code == 403
    goal.refresh_from_db()
    assert goal.name == "Requesting" and draft.goals.count() == 2
