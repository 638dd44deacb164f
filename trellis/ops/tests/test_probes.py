"""A load balancer asks /healthz whether Trellis is alive and /readyz whether to send it traffic."""

import time

import pytest
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client

from trellis.accounts.middleware import LAST_SEEN
from trellis.audit.models import AuditEntry
from trellis.testing import PASSWORD, second_factor_code

pytestmark = pytest.mark.django_db
PROBES = ["/healthz", "/readyz", "/metrics"]


def test_a_running_trellis_is_alive_and_ready_without_a_broker(client):
    assert client.get("/healthz").content == b"ok"
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "ready": True,
        "checks": {
            "database": {"ok": True},
            "migrations": {"ok": True, "unapplied": 0},
            "broker": {"ok": True, "detail": "not configured"},
        },
    }
    assert "no-store" in response["Cache-Control"]  # a cached "ready" would hide an outage


def test_a_database_with_a_migration_not_applied_is_not_ready(client):
    latest = MigrationRecorder.Migration.objects.filter(app="collect").latest("id")
    MigrationRecorder(connection).record_unapplied(latest.app, latest.name)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["ready"] is False
    assert response.json()["checks"]["migrations"] == {"ok": False, "unapplied": 1}


def test_a_configured_redis_broker_is_pinged(client, settings):
    settings.TRELLIS_BROKER_URL = "redis://127.0.0.1:6379/0"
    broker = client.get("/readyz").json()["checks"]["broker"]
    if not broker["ok"]:
        pytest.skip("Redis does not answer at 127.0.0.1:6379")
    assert broker == {"ok": True}


def test_a_broker_that_does_not_answer_makes_trellis_not_ready(client, settings):
    settings.TRELLIS_BROKER_URL = "redis://127.0.0.1:9/0"  # the discard port: nobody listens
    started = time.monotonic()
    response = client.get("/readyz")
    assert time.monotonic() - started < 3
    assert response.status_code == 503
    # The answer is public: it names the kind of failure, not the broker's address.
    assert response.json()["checks"]["broker"] == {"ok": False, "error": "ConnectionError"}
    assert response.json()["checks"]["database"] == {"ok": True}


def test_probes_set_no_cookie_write_no_session_and_no_audit_entry(client):
    for url in PROBES:
        response = client.get(url)
        assert response.status_code == 200, url
        assert not response.cookies, url
    assert not AuditEntry.objects.exists()


def test_a_probe_neither_extends_nor_ends_a_signed_in_session(client, world, settings):
    client.force_login(world.assistant)
    session = client.session
    session[LAST_SEEN] = long_ago = time.time() - settings.IDLE_TIMEOUT.total_seconds() - 60
    session.save()
    for url in PROBES:
        response = client.get(url)
        assert response.status_code == 200, url  # not sent to the sign-in page
        assert not response.cookies, url
    assert client.session[LAST_SEEN] == long_ago
    assert client.session["_auth_user_id"] == str(world.assistant.pk)


def test_probes_answer_a_supervisor_who_has_not_given_the_second_factor_yet(world):
    second_factor_code(world.supervisor)  # enrolled, so the sign-in asks for a code
    browser = Client()
    signed_in = browser.post(
        "/accounts/login/", {"username": world.supervisor.username, "password": PASSWORD}
    )
    assert signed_in.status_code == 302
    assert browser.get("/caseload/").url.startswith("/accounts/two-factor/verify/")
    for url in PROBES:
        assert browser.get(url).status_code == 200, url
