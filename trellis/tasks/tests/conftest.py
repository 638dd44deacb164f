import os

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.db import connections

from trellis.celery import app

# CI runs a real Redis (issue 17); a db number of its own keeps this suite's queue apart.
CI_BROKER = "redis://127.0.0.1:6379/7"


@pytest.fixture
def worker(tmp_path, transactional_db):
    """A real Celery worker in a thread of this process, on Redis under CI=true and on the
    embedded SQLite transport elsewhere; tasks are queued instead of run eagerly meanwhile."""
    broker = CI_BROKER if os.environ.get("CI") == "true" else f"sqla+sqlite:///{tmp_path}/b.db"
    eager, url = app.conf.task_always_eager, app.conf.broker_url
    app.close()  # no connection of the eager settings reused
    app.conf.update(task_always_eager=False, broker_url=broker)
    # The worker thread's own database connection, closed after each task as Celery's worker
    # does, so none is left open when the test database goes.
    task_postrun.connect(_close_connections)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=5):
            yield
    finally:
        app.conf.update(task_always_eager=eager, broker_url=url)
        app.close()
        task_postrun.disconnect(_close_connections)


def _close_connections(**kwargs):
    connections.close_all()
