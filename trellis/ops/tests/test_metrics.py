"""Prometheus reads /metrics: request latency by view and what the sync did with the events.

The metrics are not public: they answer this machine (loopback), or whoever holds
TRELLIS_METRICS_TOKEN.
"""

import json
import uuid

import pytest
from prometheus_client import REGISTRY

from trellis.testing import make_goal, make_session

pytestmark = pytest.mark.django_db
OUTSIDE = {"REMOTE_ADDR": "203.0.113.7"}


def sync_count(status):
    return REGISTRY.get_sample_value("trellis_sync_events_total", {"status": status})


def test_prometheus_on_this_machine_reads_latency_by_view(client):
    client.get("/healthz")
    response = client.get("/metrics")  # the test client comes from 127.0.0.1
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert 'trellis_request_duration_seconds_count{method="GET",view="healthz"}' in body
    assert 'trellis_sync_events_total{status="rejected"}' in body


def test_from_elsewhere_metrics_need_the_token(client, settings):
    settings.TRELLIS_METRICS_TOKEN = "s3cret-metrics-token-of-this-test"
    assert client.get("/metrics", **OUTSIDE).status_code == 403
    wrong = {"Authorization": "Bearer not-the-token"}
    assert client.get("/metrics", headers=wrong, **OUTSIDE).status_code == 403
    right = {"Authorization": f"Bearer {settings.TRELLIS_METRICS_TOKEN}"}
    assert client.get("/metrics", headers=right, **OUTSIDE).status_code == 200


def test_without_a_configured_token_no_bearer_opens_them(client, settings):
    settings.TRELLIS_METRICS_TOKEN = ""
    response = client.get("/metrics", headers={"Authorization": "Bearer "}, **OUTSIDE)
    assert response.status_code == 403


def test_a_request_forwarded_by_a_proxy_on_this_machine_needs_the_token(client, settings):
    # nginx on the same host makes every visitor's request come from 127.0.0.1.
    settings.TRELLIS_METRICS_TOKEN = "s3cret-metrics-token-of-this-test"
    forwarded = {"X-Forwarded-For": "198.51.100.4"}
    assert client.get("/metrics", headers=forwarded).status_code == 403
    with_token = forwarded | {"Authorization": f"Bearer {settings.TRELLIS_METRICS_TOKEN}"}
    assert client.get("/metrics", headers=with_token).status_code == 200


def test_each_synced_event_is_counted_by_its_answer(client, world):
    goal = make_goal(world, world.own_learner)
    session = make_session(world, world.own_learner, [goal], by=world.assistant)
    client.force_login(world.assistant)

    def event(**value):
        return {
            "id": str(uuid.uuid4()),
            "session": str(session.pk),
            "goal": goal.pk,
            "kind": "count",
            "value": value or {"n": 1},
            "recorded_at": session.started_at.isoformat(),
        }

    before = {status: sync_count(status) for status in ("accepted", "duplicate", "rejected")}
    first, second, bad = event(), event(), event(n=-1)
    for batch in ([first, second], [first, bad]):
        client.post("/api/v1/sync", json.dumps({"events": batch}), "application/json")
    assert {status: sync_count(status) - before[status] for status in before} == {
        "accepted": 2,
        "duplicate": 1,
        "rejected": 1,
    }
