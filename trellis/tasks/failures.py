"""Tasks that failed after their retries (django-celery-results keeps them): listed for
superusers with their error, and sent again by the retry button."""

import ast
import json
from importlib import import_module

from celery import states
from django.db import transaction
from django_celery_results.models import TaskResult

from trellis.audit.log import record
from trellis.celery import app
from trellis.tasks.base import enqueue_on_commit


def failed_tasks():
    return TaskResult.objects.filter(status=states.FAILURE).order_by("-date_done")


def error_of(failed):
    """The exception's type and message, as the backend stored them."""
    try:
        stored = json.loads(failed.result or "{}")
    except ValueError:
        return failed.result
    message = stored.get("exc_message")
    if isinstance(message, list | tuple):
        message = " ".join(str(part) for part in message)
    return f"{stored.get('exc_type', 'Error')}: {message}"


def task_named(name):
    # A task's name is its module's path: importing it registers the task in this process.
    import_module(name.rpartition(".")[0])
    return app.tasks[name]


def _arguments(stored, empty):
    # The backend keeps the arguments JSON-encoded: a worker's as their repr, an eager run's as
    # the values. Trellis tasks take plain values (ids and lists of them), whose repr reads back.
    value = json.loads(stored) if stored else empty
    return ast.literal_eval(value) if isinstance(value, str) else value


def retry_failed(*, by, task_id):
    """Send a failed task again with its arguments, once: its failure leaves the list (the
    audit entry says which task it was), and a new failure comes back as a new row."""
    with transaction.atomic():
        failed = failed_tasks().select_for_update().filter(task_id=task_id).first()
        if failed is None:
            return None
        task = task_named(failed.task_name)
        args, kwargs = _arguments(failed.task_args, ()), _arguments(failed.task_kwargs, {})
        # The error's type only: its message may name anything, and the log is read by
        # program admins.
        error = error_of(failed).partition(":")[0]
        record("task.retry", user=by, detail={"task": failed.task_name, "error": error})
        failed.delete()
        enqueue_on_commit(task, *args, kwargs=kwargs)
    return task
