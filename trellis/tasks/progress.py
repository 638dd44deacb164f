"""One progress mechanism for every page that starts long work (report batches, imports).

The page calls `start(task, *args, by=request.user)` and polls `/tasks/<id>/` with the id it
gets; the task calls `report_progress(self, done, total)` as it goes (bind=True).
"""

from uuid import uuid4

from celery import states

from trellis.celery import app
from trellis.tasks.base import enqueue_on_commit
from trellis.tasks.models import StartedTask

PROGRESS = "PROGRESS"


def start(task, *args, by):
    """Queue the task once the transaction commits; its id, readable by `by` only."""
    task_id = uuid4()
    StartedTask.objects.create(task_id=task_id, name=task.name, started_by=by)
    # Kept to the end, whatever the task's default: the page reads how it ended.
    enqueue_on_commit(task, *args, task_id=str(task_id), ignore_result=False)
    return task_id


def report_progress(task, done, total):
    task.update_state(state=PROGRESS, meta={"done": done, "total": total})


def progress_of(task_id):
    """What the page shows: the state, how far it is, and the result once done. A failure's
    error is for the failed-task page, not the person who started it."""
    result = app.AsyncResult(str(task_id))
    answer = {"state": result.state, "ready": result.state in states.READY_STATES}
    if result.state == PROGRESS:
        answer["progress"] = result.info
    elif result.state == states.SUCCESS:
        answer["result"] = result.result
    return answer
