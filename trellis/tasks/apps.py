from django.apps import AppConfig


class TasksConfig(AppConfig):
    """Background work's shared parts: the base task, progress, and the failed-task page."""

    name = "trellis.tasks"
    verbose_name = "Background tasks"

    def ready(self):
        # Loaded with Django, so every app's shared tasks bind to Trellis's Celery app (its
        # broker), in the web process as in the worker.
        import trellis.celery  # noqa: F401
