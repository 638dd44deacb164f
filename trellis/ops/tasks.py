"""Scheduled jobs of running Trellis (beat_schedule in trellis/celery.py)."""

from celery import shared_task

from trellis.audit.checkpoint import write_checkpoint
from trellis.tasks.base import TrellisTask


@shared_task(base=TrellisTask)
def write_audit_checkpoint():
    """Sign the audit chain's newest entry into the checkpoint file (`trellis audit
    checkpoint`). A second run appends a second line about the same entry: harmless."""
    checkpoint = write_checkpoint()
    return checkpoint.entry_id if checkpoint else None
