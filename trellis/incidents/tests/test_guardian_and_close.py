"""The guardian notice is tracked until confirmed; a report closes only with its debriefs."""

from datetime import date

from trellis.audit.models import AuditEntry
from trellis.incidents.models import Incident
from trellis.incidents.tests.conftest import restraint_post, signature


def signed(client, world):
    client.force_login(world.assistant)
    client.post(f"/learners/{world.own_learner.pk}/incidents/new/", restraint_post(world))
    incident = Incident.objects.get()
    client.force_login(world.supervisor)
    client.post(f"/incidents/{incident.pk}/sign/", {"comments": ""} | signature(world.supervisor))
    incident.refresh_from_db()
    return incident


def test_the_guardian_notice_shows_overdue_until_a_reached_contact_is_recorded(client, world):
    incident = signed(client, world)
    page = client.get(f"/incidents/{incident.pk}/").content.decode()
    assert "Guardian notice overdue" in page
    # A call that did not reach anyone is an attempt, not a notice.
    client.post(
        f"/incidents/{incident.pk}/guardian/",
        {
            "date": date.today().isoformat(),
            "time": "00:00",
            "method": "phone",
            "person": "Gwen Quillfeather",
            "notes": "Voicemail",
        },
    )
    incident.refresh_from_db()
    assert incident.guardian_notified_at is None and incident.contacts.count() == 1
    client.post(
        f"/incidents/{incident.pk}/guardian/",
        {
            "date": date.today().isoformat(),
            "time": "00:01",
            "method": "phone",
            "person": "Gwen Quillfeather",
            "reached": "on",
        },
    )
    incident.refresh_from_db()
    assert incident.guardian_notified_at is not None
    page = client.get(f"/incidents/{incident.pk}/").content.decode()
    assert "Guardian notice overdue" not in page and "Guardian told late" in page
    assert AuditEntry.objects.filter(action="incident.guardian_contact").count() == 2


def test_a_contact_needs_the_person_named(client, world):
    incident = signed(client, world)
    page = client.post(
        f"/incidents/{incident.pk}/guardian/",
        {"date": date.today().isoformat(), "time": "00:00", "method": "phone", "person": ""},
    ).content.decode()
    assert "Person contacted: This field is required." in page


def test_a_restraint_report_cannot_close_without_its_debriefs(client, world):
    incident = signed(client, world)
    client.post(
        f"/incidents/{incident.pk}/guardian/",
        {
            "date": date.today().isoformat(),
            "time": "00:01",
            "method": "phone",
            "person": "Gwen",
            "reached": "on",
        },
    )
    response = client.post(f"/incidents/{incident.pk}/close/")
    assert response.status_code == 400
    assert "cannot close without its debrief" in response.content.decode()
    incident.refresh_from_db()
    assert incident.status == "signed"
    for kind in ("staff", "family"):
        client.post(
            f"/incidents/{incident.pk}/debrief/",
            {
                "kind": kind,
                "held_on": date.today().isoformat(),
                "participants": "Team",
                "summary": "Add a visual schedule before lunch.",
            },
        )
    assert client.post(f"/incidents/{incident.pk}/close/").status_code == 302
    incident.refresh_from_db()
    assert incident.status == "closed"
    assert AuditEntry.objects.filter(action="incident.close", result="ok").exists()


def test_a_debrief_before_the_incident_is_refused(client, world):
    incident = signed(client, world)
    page = client.post(
        f"/incidents/{incident.pk}/debrief/",
        {"kind": "staff", "held_on": "2020-01-01", "participants": "Team", "summary": "x"},
    ).content.decode()
    assert "Held on: A debrief cannot be held before the incident." in page


def test_a_follow_up_notifies_its_owner_and_can_be_marked_done(client, world):
    from trellis.incidents.models import Notification

    incident = signed(client, world)
    client.post(
        f"/incidents/{incident.pk}/follow-ups/",
        {
            "action": "Update the BIP",
            "owner": world.assistant.staff.pk,
            "due_on": date.today().isoformat(),
        },
    )
    follow_up = incident.follow_ups.get()
    assert Notification.objects.filter(
        recipient=world.assistant, kind="incident.follow_up"
    ).exists()
    client.post(f"/incidents/{incident.pk}/follow-ups/", {"done": follow_up.pk})
    follow_up.refresh_from_db()
    assert follow_up.done_at is not None
