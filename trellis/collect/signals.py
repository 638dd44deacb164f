"""What collect tells other apps, without knowing them (monitoring listens)."""

from django.dispatch import Signal

# Sent with `goal_ids` when sessions' data points are complete: when a session ends, and when
# events arrive for a session that has already ended (a device that synced late). A session in
# progress is not a data point yet: judging it would flag a count that is still climbing.
data_points_complete = Signal()
