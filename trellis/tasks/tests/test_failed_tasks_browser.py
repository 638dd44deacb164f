"""On a laptop-sized screen the installation's operator finds a failed task from the menu, reads
its error and runs it again."""

import pytest
from celery import states
from django_celery_results.models import TaskResult
from playwright.sync_api import expect

from trellis.tasks.tests.test_failed_tasks import failed_report, sent  # noqa: F401
from trellis.testing import make_user, sign_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_operator_retries_a_failed_task_from_the_menu(page, live_server, failed_report):  # noqa: F811
    make_user("operator", is_superuser=True, is_staff=True)
    sign_in_page(page, live_server, "operator")
    page.get_by_role("link", name="Failed tasks").click()
    row = page.get_by_role("row", name="test_failed_tasks.send_report")
    expect(row).to_contain_text("ConnectionError: mail server down")
    row.get_by_role("button", name="Retry").click()
    expect(page.get_by_text("was sent again")).to_be_visible()
    expect(page.get_by_text("No failed tasks.")).to_be_visible()
    assert sent == [7]
    assert not TaskResult.objects.filter(status=states.FAILURE).exists()
