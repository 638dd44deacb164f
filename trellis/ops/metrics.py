"""Prometheus metrics, read at /metrics.

Under gunicorn every worker is a process of its own: `trellis serve` sets
PROMETHEUS_MULTIPROC_DIR, where prometheus-client keeps each process's values in files, and
/metrics adds them up. Without it (runserver, tests) the values are this process's.
"""

import os
from collections import Counter as Tally

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

REQUEST_SECONDS = Histogram(
    "trellis_request_duration_seconds",
    "Time to answer a request, by the view that answered it.",
    ["view", "method"],
)
SYNC_EVENTS = Counter(
    "trellis_sync_events",
    "Events received by the sync, by the answer each got.",
    ["status"],
)
for status in ("accepted", "duplicate", "rejected"):
    SYNC_EVENTS.labels(status)  # shown as 0 before the first sync, not missing


def count_sync_events(results):
    """Count the answers of a stored sync batch (collect.actions.ingest_events)."""
    for status, n in Tally(result["status"] for result in results).items():
        SYNC_EVENTS.labels(status).inc(n)


def exposition() -> bytes:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(REGISTRY)
