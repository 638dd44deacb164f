"""Events saved one by one (admin, demo, tests) trigger the same evaluation as the collect
hook; bulk ingest calls `hooks.events_ingested` itself (bulk_create sends no signal)."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from trellis.collect.models import Event
from trellis.monitoring.hooks import events_ingested


@receiver(post_save, sender=Event, dispatch_uid="monitoring-event-saved")
def event_saved(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        events_ingested([instance.goal_id])
