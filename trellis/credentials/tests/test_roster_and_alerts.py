"""The roster of who is current, credentials entered by program admins, 30-day alerts."""

from datetime import date, timedelta

from django.core import mail
from django.test import TestCase

from trellis.audit.models import AuditEntry
from trellis.celery import app
from trellis.credentials import tasks
from trellis.credentials.actions import send_expiry_alerts
from trellis.credentials.models import Credential, Kind
from trellis.incidents.models import Notification

TODAY = date.today()


def credential(user, kind=Kind.CRISIS, expires_in=200):
    return Credential.objects.create(
        staff=user.staff,
        kind=kind,
        issued_on=TODAY - timedelta(days=300),
        expires_on=TODAY + timedelta(days=expires_in),
    )


def test_the_program_admin_sees_everyone_with_alerts(client, world):
    credential(world.assistant, expires_in=20)
    credential(world.other_assistant, expires_in=-3)
    client.force_login(world.program_admin)
    page = client.get("/credentials/").content.decode()
    assert "Assistant Staffer" in page and "Otherassistant Staffer" in page
    assert "within 30 days" in page and "lapsed" in page
    assert AuditEntry.objects.filter(action="credential.roster").exists()


def test_an_assistant_sees_only_their_own(client, world):
    credential(world.other_assistant)
    client.force_login(world.assistant)
    page = client.get("/credentials/").content.decode()
    assert "Assistant Staffer" in page and "Otherassistant" not in page


def test_a_program_admin_adds_a_credential_with_validation(client, world):
    client.force_login(world.program_admin)
    data = {
        "staff": world.assistant.staff.pk,
        "kind": "cpr_first_aid",
        "issued_on": TODAY.isoformat(),
        "expires_on": (TODAY - timedelta(days=1)).isoformat(),
    }
    page = client.post("/credentials/new/", data).content.decode()
    assert "Expires on: The expiry date must be after the issue date." in page
    data["expires_on"] = (TODAY + timedelta(days=730)).isoformat()
    assert client.post("/credentials/new/", data).status_code == 302
    assert Credential.objects.get().kind == "cpr_first_aid"
    assert AuditEntry.objects.filter(action="credential.add", result="ok").exists()


def test_others_may_not_add_credentials(client, world):
    client.force_login(world.supervisor)
    assert client.get("/credentials/new/").status_code == 404


def test_the_30_day_alert_is_sent_once_to_the_person_and_their_supervisor(world):
    world.assistant.email = "assistant@example.org"
    world.assistant.save()
    expiring = credential(world.assistant, expires_in=25)
    credential(world.other_assistant, expires_in=90)  # not yet
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert send_expiry_alerts() == 1
        assert send_expiry_alerts() == 0
    told = set(Notification.objects.values_list("recipient__username", flat=True))
    assert told == {"assistant", "supervisor", "programadmin"}
    assert [m.to for m in mail.outbox] == [["assistant@example.org"]]
    assert AuditEntry.objects.filter(action="credential.alert", object_id=str(expiring.pk)).exists()


def test_beat_sends_the_alerts_each_morning_and_a_rerun_sends_none(world):
    credential(world.assistant, expires_in=25)
    assert "credential expiry alerts" in app.conf.beat_schedule
    assert tasks.send_expiry_alerts.apply().get() == 1
    assert tasks.send_expiry_alerts.apply().get() == 0
