"""The Celery app: the work Trellis does outside a request (emails, decision rules after a
sync, the nightly jobs). Configured from the settings' CELERY_* names; each app keeps its tasks
in its own `tasks.py` (trellis/tasks/base.py says what every task is).

Run a worker with `celery -A trellis.celery worker` and one scheduler with `celery -A
trellis.celery beat` (or `worker --beat` on a single machine, as `make demo` does).
"""

import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trellis.settings")

app = Celery("trellis")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The scheduled jobs, in the settings' TIME_ZONE. Each is idempotent, so a run that a restarted
# beat repeats does no harm.
app.conf.beat_schedule = {
    "nightly decision rules": {
        "task": "trellis.monitoring.tasks.evaluate_all_goals",
        "schedule": crontab(hour=2, minute=0),
    },
    # In the morning, so the emails arrive in the working day.
    "credential expiry alerts": {
        "task": "trellis.credentials.tasks.send_expiry_alerts",
        "schedule": crontab(hour=6, minute=0),
    },
    # Web processes sign one after requests; this covers the quiet hours with none.
    "audit checkpoint": {
        "task": "trellis.ops.tasks.write_audit_checkpoint",
        "schedule": crontab(minute=5),
    },
    # The event table's months to come (collect/partitions.py); idempotent, so daily is cheap.
    "event partitions": {
        "task": "trellis.collect.tasks.create_event_partitions",
        "schedule": crontab(hour=3, minute=30),
    },
    # Tasks kept in the database while the broker was away (trellis/tasks/base.py: queue).
    "task outbox": {
        "task": "trellis.tasks.tasks.send_outbox",
        "schedule": 60.0,
    },
}


@worker_ready.connect
def send_outbox_on_start(sender=None, **kwargs):
    """A worker that starts (after an outage, say) sends the tasks kept meanwhile at once."""
    app.send_task("trellis.tasks.tasks.send_outbox")
