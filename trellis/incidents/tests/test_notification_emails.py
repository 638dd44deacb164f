"""Notification emails go out from a task after the commit: once per person, however often the
task runs (a retry, a redelivery after a worker died)."""

from smtplib import SMTPException

import pytest
from celery.exceptions import Retry
from django.core import mail

from trellis.incidents import tasks
from trellis.incidents.models import Notification
from trellis.incidents.notify import notify
from trellis.incidents.tests.conftest import committed

pytestmark = pytest.mark.django_db


def notify_reviewers(world):
    for user in (world.supervisor, world.program_admin):
        user.email = f"{user.username}@example.org"
        user.save()
    return committed(
        lambda: notify(
            [world.supervisor, world.program_admin, world.supervisor],
            kind="incident.filed",
            message="A restraint report waits for your review.",
            url="/incidents/1/",
            email_subject="Restraint report to review",
        )
    )


def test_each_reviewer_gets_one_email_even_when_the_task_runs_again(world):
    notices = notify_reviewers(world)
    assert sorted(m.to[0] for m in mail.outbox) == [
        "programadmin@example.org",
        "supervisor@example.org",
    ]
    tasks.send_notification_emails([n.pk for n in notices])  # delivered a second time
    assert len(mail.outbox) == 2
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()


def test_an_address_that_fails_is_retried_without_resending_the_others(world, monkeypatch):
    failures = [SMTPException("451 try again later")]

    def flaky_send(subject, text, sender, to):
        if to == ["programadmin@example.org"] and failures:
            raise failures.pop()
        mail.send_mail(subject, text, sender, to)

    monkeypatch.setattr(tasks, "send_mail", flaky_send)
    with pytest.raises(Retry):  # eager tests raise the retry instead of running it
        notify_reviewers(world)
    assert [m.to for m in mail.outbox] == [["supervisor@example.org"]]
    tasks.send_notification_emails(list(Notification.objects.values_list("pk", flat=True)))
    assert [m.to for m in mail.outbox] == [["supervisor@example.org"], ["programadmin@example.org"]]
