import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun, task_prerun
from django.db import connections

from trellis.celery import app


@pytest.fixture
def worker(transactional_db):
    """A real Celery worker in a thread of this process, on the suite's broker (Redis under
    CI=true, the embedded SQLite transport elsewhere: settings_test); tasks are queued instead
    of run eagerly meanwhile."""
    app.conf.task_always_eager = False
    test_connection = connections["default"]
    if test_connection.vendor == "sqlite" and test_connection.is_in_memory_db():
        # One in-memory database is one connection's: the worker thread uses the test's, as
        # Django's live server thread does (two connections to it lock each other out).
        test_connection.inc_thread_sharing()
        handlers = {task_prerun: lambda **kw: connections.__setitem__("default", test_connection)}
    else:
        # The worker thread's own connection, closed after each task as Celery's worker does,
        # so none is left open when the test database goes.
        handlers = {task_postrun: lambda **kw: connections.close_all()}
    for signal, handler in handlers.items():
        signal.connect(handler, weak=False)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=5):
            yield
    finally:
        for signal, handler in handlers.items():
            signal.disconnect(handler)
        if test_connection.allow_thread_sharing:
            test_connection.dec_thread_sharing()
        app.conf.task_always_eager = True
