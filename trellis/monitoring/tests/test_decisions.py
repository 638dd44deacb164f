"""Tier changes and referrals are recorded with who decided, when and on what data."""

import pytest

from trellis.audit.models import AuditEntry
from trellis.monitoring.models import TeamDecision
from trellis.monitoring.tests.test_recommendation_actions import flagged_goal

pytestmark = pytest.mark.django_db


def test_the_supervisor_records_a_tier_change_with_the_goals_as_evidence(client, world):
    goal, _ = flagged_goal(world)
    client.force_login(world.supervisor)
    url = f"/learners/{world.own_learner.pk}/decisions/"
    response = client.post(url, {"kind": "tier_change", "to_tier": "3", "rationale": "Flat ROI"})
    assert response.status_code == 302
    decision = TeamDecision.objects.get()
    assert decision.to_tier == 3 and decision.decided_by == world.supervisor
    assert decision.evidence["goals"][0]["name"] == goal.name
    assert decision.evidence["goals"][0]["flag"] == "change_intervention"
    assert AuditEntry.objects.filter(action="decision.record").exists()
    body = client.get(url).content.decode()
    assert "Tier not set → 3" in body and "Flat ROI" in body


def test_a_referral_names_what_it_is_for(client, world):
    client.force_login(world.supervisor)
    url = f"/learners/{world.own_learner.pk}/decisions/"
    response = client.post(url, {"kind": "referral", "refer_to": "", "rationale": "Articulation"})
    assert response.status_code == 400
    assert "Choose what the referral is for." in response.content.decode()
    client.post(url, {"kind": "referral", "refer_to": "speech", "rationale": "Articulation"})
    assert str(TeamDecision.objects.get()) == "Referral: Speech-language therapy"


def test_an_assistant_reads_the_decisions_but_cannot_record_one(client, world):
    client.force_login(world.assistant)
    url = f"/learners/{world.own_learner.pk}/decisions/"
    assert "Record a decision" not in client.get(url).content.decode()
    response = client.post(url, {"kind": "referral", "refer_to": "speech", "rationale": "x"})
    assert response.status_code == 404
    assert not TeamDecision.objects.exists()
