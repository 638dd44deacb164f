"""A real worker runs what the web queues (the rest of the suite runs tasks eagerly)."""

import time

from celery import shared_task

from trellis.audit.checkpoint import newest_checkpoint
from trellis.audit.log import record
from trellis.ops.tasks import write_audit_checkpoint
from trellis.tasks.base import TrellisTask
from trellis.tasks.failures import failed_tasks, retry_failed
from trellis.testing import make_user

mail_server_down = []
sent = []


@shared_task(base=TrellisTask, max_retries=1, retry_backoff=False, default_retry_delay=0)
def send_report(report_id):
    if mail_server_down:
        raise ConnectionError("mail server down")
    sent.append(report_id)


def test_a_worker_runs_the_scheduled_audit_checkpoint(worker, settings, tmp_path):
    settings.AUDIT_CHECKPOINTS = tmp_path / "checkpoints.jsonl"
    entry = record("learner.view", detail={})
    result = write_audit_checkpoint.apply_async(ignore_result=False)
    assert result.get(timeout=30) == entry.pk
    assert newest_checkpoint().entry_id == entry.pk


def eventually(condition, seconds=30):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the worker did not get there in time"
        time.sleep(0.1)


def test_a_task_failing_on_the_worker_waits_for_a_retry_that_runs_it(worker):
    mail_server_down.append(True)
    send_report.delay(7)
    eventually(failed_tasks().exists)  # it failed, and failed again on its one retry
    (failed,) = failed_tasks()
    assert failed.task_name.endswith(".send_report") and failed.worker
    mail_server_down.clear()
    retry_failed(by=make_user("operator", is_superuser=True), task_id=failed.task_id)
    eventually(lambda: sent)
    assert sent == [7] and not failed_tasks().exists()
