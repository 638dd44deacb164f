"""On a 390 px phone: the restraint form has one staff picker (the team first, the rest by
search, touch-sized toggles), and neither the form nor the filed report is wider than the
screen."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from trellis.incidents.models import EpisodeStaff, Incident
from trellis.people.models import Role
from trellis.testing import CaseRole, assert_fits_viewport, assign, make_staff, sign_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 390


@pytest.fixture
def phone(chromium):
    context = chromium.new_context(viewport={"width": WIDTH, "height": 844}, is_mobile=True)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def test_the_restraint_form_has_one_staff_picker_and_fits_a_phone(phone, live_server, world):
    page = phone
    bcba = make_staff("bcba", world.clinic, Role.SUPERVISOR)
    assign(bcba, world.client, CaseRole.BCBA)
    world.technician.staff.supervisors.add(bcba.staff)
    for index in range(40):
        make_staff(f"colleague{index:02d}", world.clinic, Role.TECHNICIAN)
    make_staff("zebulon", world.clinic, Role.TECHNICIAN)

    sign_in_page(page, live_server, "technician")
    page.goto(f"{live_server.url}/learners/{world.client.pk}/incidents/new/")
    page.get_by_label("Type").select_option("restraint")
    assert_fits_viewport(page)

    # One list: each person once, with a toggle per part; only the team shows until a search.
    picker = page.locator(".staff-picker")
    expect(picker).to_have_count(1)
    expect(picker.locator(".picker-row", has_text="Technician Staffer")).to_have_count(1)
    expect(picker.locator(".picker-row:visible")).to_have_count(2)  # the technician and BCBA
    assert page.evaluate("document.documentElement.scrollHeight") < 6 * 844
    for toggle in picker.locator("label.toggle:visible").all():
        box = toggle.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44

    page.get_by_label("Find a person").fill("zebu")
    expect(picker.locator(".picker-row:visible")).to_have_count(1)
    page.get_by_label("Find a person").press("Enter")  # does not file the report
    page.get_by_role("checkbox", name="Zebulon Staffer: Observed").check()
    expect(page.get_by_role("checkbox", name="Zebulon Staffer: Involved")).to_be_checked()
    page.get_by_label("Find a person").fill("")
    expect(picker.locator(".picker-row:visible")).to_have_count(3)  # the team and Zebulon
    page.get_by_role("button", name="Show everyone in Test Clinic").click()
    expect(picker.locator(".picker-row:visible")).to_have_count(43)

    yesterday = (date.today() - timedelta(days=1)).isoformat()
    page.get_by_label("Date").fill(yesterday)
    page.get_by_label("Start", exact=True).fill("10:00")
    page.get_by_label("End", exact=True).fill("10:30")
    page.get_by_label("Location").fill("Therapy room 2")
    page.get_by_label("What happened just before").fill("Asked to end tablet time.")
    page.get_by_label("What happened (objective").fill("Bit his own hand, drawing blood.")
    page.get_by_label("Behavior that made it necessary").fill("Self-injury with bleeding.")
    page.get_by_label("Less restrictive steps tried first").fill("Blocking, redirection.")
    page.get_by_label("Technique, in plain words").fill("Seated hold of both forearms")
    page.get_by_label("Restraint start").fill("10:04")
    page.get_by_label("Restraint end").fill("10:09")
    expect(page.get_by_role("checkbox", name="Technician Staffer: Applied")).to_be_checked()
    page.get_by_role("checkbox", name="Bcba Staffer: Applied").check()
    page.get_by_role("button", name="File report").click()

    expect(page.get_by_role("heading", name="Restraint report")).to_be_visible()
    assert_fits_viewport(page)
    incident = Incident.objects.get()
    assert {str(s) for s in incident.staff_involved.all()} == {
        "Technician Staffer",
        "Bcba Staffer",
        "Zebulon Staffer",
    }
    parts = {(str(row.staff), row.part) for row in EpisodeStaff.objects.all()}
    assert parts == {
        ("Technician Staffer", "applied"),
        ("Bcba Staffer", "applied"),
        ("Zebulon Staffer", "observed"),
    }
