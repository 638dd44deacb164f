"""The decision rules as background tasks: after new data (queued on commit, so the sync does
not wait) and nightly on beat; a goal that keeps failing is retried alone and then shown to
the admins."""

import pytest
from celery import states
from django_celery_results.models import TaskResult

from trellis.celery import app
from trellis.monitoring import status, tasks
from trellis.monitoring.models import GoalStatus
from trellis.monitoring.tests.helpers import monitored_goal

pytestmark = pytest.mark.django_db


def test_the_nightly_run_evaluates_every_goal_and_tells_how_far_it_is(world):
    goals = [monitored_goal(world.own_learner), monitored_goal(world.client, name="Requests")]
    seen = []
    assert status.evaluate_all(progress=lambda *p: seen.append(p), every=1) == (2, [])
    assert seen == [(1, 2), (2, 2)]
    assert GoalStatus.objects.filter(goal__in=goals).count() == 2
    GoalStatus.objects.all().delete()
    # Beat's run queues batches for the workers (run here at once, eagerly).
    assert tasks.evaluate_all_goals.apply().get() == {"goals": 2, "batches": 1}
    assert GoalStatus.objects.filter(goal__in=goals).count() == 2


def test_the_nightly_run_shares_its_goals_among_tasks_for_the_workers(world, monkeypatch):
    goals = [monitored_goal(world.own_learner, name=f"Goal {n}") for n in range(5)]
    monkeypatch.setattr(tasks, "BATCH", 2)
    queued = []
    monkeypatch.setattr(tasks, "queue", lambda task, ids: queued.append((task, ids)))
    assert tasks.evaluate_all_goals.apply().get() == {"goals": 5, "batches": 3}
    ids = sorted(goal.pk for goal in goals)
    assert queued == [(tasks.evaluate_goals, ids[:2]), (tasks.evaluate_goals, ids[2:4])] + [
        (tasks.evaluate_goals, ids[4:])
    ]


def test_a_goal_that_keeps_failing_is_retried_alone_and_then_kept_as_a_failure(
    world, monkeypatch
):
    good = monitored_goal(world.own_learner)
    bad = monitored_goal(world.client, name="Requests")
    outcome = status.GoalBatch.outcome
    tried = []

    def fails_on_bad(batch, goal, *args):
        tried.append(goal.pk)
        if goal.pk == bad.pk:
            raise ValueError("no aim line")
        return outcome(batch, goal, *args)

    monkeypatch.setattr(status.GoalBatch, "outcome", fails_on_bad)
    # Retries run out as on a worker, instead of the first one raising into the test.
    monkeypatch.setitem(app.conf, "task_eager_propagates", False)
    result = tasks.evaluate_goals.apply(args=([good.pk, bad.pk],))
    assert result.state == states.FAILURE
    assert sorted(tried) == [good.pk] + [bad.pk] * 4  # the first run, then three retries
    assert GoalStatus.objects.filter(goal=good).exists()
    failure = TaskResult.objects.get(status=states.FAILURE)
    assert failure.task_name == "trellis.monitoring.tasks.evaluate_goals"
    assert str(bad.pk) in failure.task_args and str(good.pk) not in failure.task_args
