"""A broker that is away loses no task: queued tasks wait in the database and go once it
answers (bench/faults/redis_down.py shows it against a real Redis stopped under load)."""

import pytest
from celery import shared_task
from kombu.exceptions import OperationalError

from trellis.tasks import base
from trellis.tasks.models import WaitingTask
from trellis.tasks.outbox import send_waiting

pytestmark = pytest.mark.django_db

ran = []


@shared_task(base=base.TrellisTask)
def remember(value, *, tag=""):
    ran.append((value, tag))


@pytest.fixture
def broker(monkeypatch):
    """The broker as seen from the web process: `down` makes every publish fail as kombu
    does when Redis refuses or does not answer."""
    state = {"down": False, "attempts": 0}
    publish = remember.apply_async

    def apply_async(*args, **kwargs):
        state["attempts"] += 1
        if state["down"]:
            raise OperationalError("Error 111 connecting to 127.0.0.1:6390. Connection refused.")
        return publish(*args, **kwargs)

    monkeypatch.setattr(remember, "apply_async", apply_async)
    monkeypatch.setattr(base, "_broker_away_until", 0.0)
    ran.clear()
    return state


def test_a_task_queued_while_the_broker_is_away_waits_and_runs_once_it_is_back(broker):
    broker["down"] = True
    base.queue(remember, 1, kwargs={"tag": "a"}, task_id="4a7d0c7e-1c39-4f7e-9d8b-0f7f7bb7c001")
    base.queue(remember, 2)
    assert ran == []
    kept = list(WaitingTask.objects.values_list("name", "args", "options"))
    assert kept == [
        (remember.name, [1], {"kwargs": {"tag": "a"}, "task_id": kept[0][2]["task_id"]}),
        (remember.name, [2], {}),
    ]
    # The first failure sends the next tasks straight to the outbox: no request waits for a
    # broker known to be away.
    assert broker["attempts"] == 1

    assert send_waiting() == 0  # still away: nothing sent, nothing lost
    assert WaitingTask.objects.count() == 2

    broker["down"] = False
    assert send_waiting() == 2
    assert ran == [(1, "a"), (2, "")]
    assert not WaitingTask.objects.exists()
    assert send_waiting() == 0 and ran == [(1, "a"), (2, "")]  # each sent once


def test_after_the_backoff_the_broker_is_asked_again(broker, monkeypatch):
    broker["down"] = True
    base.queue(remember, 1)
    broker["down"] = False
    monkeypatch.setattr(base, "_broker_away_until", 0.0)  # the backoff has passed
    base.queue(remember, 2)
    assert ran == [(2, "")]
    assert list(WaitingTask.objects.values_list("args", flat=True)) == [[1]]


def test_the_outbox_task_is_on_beat_every_minute():
    from trellis.celery import app
    from trellis.tasks.failures import task_named

    (entry,) = [e for e in app.conf.beat_schedule.values() if e["task"].endswith("send_outbox")]
    assert entry["schedule"] == 60.0
    assert task_named(entry["task"]).name == entry["task"]
