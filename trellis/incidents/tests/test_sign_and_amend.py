"""The supervisor reviews and signs; the report locks; later changes are amendments."""

from trellis.audit.models import AuditEntry
from trellis.incidents.models import Incident, Notification
from trellis.incidents.tests.conftest import restraint_post, signature


def filed(client, world):
    client.force_login(world.assistant)
    client.post(f"/learners/{world.own_learner.pk}/incidents/new/", restraint_post(world))
    return Incident.objects.get()


def test_the_supervisor_signs_and_the_report_locks(client, world):
    incident = filed(client, world)
    client.force_login(world.supervisor)
    assert "Review and sign" in client.get(f"/incidents/{incident.pk}/").content.decode()
    response = client.post(
        f"/incidents/{incident.pk}/sign/",
        {"comments": "Plan review booked."} | signature(world.supervisor),
    )
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
    client.post(f"/incidents/{incident.pk}/sign/", {"comments": ""} | signature(world.assistant))
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
    client.post(f"/incidents/{incident.pk}/sign/", {"comments": ""} | signature(world.supervisor))
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
    client.post(f"/incidents/{incident.pk}/sign/", {"comments": ""} | signature(world.supervisor))
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
    client.post(f"/incidents/{incident.pk}/sign/", {"comments": ""} | signature(world.supervisor))
    incident.refresh_from_db()
    assert incident.status == "filed"


def test_signing_needs_the_typed_name_and_the_password_like_a_session_note(client, world):
    incident = filed(client, world)
    client.force_login(world.supervisor)
    url = f"/incidents/{incident.pk}/sign/"
    form = client.get(url).content.decode()
    assert "Type your full name" in form and 'type="password"' in form

    page = client.post(url, {"comments": "Plan review booked."}).content.decode()
    assert "Type your full name: This field is required." in page
    assert "Your password: This field is required." in page
    page = client.post(
        url,
        {"comments": "Plan review booked."}
        | signature(world.supervisor, typed_name="Someone Else", password="wrong password"),
    ).content.decode()
    assert "Type your full name: Type your name as it appears on your account." in page
    assert "Your password: The password is not right." in page
    assert "Plan review booked." in page  # the comments are kept
    incident.refresh_from_db()
    assert incident.status == "filed" and incident.signed_by is None
    denied = AuditEntry.objects.get(action="incident.sign", result="denied")
    assert denied.detail == {"why": ["password", "typed_name"]}

    client.post(url, {"comments": ""} | signature(world.supervisor, typed_name="supervisor"))
    incident.refresh_from_db()
    assert incident.status == "signed" and incident.signed_name == "supervisor"


def test_the_sign_action_refuses_a_wrong_password(world):
    import pytest
    from django.core.exceptions import ValidationError

    from trellis.incidents.actions import sign_incident
    from trellis.testing import make_incident

    incident = make_incident(world, world.own_learner)
    with pytest.raises(ValidationError) as error:
        sign_incident(
            by=world.supervisor,
            incident=incident,
            typed_name="Supervisor Staffer",
            password="not it",
        )
    assert error.value.message_dict == {"password": ["The password is not right."]}
    incident.refresh_from_db()
    assert incident.status == "filed"
