"""API tokens (issue 12): they expire, die with a password change or a deactivation, carry a
scope (read, or sync), and only staff hold them."""

import json
from datetime import timedelta

import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client, override_settings
from django.utils import timezone

from trellis.audit.models import AuditEntry
from trellis.collect.models import ApiToken
from trellis.people import staffing
from trellis.testing import PASSWORD

pytestmark = pytest.mark.django_db


def bearer(raw):
    return Client(headers={"authorization": f"Bearer {raw}"})


def learners(raw):
    return bearer(raw).get("/api/v1/learners").status_code


def sync(raw):
    body = json.dumps({"events": []})
    return bearer(raw).post("/api/v1/sync", body, content_type="application/json")


@override_settings(TRELLIS_TOKEN_DAYS=30)
def test_a_token_expires_after_the_configured_lifetime(world):
    token, raw = ApiToken.issue(world.assistant)
    lifetime = token.expires_at - token.created_at
    assert lifetime == pytest.approx(timedelta(days=30), abs=timedelta(seconds=5))
    assert learners(raw) == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert learners(raw) == 401


def test_changing_the_password_revokes_every_token(client, world):
    _, raw = ApiToken.issue(world.assistant)
    _, other = ApiToken.issue(world.assistant, "Tablet")
    client.force_login(world.assistant)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "a new and long passphrase",
            "new_password2": "a new and long passphrase",
        },
    )
    assert response.status_code == 302
    assert learners(raw) == 401 and learners(other) == 401
    assert not ApiToken.objects.filter(user=world.assistant, revoked_at__isnull=True).exists()
    entry = AuditEntry.objects.filter(action="token.revoke").latest("id")
    assert entry.detail["reason"] == "password changed" and entry.actor_id == world.assistant.pk


def test_a_password_hash_upgraded_at_sign_in_keeps_the_tokens(world):
    # Django rehashes a password with a newer hasher when its owner signs in: not a change.
    world.assistant.password = make_password(PASSWORD, hasher="md5")
    world.assistant.save()
    _, raw = ApiToken.issue(world.assistant)
    hashers = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    with override_settings(PASSWORD_HASHERS=hashers):
        signed_in = Client().post(
            "/accounts/login/", {"username": "assistant", "password": PASSWORD}
        )
        assert signed_in.status_code == 302
    world.assistant.refresh_from_db()
    assert world.assistant.password.startswith("pbkdf2_")
    assert learners(raw) == 200


def test_deactivating_the_login_revokes_its_tokens(world):
    token, raw = ApiToken.issue(world.assistant)
    staffing.deactivate(by=world.program_admin, staff=world.assistant.staff, reason="Left")
    token.refresh_from_db()
    assert token.revoked_at is not None
    staffing.reactivate(by=world.program_admin, staff=world.assistant.staff)
    assert learners(raw) == 401


def test_a_read_token_reads_but_may_not_record(world):
    _, raw = ApiToken.issue(world.assistant, scope=ApiToken.Scope.READ)
    assert learners(raw) == 200
    response = sync(raw)
    assert response.status_code == 403 and "read" in response.json()["detail"]
    response = bearer(raw).post(
        "/api/v1/sessions",
        json.dumps({"learner": world.own_learner.pk, "goals": [1], "started_at": "2025-03-03"}),
        content_type="application/json",
    )
    assert response.status_code == 403
    _, writer = ApiToken.issue(world.assistant, scope=ApiToken.Scope.SYNC)
    assert sync(writer).status_code == 200 and learners(writer) == 200


def test_only_staff_hold_tokens(client, world):
    with pytest.raises(Exception, match="staff"):
        ApiToken.issue(world.guardian)
    client.force_login(world.guardian)
    assert client.get("/accounts/tokens/").status_code == 404
    assert client.post("/accounts/tokens/", {"name": "Phone"}).status_code == 404
    assert not ApiToken.objects.filter(user=world.guardian).exists()
    assert "API tokens" not in client.get("/accounts/profile/").content.decode()


def test_a_token_of_someone_who_is_not_staff_is_refused(world):
    # Made before the rule (as the migration found them): it opens nothing.
    token = ApiToken.objects.create(
        user=world.guardian,
        digest="0" * 64,
        hint="trl_0000",
        expires_at=timezone.now() + timedelta(days=1),
    )
    assert token.pk
    response = Client(headers={"authorization": "Bearer trl_guardian"}).get("/api/v1/learners")
    assert response.status_code == 401
    raw = "trl_guardian"
    from trellis.collect.models import hash_token

    ApiToken.objects.filter(pk=token.pk).update(digest=hash_token(raw))
    assert learners(raw) == 401


def test_the_token_page_offers_a_scope_and_shows_each_expiry(client, world):
    client.force_login(world.assistant)
    response = client.post("/accounts/tokens/", {"name": "Tablet", "scope": "sync"})
    token = ApiToken.objects.get(user=world.assistant, name="Tablet")
    assert token.scope == "sync"
    page = response.content.decode()
    assert f"expires {timezone.localtime(token.expires_at):%Y-%m-%d}" in page
    assert "Read and record" in page and "works for 90 days" in page
    client.post("/accounts/tokens/", {"name": "Report script"})
    assert ApiToken.objects.get(name="Report script").scope == "read"
    entry = AuditEntry.objects.filter(action="token.create").latest("id")
    assert entry.detail["scope"] == "read"
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(days=1))
    assert "expired" in client.get("/accounts/profile/").content.decode()
