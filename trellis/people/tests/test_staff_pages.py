"""A program admin staffs their organizations from Trellis's own pages: invites a person, who
sets their own password; assigns cases, sets supervision, deactivates a login."""

import re
import time
from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.core import mail

from trellis.audit.models import AuditEntry
from trellis.people.models import CaseAssignment, Learner
from trellis.testing import PASSWORD

NEW_PASSWORD = "a long enough passphrase for trellis"


@pytest.fixture
def invite(client, world, django_capture_on_commit_callbacks):
    """Post the invitation form; the email goes out when the transaction commits."""

    def post(**overrides):
        with django_capture_on_commit_callbacks(execute=True):
            return _invite(client, world, **overrides)

    return post


def _invite(client, world, **overrides):
    data = {
        "first_name": "Ada",
        "last_name": "Newhire",
        "email": "ada.newhire@example.org",
        "username": "",
        "title": "Intervention assistant",
        "organization": world.school.pk,
        "role": "assistant",
        "supervisors": [world.supervisor.staff.pk],
    } | overrides
    return client.post("/staff/new/", data)


def _signs_in(client, username, password):
    response = client.post("/accounts/login/", {"username": username, "password": password})
    return response.status_code == 302


def _link(message):
    return re.search(r"http://testserver(/accounts/invitation/\S+/)", message.body).group(1)


def test_an_invited_person_sets_their_own_password_once(client, world, invite):
    client.force_login(world.program_admin)
    response = invite()
    user = User.objects.get(username="ada.newhire")
    assert response.status_code == 302 and response.url == f"/staff/{user.staff.pk}/"
    assert not user.has_usable_password()
    assert user.staff.supervisors.get() == world.supervisor.staff
    assert AuditEntry.objects.filter(action="staff.create", result="ok").exists()
    [message] = mail.outbox
    assert message.to == ["ada.newhire@example.org"] and "ada.newhire" in message.body

    client.logout()
    link = _link(message)
    assert b"Welcome to Trellis" in client.get(link).content
    weak = client.post(link, {"new_password1": "short", "new_password2": "short"})
    assert b"This password is too short" in weak.content
    done = client.post(link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert _signs_in(client, "ada.newhire", NEW_PASSWORD)
    client.logout()
    # The link is spent.
    assert client.get(link).status_code == 404


def test_an_invitation_expires(client, world, invite):
    client.force_login(world.program_admin)
    invite()
    link = _link(mail.outbox[0])
    client.logout()
    later = time.time() + timedelta(days=8).total_seconds()
    with mock.patch("django.core.signing.time.time", return_value=later):
        assert client.get(link).status_code == 404


def test_a_bad_invitation_names_the_field_and_keeps_the_rest(client, world):
    client.force_login(world.program_admin)
    User.objects.filter(pk=world.assistant.pk).update(email="dup@example.org")
    response = _invite(client, world, email="dup@example.org", organization="")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Email: Someone has a login with this email already." in page
    assert "School / program: This field is required." in page
    assert 'value="Newhire"' in page  # the other input is kept
    assert not User.objects.filter(last_name="Newhire", email="dup@example.org").exists()


def test_an_admin_cannot_staff_an_organization_they_do_not_administer(client, world):
    client.force_login(world.program_admin)
    response = _invite(client, world, organization=world.clinic.pk)
    assert "Select a valid choice" in response.content.decode()
    assert not User.objects.filter(username="ada.newhire").exists()
    # The clinic's technician is not theirs to open.
    assert client.get(f"/staff/{world.technician.staff.pk}/").status_code == 404


def test_assigning_and_ending_a_case_opens_and_closes_the_record(client, world):
    client.force_login(world.program_admin)
    staff = world.other_assistant.staff
    response = client.post(
        f"/staff/{staff.pk}/",
        {"step": "assign", "learner": world.other_school_learner.pk, "role": "assistant"},
    )
    assert response.status_code == 302
    assert (
        Learner.objects.visible_to(world.other_assistant)
        .filter(pk=world.other_school_learner.pk)
        .exists()
    )
    case = CaseAssignment.objects.get(staff=staff, learner=world.other_school_learner)
    client.post(f"/staff/{staff.pk}/", {"step": "end_case", "assignment": case.pk})
    case.refresh_from_db()
    assert case.ends_on is not None
    # Ending today keeps today's access; tomorrow it is gone.
    assert case.ends_on >= case.starts_on


def test_a_clinic_client_cannot_be_assigned_by_a_district_admin(client, world):
    client.force_login(world.program_admin)
    response = client.post(
        f"/staff/{world.assistant.staff.pk}/",
        {"step": "assign", "learner": world.client.pk, "role": "assistant"},
    )
    assert "Learner: Select a valid choice" in response.content.decode()
    assert not CaseAssignment.objects.filter(learner=world.client, staff=world.assistant.staff)


def test_deactivating_a_login_needs_a_reason_and_stops_sign_in(client, world):
    client.force_login(world.program_admin)
    url = f"/staff/{world.assistant.staff.pk}/"
    page = client.post(url, {"step": "deactivate", "reason": ""}).content.decode()
    assert "Reason: This field is required." in page
    client.post(url, {"step": "deactivate", "reason": "Left the district"})
    world.assistant.refresh_from_db()
    assert not world.assistant.is_active
    entry = AuditEntry.objects.get(action="staff.deactivate")
    assert entry.detail == {"reason": "Left the district"}
    client.logout()
    assert not _signs_in(client, "assistant", PASSWORD)


def test_an_admin_cannot_deactivate_themselves(client, world):
    client.force_login(world.program_admin)
    page = client.post(
        f"/staff/{world.program_admin.staff.pk}/", {"step": "deactivate", "reason": "test"}
    ).content.decode()
    assert "You cannot deactivate your own login." in page
    world.program_admin.refresh_from_db()
    assert world.program_admin.is_active


def test_supervision_is_set_from_the_staff_page(client, world):
    client.force_login(world.program_admin)
    client.post(
        f"/staff/{world.other_assistant.staff.pk}/",
        {"step": "supervisors", "supervisors": [world.supervisor.staff.pk]},
    )
    assert world.supervisor.staff.supervisees.filter(pk=world.other_assistant.staff.pk).exists()
    # Now the supervisor sees the other assistant's caseload.
    assert Learner.objects.visible_to(world.supervisor).filter(pk=world.classmate.pk).exists()


def test_the_staff_list_shows_the_admins_organizations_only(client, world):
    client.force_login(world.program_admin)
    page = client.get("/staff/").content.decode()
    assert "Assistant Staffer" in page
    assert "Technician Staffer" not in page
