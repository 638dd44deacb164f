"""Personal API tokens: created on the profile page or with `trellis token create`, shown
once, stored hashed, sent as `Authorization: Bearer …`; and the CSRF check for browsers."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from trellis.audit.models import AuditEntry
from trellis.collect.models import ApiToken, hash_token
from trellis.testing import make_goal, make_session

pytestmark = pytest.mark.django_db


def test_the_command_prints_the_token_alone_on_its_last_line(world):
    out = StringIO()
    call_command("token", "create", "assistant", stdout=out)
    raw = out.getvalue().strip().splitlines()[-1]
    assert raw.startswith("trl_") and " " not in raw
    token = ApiToken.objects.get(user=world.assistant)
    assert token.digest == hash_token(raw) and raw not in token.digest
    response = Client().get("/api/v1/learners", headers={"authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    assert [row["id"] for row in response.json()] == [world.own_learner.pk]
    entry = AuditEntry.objects.filter(action="caseload.view").latest("id")
    assert entry.actor_id == world.assistant.pk


def test_an_unknown_or_revoked_token_is_401(world):
    assert (
        Client().get("/api/v1/learners", headers={"authorization": "Bearer trl_nope"}).status_code
        == 401
    )
    token, raw = ApiToken.issue(world.assistant)
    token.revoked_at = token.created_at
    token.save()
    assert (
        Client().get("/api/v1/learners", headers={"authorization": f"Bearer {raw}"}).status_code
        == 401
    )


def test_a_token_needs_no_csrf_but_a_browser_session_does(world):
    goal = make_goal(world, world.own_learner)
    session = make_session(world, world.own_learner, [goal], by=world.assistant)
    body = json.dumps({"events": []})
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.assistant)
    assert browser.post("/api/v1/sync", body, content_type="application/json").status_code == 403
    browser.get("/accounts/profile/")
    csrf = browser.cookies["csrftoken"].value
    response = browser.post(
        "/api/v1/sync", body, content_type="application/json", headers={"x-csrftoken": csrf}
    )
    assert response.status_code == 200
    _, raw = ApiToken.issue(world.assistant)
    tablet = Client(enforce_csrf_checks=True)
    response = tablet.post(
        "/api/v1/sync",
        body,
        content_type="application/json",
        headers={"authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 200
    assert session.pk


def test_a_token_is_created_on_the_profile_page_and_shown_once(client, world):
    client.force_login(world.assistant)
    response = client.post("/accounts/tokens/", {"name": "Classroom tablet"})
    assert response.status_code == 200
    token = ApiToken.objects.get(user=world.assistant, name="Classroom tablet")
    raw = response.context["new_token"]
    assert hash_token(raw) == token.digest and raw in response.content.decode()
    page = client.get("/accounts/profile/").content.decode()
    assert "Classroom tablet" in page and raw not in page
    client.post("/accounts/tokens/revoke/", {"token": token.pk})
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEntry.objects.filter(action="token.revoke").exists()


def test_nobody_revokes_another_users_token(client, world):
    token, _ = ApiToken.issue(world.assistant)
    client.force_login(world.other_assistant)
    assert client.post("/accounts/tokens/revoke/", {"token": token.pk}).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
