"""Break-glass: an assistant allowed by the program admin opens a schoolmate's record in an
emergency with a reason; the access ends by itself, the admins are told at once and review it."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from trellis.audit.models import AuditEntry
from trellis.incidents.models import Notification
from trellis.people.models import EmergencyAccess
from trellis.testing import PASSWORD

REASON = "Seizure on the playground; the nurse asked for his health plan"


@pytest.fixture
def allowed(client, world):
    """The district's program admin allows the assistant emergency access from the staff page."""
    world.program_admin.email = "director@example.org"
    world.program_admin.save()
    client.force_login(world.program_admin)
    response = client.post(
        f"/staff/{world.assistant.staff.pk}/", {"step": "emergency", "allowed": "yes"}
    )
    assert response.status_code == 302
    world.assistant.staff.refresh_from_db()
    assert world.assistant.staff.may_break_glass
    client.force_login(world.assistant)
    return world.assistant


def open_(client, learner, reason=REASON, password=PASSWORD):
    return client.post(
        f"/emergency-access/{learner.pk}/", {"reason": reason, "password": password}
    )


def test_without_the_permission_there_is_no_emergency_access(client, world):
    client.force_login(world.assistant)
    assert client.get("/emergency-access/").status_code == 404
    assert client.get(f"/emergency-access/{world.classmate.pk}/").status_code == 404
    assert open_(client, world.classmate).status_code == 404
    assert client.get(f"/learners/{world.classmate.pk}/").status_code == 404
    assert AuditEntry.objects.filter(action="learner.emergency_access", result="denied").exists()


def test_the_search_finds_learners_of_ones_own_organizations_not_yet_open(client, world, allowed):
    page = client.get("/emergency-access/", {"q": "a"}).content.decode()  # too short
    assert "Brightwater" not in page
    page = client.get("/emergency-access/", {"q": "bright"}).content.decode()
    assert "Brightwater, Casper" in page
    assert "Quillfeather" not in client.get("/emergency-access/", {"q": "quill"}).content.decode()
    assert "Marrowdale" not in client.get("/emergency-access/", {"q": "marrow"}).content.decode()
    assert client.get(f"/emergency-access/{world.client.pk}/").status_code == 404  # the agency's


def test_a_reason_and_the_password_are_asked_and_a_wrong_one_keeps_the_reason(
    client, world, allowed
):
    page = open_(client, world.classmate, reason="hurt").content.decode()
    assert "at least 20 characters" in page
    page = open_(client, world.classmate, password="wrong").content.decode()
    assert "The password is not right." in page and REASON in page
    assert not EmergencyAccess.objects.exists()
    assert client.get(f"/learners/{world.classmate.pk}/").status_code == 404


def test_opening_the_record_is_audited_tells_the_admins_and_ends_by_itself(
    client, world, allowed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the email goes after the commit
        response = open_(client, world.classmate)
    assert response.status_code == 302 and response.url == f"/learners/{world.classmate.pk}/"
    assert client.get(response.url).status_code == 200
    [entry] = AuditEntry.objects.filter(action="learner.emergency_access", result="ok")
    assert entry.detail["severity"] == "high" and entry.detail["reason"] == REASON
    [notice] = Notification.objects.filter(recipient=world.program_admin)
    assert notice.kind == "emergency_access" and "Brightwater" not in notice.message
    [email] = mail.outbox
    assert email.to == ["director@example.org"] and "Brightwater" not in email.body
    grant = EmergencyAccess.objects.get()
    assert grant.expires_at - grant.started_at == timedelta(minutes=30)
    EmergencyAccess.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(f"/learners/{world.classmate.pk}/").status_code == 404


def test_the_admin_reviews_each_use_and_says_why_when_not_justified(client, world, allowed):
    open_(client, world.classmate)
    grant = EmergencyAccess.objects.get()
    assert client.get("/emergency-access/review/").status_code == 404  # not an admin
    client.force_login(world.program_admin)
    home = client.get("/").content.decode()
    assert "Emergency access to review" in home and "opened Casper Brightwater" in home
    page = client.post(
        "/emergency-access/review/", {"grant": grant.pk, "justified": "no", "note": ""}
    ).content.decode()
    assert "Say why the access was not justified." in page
    client.post(
        "/emergency-access/review/",
        {"grant": grant.pk, "justified": "no", "note": "The nurse had the plan already."},
    )
    grant.refresh_from_db()
    assert grant.justified is False and grant.reviewed_by == world.program_admin.staff
    assert AuditEntry.objects.filter(action="learner.emergency_review", result="ok").exists()
    assert "Not justified" in client.get("/emergency-access/review/").content.decode()
    assert client.post("/emergency-access/review/", {"grant": "x"}).status_code == 404


def test_an_admin_of_another_organization_does_not_see_the_use(client, world, allowed):
    from trellis.people.models import Role
    from trellis.testing import make_staff

    open_(client, world.classmate)
    client.force_login(make_staff("agencyadmin", world.clinic, Role.PROGRAM_ADMIN))
    assert "Brightwater" not in client.get("/emergency-access/review/").content.decode()
    grant = EmergencyAccess.objects.get()
    assert client.get("/emergency-access/review/", {"grant": grant.pk}).status_code == 404


def test_someone_with_a_second_factor_checks_it_again_first(client, world, allowed, monkeypatch):
    monkeypatch.setattr("trellis.accounts.two_factor.has_device", lambda user: True)
    monkeypatch.setattr("trellis.accounts.two_factor.recently_checked", lambda request: False)
    response = client.get(f"/emergency-access/{world.classmate.pk}/")
    assert response.status_code == 302 and "/accounts/two-factor/verify/" in response.url
    assert "/accounts/two-factor/verify/" in open_(client, world.classmate).url
    assert not EmergencyAccess.objects.exists()


@pytest.mark.browser
def test_on_a_tablet_the_assistant_opens_a_record_in_an_emergency(page, live_server, world):
    from playwright.sync_api import expect

    from trellis.testing import assert_every_value_on_screen, sign_in_page

    world.assistant.staff.may_break_glass = True
    world.assistant.staff.save()
    sign_in_page(page, live_server, "assistant", PASSWORD)
    page.get_by_role("link", name="Emergency access").first.click()
    page.get_by_label("Search by name or ID").fill("bright")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name="Open in an emergency")).to_be_visible()
    assert_every_value_on_screen(page)
    page.get_by_role("link", name="Open in an emergency").click()
    page.get_by_label("What is the emergency?").fill(REASON)
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Open the record").click()
    expect(page.get_by_role("heading", name="Casper Brightwater")).to_be_visible()
    expect(page.get_by_text("Emergency access is open for 30 minutes")).to_be_visible()


def test_the_records_access_list_names_who_may_open_a_schools_records_and_why(client, world):
    """34 CFR 300.623(d): the district admin prints who may access Alder School's records."""
    world.nurse.staff.may_break_glass = True
    world.nurse.staff.save()
    client.force_login(world.program_admin)
    page = client.get("/staff/records-access/", {"organization": world.school.pk})
    text = page.content.decode()
    assert "Programadmin Staffer" in text and "program admin" in text
    assert "Assistant Staffer" in text and "on the case of 1 learner" in text
    assert "Supervisor Staffer" in text and "supervises staff on these cases" in text
    assert "Nurse Staffer" in text and "emergency access allowed" in text
    assert "Technician Staffer" not in text  # the agency's
    other = client.get("/staff/records-access/", {"organization": world.clinic.pk})
    assert "Technician Staffer" not in other.content.decode()  # not an organization of theirs
    assert AuditEntry.objects.filter(action="staff.records_access").exists()
