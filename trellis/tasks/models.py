from django.conf import settings
from django.db import models
from django.utils import timezone


class StartedTask(models.Model):
    """A task a person started from a page: only they may read its progress
    (`/tasks/<id>/`). The task's state and progress are in django-celery-results' table."""

    task_id = models.UUIDField(primary_key=True)
    name = models.CharField(max_length=200)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="started_tasks"
    )
    started_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.name} ({self.task_id})"


class WaitingTask(models.Model):
    """A task the broker did not take when it was queued (down, or not answering within the
    transport's timeouts): kept here, in the database that holds the work it is about, and
    sent by `outbox.send_waiting` once the broker answers (beat every minute, and each worker
    as it starts). Tasks are idempotent, so one sent twice (a crash between the send and the
    delete) does no harm."""

    name = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    # apply_async's keywords (kwargs, task_id, ignore_result): plain JSON, as the task message.
    options = models.JSONField(default=dict)
    queued_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"{self.name} (waiting since {self.queued_at:%Y-%m-%d %H:%M:%S})"
