"""Goals are evaluated when their session data points are complete (collect's
`data_points_complete`: a session ended, or a late sync into an ended one), and when an event is
saved one by one (admin, tests). The dashboard's cached filter choices are dropped when a name
or an assignment they show changes."""

from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from trellis.collect.models import Event
from trellis.collect.signals import data_points_complete
from trellis.monitoring.hooks import events_ingested
from trellis.monitoring.queries import forget_dashboard_filters
from trellis.people.models import CaseAssignment, Learner, Organization, StaffMember


@receiver(post_save, sender=Event, dispatch_uid="monitoring-event-saved")
def event_saved(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        events_ingested([instance.goal_id])


@receiver(data_points_complete, dispatch_uid="monitoring-data-points-complete")
def data_points_completed(sender, goal_ids, **kwargs):
    events_ingested(goal_ids)


def filter_choices_changed(sender, update_fields=None, **kwargs):
    # A sign-in saves the user's last_login only: no name changed.
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    forget_dashboard_filters()


for model in (Organization, Learner, StaffMember, CaseAssignment, get_user_model()):
    for signal in (post_save, post_delete):
        signal.connect(
            filter_choices_changed,
            sender=model,
            dispatch_uid=f"monitoring-filters-{signal is post_save}-{model._meta.label_lower}",
        )
