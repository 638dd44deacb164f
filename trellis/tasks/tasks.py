"""The tasks of background work itself."""

from celery import shared_task

from trellis.tasks import outbox
from trellis.tasks.base import TrellisTask


@shared_task(base=TrellisTask)
def send_outbox():
    """Send the tasks kept while the broker was away (outbox.py)."""
    return outbox.send_waiting()
