"""A medication error opens a linked incident report and tells the nurse and the supervisor."""

from datetime import date

from django.core import mail
from django.test import TestCase

from trellis.audit.models import AuditEntry
from trellis.health.models import MedicationError
from trellis.incidents.models import Notification
from trellis.testing import make_order


def test_an_error_opens_an_incident_and_notifies_nurse_and_supervisor(client, world, nurse):
    order = make_order(world, world.own_learner)
    client.force_login(world.assistant)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            f"/learners/{world.own_learner.pk}/medications/errors/new/",
            {
                "error_type": "wrong_dose",
                "category": "C",
                "order": order.pk,
                "date": date.today().isoformat(),
                "time": "00:00",
                "description": "Gave 20 mg instead of 10 mg.",
                "action_taken": "Nurse monitored.",
            },
        )
    error = MedicationError.objects.get()
    incident = error.incident
    assert response.status_code == 302 and response.url == f"/incidents/{incident.pk}/"
    assert incident.kind == "medical" and "Wrong dose" in incident.narrative
    told = set(
        Notification.objects.filter(kind="medication.error").values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {"nurse", "supervisor"}
    assert {m.to[0] for m in mail.outbox} == {"nurse@example.org", "supervisor@example.org"}
    assert AuditEntry.objects.filter(action="medication.error").exists()


def test_an_error_needs_its_ncc_merp_category(client, world, nurse):
    client.force_login(nurse)
    page = client.post(
        f"/learners/{world.own_learner.pk}/medications/errors/new/",
        {
            "error_type": "omitted",
            "date": date.today().isoformat(),
            "time": "00:00",
            "description": "Missed the noon dose.",
        },
    ).content.decode()
    assert "NCC MERP category: Choose the NCC MERP category (A–I)." in page
    assert not MedicationError.objects.exists()
