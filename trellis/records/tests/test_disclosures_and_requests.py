"""The case manager logs who outside the school was given a child's records, and answers a
parent's request to see them (45 days, before the IEP meeting) or to amend them."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from trellis.audit.models import AuditEntry
from trellis.records.models import Disclosure, RecordsRequest
from trellis.testing import make_goal


@pytest.fixture
def staff(client, world):
    client.force_login(world.assistant)
    return client


def disclose(client, learner, **changes):
    data = {
        "form": "disclosure",
        "disclosed_on": timezone.localdate().isoformat(),
        "party": "Dr. Lee, Riverside Pediatric Therapy",
        "records": "Reading progress, fall term",
        "basis": "consent",
        "interest": "Consent signed by the mother on file; coordinating speech therapy.",
    } | changes
    return client.post(f"/learners/{learner.pk}/records/", data)


def ask(client, learner, **changes):
    data = {
        "form": "request",
        "kind": "inspect",
        "requested_by": "Gwen Quillfeather, mother",
        "received_on": timezone.localdate().isoformat(),
        "meeting_on": "",
        "details": "Every evaluation and the behavior data of this year.",
    } | changes
    return client.post(f"/learners/{learner.pk}/records/", data)


def test_a_disclosure_is_logged_with_party_records_and_legal_basis(staff, world):
    assert disclose(staff, world.own_learner).status_code == 302
    [entry] = Disclosure.objects.all()
    assert entry.recorded_by == world.assistant and entry.basis == "consent"
    page = staff.get(f"/learners/{world.own_learner.pk}/records/").content.decode()
    assert "Dr. Lee, Riverside Pediatric Therapy" in page and "Written consent" in page
    assert AuditEntry.objects.filter(action="records.disclosure", result="ok").exists()
    profile = staff.get(f"/learners/{world.own_learner.pk}/").content.decode()
    assert "1 disclosure outside the school recorded" in profile


def test_a_bad_disclosure_names_the_field_and_keeps_the_rest(staff, world):
    response = disclose(staff, world.own_learner, disclosed_on="9999-12-31", party="")
    page = response.content.decode()
    assert response.status_code == 400
    assert "Date disclosed cannot be in the future" in page and "This field is required" in page
    assert "Reading progress, fall term" in page
    page = disclose(staff, world.own_learner, basis="other", interest="law").content.decode()
    assert "Say which legal basis allows the disclosure." in page
    assert not Disclosure.objects.exists()


def test_an_inspection_request_is_due_in_45_days_or_before_the_iep_meeting(staff, world):
    ask(staff, world.own_learner, received_on="2026-11-02")
    first = RecordsRequest.objects.get()
    assert first.due_on == date(2026, 12, 17) and first.recorded_by == world.assistant
    meeting = timezone.localdate() + timedelta(days=10)
    ask(staff, world.own_learner, meeting_on=meeting.isoformat())
    second = RecordsRequest.objects.latest("id")
    assert second.due_on == meeting and second.meeting_comes_first
    page = staff.get(f"/records-requests/{second.pk}/").content.decode()
    assert "the records must be shown before it" in page


def test_an_overdue_request_waits_on_the_supervisors_home_page_until_answered(client, world, staff):
    ask(
        staff,
        world.own_learner,
        received_on=(timezone.localdate() - timedelta(days=50)).isoformat(),
    )
    wanted = RecordsRequest.objects.get()
    assert wanted.is_overdue
    client.force_login(world.supervisor)
    home = client.get("/").content.decode()
    assert "Records requests due" in home and "Olive Quillfeather" in home
    assert "overdue" in client.get("/records-requests/").content.decode()
    client.post(
        f"/records-requests/{wanted.pk}/", {"status": "fulfilled", "decision": "Met on Monday."}
    )
    wanted.refresh_from_db()
    assert wanted.status == "fulfilled" and wanted.decided_on == timezone.localdate()
    assert AuditEntry.objects.get(action="records.decide").detail["late"] is True
    assert "Olive Quillfeather" not in client.get("/records-requests/").content.decode()


def test_a_refused_amendment_says_why_and_keeps_the_parents_statement(staff, world):
    ask(staff, world.own_learner, kind="amend", details="The March incident report is wrong.")
    wanted = RecordsRequest.objects.get()
    assert wanted.due_on == timezone.localdate() + timedelta(days=30)
    page = staff.post(f"/records-requests/{wanted.pk}/", {"status": "refused", "decision": ""})
    assert "Say why the amendment is refused." in page.content.decode()
    staff.post(
        f"/records-requests/{wanted.pk}/",
        {
            "status": "refused",
            "decision": "Two staff witnessed it as written; the parent may ask for a hearing.",
            "disagreement": "My son was not there that afternoon.",
        },
    )
    wanted.refresh_from_db()
    assert wanted.status == "refused" and wanted.disagreement.startswith("My son")
    page = staff.get(f"/records-requests/{wanted.pk}/").content.decode()
    assert "Statement of disagreement" in page and "Record the decision" not in page


def test_other_staff_and_families_see_nothing_of_it(client, world, staff):
    ask(staff, world.own_learner)
    disclose(staff, world.own_learner)
    wanted = RecordsRequest.objects.get()
    for outsider in (world.other_assistant, world.guardian, world.technician):
        client.force_login(outsider)
        assert client.get(f"/records-requests/{wanted.pk}/").status_code == 404
        assert client.get(f"/learners/{world.own_learner.pk}/records/").status_code == 404
        assert disclose(client, world.own_learner).status_code == 404
    assert Disclosure.objects.count() == 1


def test_a_download_asks_who_it_is_for_and_an_outside_party_is_logged(client, world):
    """The supervisor downloads a goal's graph for the outside therapist: the disclosure is
    logged before the file is given; for colleagues, it is just audited."""
    goal = make_goal(world, world.own_learner)
    client.force_login(world.supervisor)
    graph = f"/goals/{goal.pk}/graph.pdf"
    asked = client.get(graph)
    assert asked.status_code == 302 and asked.url.startswith(
        f"/learners/{world.own_learner.pk}/release/"
    )
    page = client.get(asked.url).content.decode()
    assert "Who is this for?" in page and "Graph of the goal" in page
    missing = client.post(asked.url, {"audience": "outside", "party": ""})
    assert missing.status_code == 400 and not Disclosure.objects.exists()
    given = client.post(
        asked.url,
        {
            "audience": "outside",
            "disclosed_on": timezone.localdate().isoformat(),
            "party": "Dr. Lee, Riverside Pediatric Therapy",
            "records": "Graph of the reading goal",
            "basis": "consent",
            "interest": "Consent on file, signed 2026-09-01.",
        },
    )
    disclosure = Disclosure.objects.get()
    assert given.url == f"{graph}?for=disclosure-{disclosure.pk}"
    response = client.get(given.url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    internal = client.post(asked.url, {"audience": "internal"})
    assert client.get(internal.url).status_code == 200
    releases = AuditEntry.objects.filter(action="records.release")
    assert sorted(e.detail["for"] for e in releases) == [
        f"disclosure {disclosure.pk}",
        "internal",
    ]
    client.force_login(world.assistant)  # someone else's disclosure is no answer
    assert client.get(given.url).status_code == 302


def test_the_release_page_only_returns_to_this_site(client, world):
    client.force_login(world.supervisor)
    url = f"/learners/{world.own_learner.pk}/release/"
    assert client.get(url, {"next": "https://evil.example/x"}).status_code == 404
    assert client.get(url, {"next": "//evil.example/x"}).status_code == 404
