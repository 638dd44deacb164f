"""Upkeep of the event table (beat): the months to come have their partitions."""

from celery import shared_task

from trellis.collect.partitions import ensure_event_partitions
from trellis.tasks.base import TrellisTask


@shared_task(base=TrellisTask)
def create_event_partitions():
    """Idempotent: only the missing months are created."""
    return ensure_event_partitions()
