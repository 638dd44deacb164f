from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from trellis.tasks import failures
from trellis.tasks.models import StartedTask
from trellis.tasks.progress import progress_of


@login_required
def task_progress(request, task_id):
    """A started task's progress, for the person who started it (404 for anyone else)."""
    started = get_object_or_404(StartedTask, task_id=task_id, started_by=request.user)
    return JsonResponse(progress_of(started.task_id))


def _superuser(request):
    # Failures are the whole installation's, any organization's: for its operators only.
    if not request.user.is_superuser:
        raise Http404


@login_required
def failed_tasks(request):
    _superuser(request)
    rows = [(task, failures.error_of(task)) for task in failures.failed_tasks()[:200]]
    return render(request, "tasks/failed.html", {"rows": rows})


@login_required
@require_POST
def retry(request, task_id):
    _superuser(request)
    task = failures.retry_failed(by=request.user, task_id=task_id)
    if task is None:
        raise Http404
    messages.success(request, f"{task.name} was sent again.")
    return redirect("tasks:failed")
