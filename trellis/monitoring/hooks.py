"""The hook collect calls when events arrive: re-evaluate the goals that got new data in a task
queued once the transaction commits, so the dashboard and the flags follow each new data point
and the sync or the session's end does not wait for the rules."""

from django.db import connection, transaction

from trellis.tasks.base import queue


class _Batch:
    """Goal ids waiting for one transaction to commit (one evaluation per goal, however many
    events arrived)."""

    def __init__(self):
        self.ids = set()

    def __call__(self):
        _evaluate(sorted(self.ids))


def events_ingested(goal_ids):
    """Queue the evaluation of these goals after the current transaction commits (at once
    outside one). Never raises into the caller (a task the broker does not take waits in the
    outbox, tasks/base.py): monitoring must not break data collection."""
    ids = {int(pk) for pk in goal_ids if pk is not None}
    if not ids:
        return
    batch = getattr(connection, "_monitoring_batch", None)
    # A rolled-back transaction drops its callbacks; only reuse a batch still registered.
    registered = batch is not None and any(
        entry[1] is batch for entry in getattr(connection, "run_on_commit", [])
    )
    if not registered:
        batch = _Batch()
        connection._monitoring_batch = batch
        batch.ids |= ids
        transaction.on_commit(batch)
    else:
        batch.ids |= ids


def _evaluate(ids):
    from trellis.monitoring.tasks import evaluate_goals

    queue(evaluate_goals, ids)
