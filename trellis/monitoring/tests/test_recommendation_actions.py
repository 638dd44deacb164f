"""A supervisor accepts or dismisses a recommendation: a change starts a new phase (through
the plans actions, audited), an advanced target is marked mastered, a dismissal needs a
reason; everything is kept in the learner's history."""

import datetime as dt

import pytest
from django.utils import timezone

from trellis.audit.models import AuditEntry
from trellis.monitoring.models import Recommendation
from trellis.monitoring.status import evaluate_goal
from trellis.monitoring.tests.helpers import (
    START,
    add_event,
    add_probes,
    add_session,
    monitored_goal,
    recorder,
)
from trellis.plans.models import Phase, Target

pytestmark = pytest.mark.django_db


def flagged_goal(world):
    goal = monitored_goal(world.own_learner)
    by = recorder(world, world.own_learner)
    add_probes(goal, [20, 20, 20, 20, 20], by=by)
    add_probes(goal, [21, 21, 22, 21], by=by, start=START + dt.timedelta(days=14))
    evaluate_goal(goal, today=START + dt.timedelta(days=30))
    return goal, Recommendation.objects.get(goal=goal)


def test_accepting_a_change_starts_a_new_phase_shown_on_the_graph(client, world):
    goal, rec = flagged_goal(world)
    client.force_login(world.supervisor)
    response = client.post(
        f"/recommendations/{rec.pk}/accept/",
        {"phase_label": "Added repeated reading", "starts_on": "2025-09-28", "note": "Team met"},
    )
    assert response.status_code == 302
    rec.refresh_from_db()
    assert rec.status == "accepted" and rec.decided_by == world.supervisor
    assert rec.reason == "Team met"
    phase = Phase.objects.get(goal=goal, label="Added repeated reading")
    assert rec.phase == phase and phase.starts_on == dt.date(2025, 9, 28)
    assert AuditEntry.objects.filter(action="recommendation.accept", result="ok").exists()
    assert AuditEntry.objects.filter(action="phase.create").exists()
    body = client.get(f"/goals/{goal.pk}/monitor/").content.decode()
    svg = body[body.index("<svg") : body.index("</svg>")]
    assert "Added repeated reading" in svg
    assert "accepted by Supervisor" in body
    # In the learner's history on the profile page too.
    profile = client.get(f"/learners/{world.own_learner.pk}/").content.decode()
    assert "Change the intervention" in profile and "accepted" in profile


def test_a_recommendation_is_decided_once(client, world):
    goal, rec = flagged_goal(world)
    client.force_login(world.supervisor)
    client.post(f"/recommendations/{rec.pk}/dismiss/", {"reason": "Learner was ill"})
    response = client.post(f"/recommendations/{rec.pk}/accept/", {})
    assert response.status_code == 400
    assert "dismissed already" in response.content.decode()
    assert (
        not Phase.objects.filter(goal=goal, kind="intervention")
        .exclude(label="Intervention")
        .exists()
    )


def test_dismissing_needs_a_reason(client, world):
    goal, rec = flagged_goal(world)
    client.force_login(world.supervisor)
    response = client.post(
        f"/recommendations/{rec.pk}/dismiss/", {"reason": "  "}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 400
    assert "Say why this recommendation is dismissed." in response.content.decode()
    rec.refresh_from_db()
    assert rec.status == "open"
    client.post(f"/recommendations/{rec.pk}/dismiss/", {"reason": "Learner was ill all week"})
    rec.refresh_from_db()
    assert rec.status == "dismissed" and rec.reason == "Learner was ill all week"
    entry = AuditEntry.objects.get(action="recommendation.dismiss")
    assert entry.detail["reason"] == "Learner was ill all week"


def test_a_phase_date_that_is_taken_is_refused_with_the_field_named(client, world):
    goal, rec = flagged_goal(world)
    client.force_login(world.supervisor)
    response = client.post(
        f"/recommendations/{rec.pk}/accept/",
        {"starts_on": START.isoformat(), "phase_label": "Keep me"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Another phase starts on this date." in body and 'value="Keep me"' in body


def test_accepting_advance_the_target_marks_it_mastered(client, world):
    goal = monitored_goal(
        world.own_learner, "trials", goal_value=None, goal_date=None, phases=(), targets=["Colors"]
    )
    target = goal.targets.get()
    by = recorder(world, world.own_learner)
    for day in range(3):
        session, _ = add_session(goal, START + dt.timedelta(days=day), [], by=by)
        for _ in range(9):
            add_event(
                session,
                goal,
                "trial",
                {"result": "correct", "prompt": "independent"},
                by=by,
                target=target,
            )
        add_event(
            session, goal, "trial", {"result": "incorrect", "prompt": None}, by=by, target=target
        )
    evaluate_goal(goal, today=START + dt.timedelta(days=3))
    rec = Recommendation.objects.get(kind="advance_target")
    assert rec.target == target
    client.force_login(world.supervisor)
    client.post(f"/recommendations/{rec.pk}/accept/", {"note": "Probe next week"})
    target.refresh_from_db()
    assert target.state == Target.State.MASTERED and target.state_since == timezone.localdate()
    change = target.state_changes.get(to_state="mastered")
    assert "Mastery criterion met" in change.reason and change.changed_by == world.supervisor


def test_a_new_phase_needs_a_label(client, world):
    """The graph's phase line says what changed: an empty label is refused, nothing starts."""
    goal, rec = flagged_goal(world)
    client.force_login(world.supervisor)
    response = client.post(
        f"/recommendations/{rec.pk}/accept/",
        {"starts_on": "2025-09-28", "phase_label": "  ", "note": "Team met"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 400
    assert "Name the new phase" in response.content.decode()
    rec.refresh_from_db()
    assert rec.status == "open" and not Phase.objects.filter(goal=goal, label="").exists()


def test_a_reduction_goal_beating_its_aim_line_is_flagged_lower_the_goal(client, world):
    goal = monitored_goal(
        world.own_learner, "frequency", name="Call-outs", goal_value=2.0, direction="decrease"
    )
    rec = Recommendation.objects.create(
        goal=goal,
        goal_lineage=goal.lineage,
        learner=world.own_learner,
        kind="raise_goal",
        explanation="The last 4 data points are all below the aim line.",
        evidence={},
        raised_at=timezone.now(),
    )
    client.force_login(world.supervisor)
    body = client.get(f"/goals/{goal.pk}/monitor/").content.decode()
    assert "Lower the goal" in body and "Accept: lower the goal" in body
    assert "Raise the goal" not in body
    assert str(rec) == "Lower the goal (open)"
