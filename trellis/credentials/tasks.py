"""The daily credential expiry alerts (beat_schedule in trellis/celery.py)."""

from celery import shared_task

from trellis.credentials import actions
from trellis.tasks.base import TrellisTask


@shared_task(base=TrellisTask)
def send_expiry_alerts():
    """`trellis credential_alerts`: each credential is alerted once (ExpiryAlert), so a second
    run the same day sends nothing."""
    return actions.send_expiry_alerts()
