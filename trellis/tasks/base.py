"""What every Trellis task is, and how a page hands work to one.

A task is retried on failure (three times, backing off) and must be idempotent: a worker killed
mid-task gets it again (acks late), and a retry repeats whatever ran before the failure. Only
failures are kept (in django-celery-results' table, for the failed-task page), unless a page
started the task to read its progress (`progress.start`).
"""

import logging

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


def queue(task, *args, task_id=None, **options):
    """Send the task to the broker. A broker that does not answer loses the task, not the
    caller's work: it is logged, and the scheduled runs catch up."""
    try:
        task.apply_async(args, task_id=task_id, **options)
    except OperationalError:
        log.exception("Could not queue %s", task.name)


def enqueue_on_commit(task, *args, task_id=None, **options):
    """Queue the task once the current transaction commits (at once outside one), so the
    worker reads what the page wrote."""
    transaction.on_commit(lambda: queue(task, *args, task_id=task_id, **options))
