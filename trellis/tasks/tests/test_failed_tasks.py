"""Work that still fails after its retries waits on a page for the installation's operators
(superusers), with its error and a button that runs it again."""

import pytest
from celery import shared_task, states
from django_celery_results.models import TaskResult

from trellis.audit.models import AuditEntry
from trellis.celery import app
from trellis.tasks.base import TrellisTask
from trellis.testing import make_user

pytestmark = pytest.mark.django_db
mail_server_down = []
sent = []


@shared_task(base=TrellisTask, max_retries=1)
def send_report(report_id):
    if mail_server_down:
        raise ConnectionError("mail server down")
    sent.append(report_id)


@pytest.fixture
def failed_report(monkeypatch):
    """A report email that failed twice (once and its retry), as on a worker."""
    monkeypatch.setitem(app.conf, "task_eager_propagates", False)
    mail_server_down.append(True)
    sent.clear()
    send_report.apply(args=(7,))
    mail_server_down.clear()
    return TaskResult.objects.get(status=states.FAILURE)


def test_a_superuser_sees_the_failure_and_retries_it(
    client, world, failed_report, django_capture_on_commit_callbacks
):
    client.force_login(make_user("operator", is_superuser=True, is_staff=True))
    page = client.get("/tasks/failed/").content.decode()
    assert "test_failed_tasks.send_report" in page and "ConnectionError: mail server down" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/tasks/failed/{failed_report.task_id}/retry/")
    assert response.status_code == 302 and response.url == "/tasks/failed/"
    assert sent == [7]
    assert not TaskResult.objects.filter(status=states.FAILURE).exists()
    entry = AuditEntry.objects.get(action="task.retry")
    assert entry.detail["error"] == "ConnectionError"
    assert "No failed tasks" in client.get("/tasks/failed/").content.decode()


def test_a_program_admin_neither_sees_nor_retries_failures(client, world, failed_report):
    client.force_login(world.program_admin)
    assert client.get("/tasks/failed/").status_code == 404
    assert client.post(f"/tasks/failed/{failed_report.task_id}/retry/").status_code == 404
    assert TaskResult.objects.filter(status=states.FAILURE).count() == 1
