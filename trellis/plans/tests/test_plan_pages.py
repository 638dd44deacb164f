"""The supervisor's plan pages: write a draft with goals, approve it, revise it, and the pick
lists; forms name the field that is wrong."""

import pytest

from trellis.audit.models import AuditEntry
from trellis.plans.models import AbcOption, Goal, Plan, PromptHierarchy
from trellis.testing import make_goal

pytestmark = pytest.mark.django_db


def test_a_supervisor_writes_approves_and_revises_a_plan(client, world):
    client.force_login(world.supervisor)
    learner = world.own_learner
    response = client.post(
        f"/learners/{learner.pk}/plans/new/",
        {
            "kind": "bip",
            "title": "Behavior plan",
            "settings": ["school", "home"],
            "summary": "Prevent, teach, respond.",
        },
    )
    plan = Plan.objects.get(learner=learner)
    assert response.url == f"/plans/{plan.pk}/"
    response = client.post(
        f"/plans/{plan.pk}/goals/new/",
        {
            "domain": "behavior",
            "name": "Off-task",
            "statement": "Less off-task.",
            "direction": "decrease",
            "measure": "partial_interval",
            "interval_seconds": "15",
            "session_minutes": "5",
        },
    )
    goal = Goal.objects.get(plan=plan)
    assert goal.measure_settings == {"interval_seconds": 15, "session_minutes": 5.0}
    assert client.post(f"/plans/{plan.pk}/approve/").status_code == 302
    plan.refresh_from_db()
    assert plan.status == "approved"
    page = client.get(f"/plans/{plan.pk}/edit/")
    assert b"read-only" in page.content
    response = client.post(f"/plans/{plan.pk}/revise/", {"reason": "New baseline"})
    new = Plan.objects.get(supersedes=plan)
    assert response.url == f"/plans/{new.pk}/"
    page = client.get(f"/plans/{plan.pk}/").content.decode()
    assert "Version 2" in page and "Version 1" in page
    assert AuditEntry.objects.filter(action="plan.view", learner_id=learner.pk).exists()


def test_a_goal_form_names_the_measure_setting_that_is_wrong(client, world):
    client.force_login(world.supervisor)
    plan = Plan.objects.create(learner=world.own_learner, kind="iep", title="IEP")
    response = client.post(
        f"/plans/{plan.pk}/goals/new/",
        {
            "domain": "adaptive",
            "name": "Handwashing",
            "statement": "Washes hands.",
            "direction": "increase",
            "measure": "task_analysis",
            "steps": "",
        },
    )
    assert response.status_code == 200
    assert "at least one step" in " ".join(response.context["form"].errors["steps"])
    assert b"Handwashing" in response.content  # the rest of the input is kept
    assert not Goal.objects.exists()


def test_an_assistant_reads_plans_but_cannot_write_them(client, world):
    goal = make_goal(world, world.own_learner, "trials", targets=["cup"])
    client.force_login(world.assistant)
    assert client.get(f"/plans/{goal.plan_id}/").status_code == 200
    assert client.get(f"/plans/{goal.plan_id}/revise/").status_code == 404
    response = client.post(
        f"/goals/{goal.pk}/",
        {"action": "add_phase", "phase-kind": "baseline", "phase-starts_on": "2025-01-01"},
    )
    assert response.status_code == 404
    assert not goal.phases.exists()


def test_targets_and_phases_are_managed_on_the_goal_page(client, world):
    goal = make_goal(world, world.own_learner, "trials", targets=["cup"])
    client.force_login(world.supervisor)
    client.post(
        f"/goals/{goal.pk}/",
        {
            "action": "add_target",
            "target-name": "ball",
            "target-mastery_percent": 90,
            "target-mastery_basis": "independent",
            "target-mastery_sessions": 3,
        },
    )
    ball = goal.targets.get(name="ball")
    assert ball.mastery_percent == 90
    client.post(
        f"/goals/{goal.pk}/",
        {
            "action": "change_state",
            "state-target": ball.pk,
            "state-to_state": "acquisition",
            "state-reason": "go",
        },
    )
    ball.refresh_from_db()
    assert ball.state == "acquisition"
    client.post(
        f"/goals/{goal.pk}/",
        {
            "action": "add_phase",
            "phase-kind": "intervention",
            "phase-label": "Errorless",
            "phase-starts_on": "2025-02-03",
        },
    )
    assert goal.phases.get().label == "Errorless"


def test_the_profile_shows_current_plans_to_staff_only(client, world):
    goal = make_goal(world, world.own_learner, name="Handraising")
    client.force_login(world.assistant)
    assert b"Handraising" in client.get(f"/learners/{world.own_learner.pk}/").content
    client.force_login(world.guardian)
    assert b"Handraising" not in client.get(f"/learners/{world.own_learner.pk}/").content
    assert goal


def test_behavior_definitions_are_written_by_supervisors(client, world):
    client.force_login(world.supervisor)
    client.post(
        f"/learners/{world.own_learner.pk}/definitions/",
        {"name": "Elopement", "definition": "Leaving the area without permission."},
    )
    page = client.get(f"/learners/{world.own_learner.pk}/definitions/")
    assert b"Leaving the area" in page.content
    response = client.post(f"/learners/{world.own_learner.pk}/definitions/", {"name": "x"})
    assert "definition" in response.context["form"].errors


def test_supervisors_edit_the_pick_lists_and_prompt_levels(client, world):
    client.force_login(world.supervisor)
    url = f"/organizations/lists/?organization={world.school.pk}"
    client.post(
        url,
        {
            "organization": world.school.pk,
            "action": "add_option",
            "abc-kind": "antecedent",
            "abc-label": "Fire drill",
            "abc-order": 1,
        },
    )
    assert AbcOption.objects.get(organization=world.school).code == "fire-drill"
    response = client.post(
        url,
        {
            "organization": world.school.pk,
            "action": "prompts",
            "prompts-levels": "gestural | Gestural",
        },
    )
    assert "independent" in " ".join(response.context["prompt_form"].errors["levels"])
    client.post(
        url,
        {
            "organization": world.school.pk,
            "action": "prompts",
            "prompts-levels": "independent | Independent\nverbal | Verbal",
        },
    )
    assert PromptHierarchy.levels_for(world.school)[1]["code"] == "verbal"
    client.force_login(world.assistant)
    assert client.get("/organizations/lists/").status_code == 404


def test_editing_a_goal_audits_the_fields_that_changed(client, world, draft):
    goal = draft.goals.get(name="Reading")
    client.force_login(world.supervisor)
    form = client.get(f"/goals/{goal.pk}/edit/").context["form"]
    values = {name: value for name, value in form.initial.items() if value is not None}
    client.post(f"/goals/{goal.pk}/edit/", values | {"goal_value": "70"})
    entry = AuditEntry.objects.get(action="goal.update", actor_id=world.supervisor.pk)
    assert entry.detail["changed"] == ["goal_value"]


@pytest.mark.parametrize(
    "page, action",
    [
        ("/plans/{plan}/edit/", "plan.view"),
        ("/plans/{plan}/approve/", "plan.view"),
        ("/plans/{plan}/revise/", "plan.view"),
        ("/plans/{plan}/goals/new/", "plan.view"),
        ("/goals/{goal}/edit/", "goal.view"),
    ],
)
def test_the_writing_pages_audit_the_plan_they_show(client, world, draft, page, action):
    """A form filled with a learner's plan is a read of their record like any other page."""
    goal = draft.goals.first()
    client.force_login(world.supervisor)
    response = client.get(page.format(plan=draft.pk, goal=goal.pk))
    assert response.status_code == 200
    entry = AuditEntry.objects.filter(action=action, actor_id=world.supervisor.pk).last()
    assert entry is not None and entry.learner_id == world.own_learner.pk
