"""What every Trellis task is, and how a page hands work to one.

A task is retried on failure (three times, backing off) and must be idempotent: a worker killed
mid-task gets it again (acks late), and a retry repeats whatever ran before the failure. Only
failures are kept (in django-celery-results' table, for the failed-task page), unless a page
started the task to read its progress (`progress.start`).

A task the broker does not take (down, or silent past the transport's timeouts: settings'
CELERY_BROKER_TRANSPORT_OPTIONS) is kept in the database (`WaitingTask`) and sent when the
broker answers again (outbox.py): nothing queued while Redis is away is lost.
"""

import logging
import time

from celery import Task
from django.db import transaction
from kombu.exceptions import OperationalError

from trellis.audit.log import AuditContext, reset_context, set_context

log = logging.getLogger(__name__)


class TrellisTask(Task):
    autoretry_for = (Exception,)
    max_retries = 3
    retry_backoff = 10  # seconds before the first retry, doubled for each next one
    ignore_result = True
    store_errors_even_if_ignored = True

    def __call__(self, *args, **kwargs):
        # Audited as the system, not as whoever's request ran the task before (a worker
        # process) or around it (eager tests).
        token = set_context(AuditContext())
        try:
            return super().__call__(*args, **kwargs)
        finally:
            reset_context(token)


# After the broker failed to take a task, a process sends the next ones straight to the outbox
# for this long: while the broker is away every request that queues a task would otherwise
# wait for the broker's timeout.
BROKER_BACKOFF = 10  # seconds
_broker_away_until = 0.0


def queue(task, *args, task_id=None, **options):
    """Send the task to the broker, or keep it in the outbox when the broker does not take it
    (it goes once the broker answers). Never raises for the broker: the caller's work is
    done, and the task waits."""
    global _broker_away_until
    if task_id is not None:
        options["task_id"] = task_id
    if time.monotonic() >= _broker_away_until:
        try:
            task.apply_async(args, **options)
            return
        except OperationalError as error:
            _broker_away_until = time.monotonic() + BROKER_BACKOFF
            log.warning("The broker did not take %s (%s): kept in the outbox", task.name, error)
    _keep(task.name, args, options)


def _keep(name, args, options):
    from trellis.tasks.models import WaitingTask

    try:
        WaitingTask.objects.create(name=name, args=list(args), options=options)
    except Exception:
        # Neither the broker nor the database: nothing is left to keep it in.
        log.exception("Could not queue %s, nor keep it in the outbox", name)


def enqueue_on_commit(task, *args, task_id=None, **options):
    """Queue the task once the current transaction commits (at once outside one), so the
    worker reads what the page wrote."""
    transaction.on_commit(lambda: queue(task, *args, task_id=task_id, **options))
