"""Decision rules off the request: after new data points (hooks.py) and nightly (beat)."""

from celery import shared_task

from trellis.monitoring import status
from trellis.tasks.base import TrellisTask, queue

# Goals a nightly task evaluates: a batch's reads are a few queries, its writes a few
# statements, and a retry repeats at most this many goals.
BATCH = 500


class GoalsFailed(Exception):
    pass


@shared_task(base=TrellisTask, bind=True)
def evaluate_goals(self, goal_ids):
    """Re-evaluate these goals (a recomputation: running it twice changes nothing). Goals that
    fail are retried alone, and stay on the failed-task page when they keep failing."""
    active = status.active_goals().filter(pk__in=goal_ids).values_list("pk", flat=True)
    _, failed = status.evaluate_goals(list(active))
    if failed:
        countdown = self.retry_backoff * 2**self.request.retries
        raise self.retry(
            args=(failed,), exc=GoalsFailed(f"goals {failed} failed"), countdown=countdown
        )


@shared_task(base=TrellisTask)
def evaluate_all_goals():
    """The nightly run: every active goal, in batches of BATCH queued for any worker, so the
    workers share the run (each batch reads its goals' data in a few queries)."""
    status.drop_inactive_statuses()
    ids = list(status.active_goals().order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        queue(evaluate_goals, ids[start : start + BATCH])
    return {"goals": len(ids), "batches": -(-len(ids) // BATCH)}
