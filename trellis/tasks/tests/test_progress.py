"""A page starts long work for a person and polls its progress: only that person reads it."""

import pytest
from celery import shared_task

from trellis.tasks.base import TrellisTask
from trellis.tasks.progress import report_progress, start

pytestmark = pytest.mark.django_db


@shared_task(base=TrellisTask, bind=True)
def count_to(self, n):
    """Long work, as a report batch would be: progress after each step."""
    for done in range(1, n + 1):
        report_progress(self, done, n)
    return {"counted": n}


def test_the_person_who_started_a_task_reads_how_it_went(
    client, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        task_id = start(count_to, 3, by=world.supervisor)
    client.force_login(world.supervisor)
    answer = client.get(f"/tasks/{task_id}/").json()
    assert answer == {"state": "SUCCESS", "ready": True, "result": {"counted": 3}}


def test_a_task_still_running_says_how_far_it_is(client, world):
    task_id = start(count_to, 3, by=world.supervisor)  # not yet committed: queued, not run
    count_to.update_state(task_id=str(task_id), state="PROGRESS", meta={"done": 1, "total": 3})
    client.force_login(world.supervisor)
    answer = client.get(f"/tasks/{task_id}/").json()
    assert answer == {"state": "PROGRESS", "ready": False, "progress": {"done": 1, "total": 3}}


def test_nobody_else_reads_it(client, world):
    task_id = start(count_to, 3, by=world.supervisor)
    for persona in (world.program_admin, world.assistant):
        client.force_login(persona)
        assert client.get(f"/tasks/{task_id}/").status_code == 404
