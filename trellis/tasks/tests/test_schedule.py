"""Beat's schedule names tasks that exist: a typo would only show as a job that never runs."""

from trellis.celery import app


def test_every_scheduled_job_is_a_registered_task():
    app.loader.import_default_modules()  # each app's tasks.py, as a worker imports them
    scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert scheduled - set(app.tasks) == set()
    assert {
        "trellis.monitoring.tasks.evaluate_all_goals",
        "trellis.credentials.tasks.send_expiry_alerts",
        "trellis.ops.tasks.write_audit_checkpoint",
        "trellis.collect.tasks.create_event_partitions",
        "trellis.tasks.tasks.send_outbox",
    } <= scheduled
