"""Probes for load balancers and monitoring: anonymous, unaudited, never cached.

The accounts middleware lets them through before sign-in and two-factor checks and without
reading or extending a session (accounts/middleware.py: PROBES).
"""

import hmac
import ipaddress
import logging

import redis
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from prometheus_client import CONTENT_TYPE_LATEST

from trellis.ops.metrics import exposition

logger = logging.getLogger(__name__)
BROKER_TIMEOUT = 1  # seconds; a probe must answer well within a load balancer's timeout


@never_cache
def healthz(request):
    """Alive: the process answers."""
    return HttpResponse("ok", content_type="text/plain")


@never_cache
def readyz(request):
    """Ready for traffic: the database answers, every migration is applied and the task
    broker, when one is configured, answers too. 200 when all hold, 503 otherwise."""
    checks = {
        "database": _check(_database),
        "migrations": _check(_migrations),
        "broker": _check(_broker),
    }
    ready = all(check["ok"] for check in checks.values())
    return JsonResponse({"ready": ready, "checks": checks}, status=200 if ready else 503)


def _check(probe):
    try:
        return {"ok": True} | probe()
    except Exception as error:
        # The answer is public, so it names the kind of failure only; the log has the rest.
        logger.warning("readiness check %s failed", probe.__name__.lstrip("_"), exc_info=True)
        return {"ok": False, "error": type(error).__name__}


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {}


def _migrations():
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        logger.warning("unapplied migrations: %s", ", ".join(str(m) for m, _ in plan))
    return {"ok": not plan, "unapplied": len(plan)}


def _broker():
    url = settings.TRELLIS_BROKER_URL
    if not url:
        return {"detail": "not configured"}
    if not url.startswith(("redis://", "rediss://")):
        return {"detail": "not checked (only Redis brokers are pinged)"}
    client = redis.Redis.from_url(
        url, socket_connect_timeout=BROKER_TIMEOUT, socket_timeout=BROKER_TIMEOUT
    )
    try:
        client.ping()
    finally:
        client.close()
    return {}


def metrics(request):
    """Prometheus metrics, for this machine (loopback) or whoever holds TRELLIS_METRICS_TOKEN.

    A request a proxy forwarded arrives from loopback too when the proxy runs on this machine,
    so a forwarded request needs the token whatever its address."""
    if not _may_read_metrics(request):
        return HttpResponse(
            "Metrics are read from this machine or with the metrics token.\n",
            status=403,
            content_type="text/plain",
        )
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)


def _may_read_metrics(request):
    authorization = request.headers.get("Authorization", "")
    if authorization.startswith("Bearer "):
        token = settings.TRELLIS_METRICS_TOKEN
        given = authorization.removeprefix("Bearer ")
        return bool(token) and hmac.compare_digest(given.encode(), token.encode())
    if "X-Forwarded-For" in request.headers or "Forwarded" in request.headers:
        return False
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False
