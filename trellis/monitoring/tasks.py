"""Decision rules off the request: after new data points (hooks.py) and nightly (beat)."""

from celery import shared_task

from trellis.monitoring import status
from trellis.tasks.base import TrellisTask
from trellis.tasks.progress import report_progress


class GoalsFailed(Exception):
    pass


@shared_task(base=TrellisTask, bind=True)
def evaluate_goals(self, goal_ids):
    """Re-evaluate these goals (a recomputation: running it twice changes nothing). Goals that
    fail are retried alone, and stay on the failed-task page when they keep failing."""
    goals = status.active_goals().filter(pk__in=goal_ids)
    _, failed = status.evaluate_goals(goals.select_related("plan__learner__organization"))
    if failed:
        countdown = self.retry_backoff * 2**self.request.retries
        raise self.retry(
            args=(failed,), exc=GoalsFailed(f"goals {failed} failed"), countdown=countdown
        )


@shared_task(base=TrellisTask, bind=True, ignore_result=False)
def evaluate_all_goals(self):
    """The nightly run of `trellis monitor`; the goals that fail go on to their own task."""
    done, failed = status.evaluate_all(progress=lambda n, total: report_progress(self, n, total))
    if failed:
        evaluate_goals.delay(failed)
    return {"evaluated": done, "failed": len(failed)}
