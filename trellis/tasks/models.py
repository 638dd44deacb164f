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
