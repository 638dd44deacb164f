"""The supervisor reviews and signs; the report locks; later changes are amendments."""

from trellis.audit.models import AuditEntry
from trellis.incidents.models import Incident, Notification
from trellis.incidents.tests.conftest import restraint_post


def filed(client, world):
    client.force_login(world.assistant)
    client.post(f"/learners/{world.own_learner.pk}/incidents/new/", restraint_post(world))
    return Incident.objects.get()


def test_the_supervisor_signs_and_the_report_locks(client, world):
    incident = filed(client, world)
    client.force_login(world.supervisor)
    assert "Review and sign" in client.get(f"/incidents/{incident.pk}/").content.decode()
    response = client.post(f"/incidents/{incident.pk}/sign/", {"comments": "Plan review booked."})
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.status == "signed" and incident.signed_by == world.supervisor
    assert incident.is_locked and incident.signed_version["fields"]["location"] == "Room 12"
    assert AuditEntry.objects.filter(action="incident.sign", result="ok").exists()
    assert Notification.objects.filter(recipient=world.assistant, kind="incident.signed").exists()


def test_the_author_cannot_sign_their_own_report(client, world):
    incident = filed(client, world)
    page = client.get(f"/incidents/{incident.pk}/sign/").content.decode()
    assert "Only a supervisor of this report" in page
    client.post(f"/incidents/{incident.pk}/sign/", {"comments": ""})
    incident.refresh_from_db()
    assert incident.status == "filed"
    assert AuditEntry.objects.filter(action="incident.sign", result="denied").exists()


def test_an_edit_before_signing_needs_no_reason(client, world):
    incident = filed(client, world)
    data = restraint_post(world, location="Room 14")
    response = client.post(f"/incidents/{incident.pk}/edit/", data)
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.location == "Room 14" and not incident.amendments.exists()
    assert AuditEntry.objects.filter(action="incident.edit").exists()


def test_after_signing_a_change_needs_a_reason_and_keeps_the_original(client, world):
    incident = filed(client, world)
    client.force_login(world.supervisor)
    client.post(f"/incidents/{incident.pk}/sign/", {"comments": ""})
    client.force_login(world.assistant)
    page = client.post(
        f"/incidents/{incident.pk}/edit/", restraint_post(world, location="Gym")
    ).content.decode()
    assert "Reason for the amendment: The report is signed" in page
    incident.refresh_from_db()
    assert incident.location == "Room 12"

    response = client.post(
        f"/incidents/{incident.pk}/edit/",
        restraint_post(world, location="Gym", reason="Wrote the wrong room."),
    )
    assert response.status_code == 302
    incident.refresh_from_db()
    amendment = incident.amendments.get()
    assert amendment.changes["location"] == {"label": "location", "old": "Room 12", "new": "Gym"}
    assert amendment.reason == "Wrote the wrong room." and amendment.by == world.assistant
    assert incident.location == "Gym"
    assert incident.signed_version["fields"]["location"] == "Room 12"  # the original is kept
    assert AuditEntry.objects.filter(action="incident.amend").exists()
    page = client.get(f"/incidents/{incident.pk}/").content.decode()
    assert "Wrote the wrong room." in page and "<del>Room 12</del>" in page


def test_a_signed_report_takes_no_new_episode(client, world):
    incident = filed(client, world)
    client.force_login(world.supervisor)
    client.post(f"/incidents/{incident.pk}/sign/", {"comments": ""})
    response = client.post(
        f"/incidents/{incident.pk}/episodes/new/",
        {
            "kind": "physical",
            "technique": "Hold",
            "date": incident.started_at.date().isoformat(),
            "start": "10:20",
            "end": "10:25",
            "applied_by": [world.assistant.staff.pk],
        },
    )
    assert "The report is signed" in response.content.decode()
    assert incident.episodes.count() == 1


def test_another_assistants_supervisor_cannot_sign(client, world):
    from trellis.testing import assign, make_staff

    incident = filed(client, world)
    stranger = make_staff("stranger", world.other_school, "assistant")
    assign(stranger, world.own_learner)
    client.force_login(stranger)
    client.post(f"/incidents/{incident.pk}/sign/", {"comments": ""})
    incident.refresh_from_db()
    assert incident.status == "filed"
