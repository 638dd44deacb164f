"""Tasks kept while the broker was away (base.queue puts them in WaitingTask), sent once it
answers again: by the `send_outbox` task, which beat queues every minute and each worker as it
starts (trellis/celery.py)."""

import logging

from django.db import transaction
from kombu.exceptions import OperationalError

from trellis.tasks.models import WaitingTask

log = logging.getLogger(__name__)


def send_waiting(limit=1000):
    """Send the waiting tasks, oldest first, each deleted in the transaction that sent it (two
    senders at once skip each other's rows). Stops at the first the broker does not take.
    Returns how many went."""
    from trellis.tasks.failures import task_named

    sent = 0
    for pk in list(WaitingTask.objects.values_list("pk", flat=True)[:limit]):
        with transaction.atomic():
            row = WaitingTask.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
            if row is None:
                continue
            try:
                task = task_named(row.name)
            except (ImportError, KeyError):
                log.error("A waiting task names no task of this code: %s (kept)", row.name)
                continue
            try:
                task.apply_async(row.args, **row.options)
            except OperationalError:
                log.warning("The broker still does not take tasks: %d waiting", _count())
                return sent
            row.delete()
            sent += 1
    if sent:
        log.info("Sent %d tasks kept while the broker was away", sent)
    return sent


def _count():
    return WaitingTask.objects.count()
