"""Goals are evaluated when their session data points are complete (collect's
`data_points_complete`: a session ended, or a late sync into an ended one), and when an event is
saved one by one (admin, tests)."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from trellis.collect.models import Event
from trellis.collect.signals import data_points_complete
from trellis.monitoring.hooks import events_ingested


@receiver(post_save, sender=Event, dispatch_uid="monitoring-event-saved")
def event_saved(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        events_ingested([instance.goal_id])


@receiver(data_points_complete, dispatch_uid="monitoring-data-points-complete")
def data_points_completed(sender, goal_ids, **kwargs):
    events_ingested(goal_ids)
