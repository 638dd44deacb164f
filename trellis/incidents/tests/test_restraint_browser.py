"""In a real browser, on a phone: a technician files a restraint report, the supervisor sees the
notification, reviews and signs it; the guardian notice is overdue until it is recorded."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from trellis.credentials.models import Credential, Kind
from trellis.people.models import Role
from trellis.testing import PASSWORD, make_staff, sign_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(chromium):
    context = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def open_menu(page):
    """On a phone the navigation is folded behind the Menu button."""
    menu = page.get_by_role("button", name="Menu")
    if menu.is_visible() and menu.get_attribute("aria-expanded") != "true":
        menu.click()


def test_a_restraint_report_from_filing_to_sign_off(phone, live_server, world):
    page = phone
    bcba = make_staff("bcba", world.clinic, Role.SUPERVISOR)
    world.technician.staff.supervisors.add(bcba.staff)
    Credential.objects.create(
        staff=world.technician.staff,
        kind=Kind.CRISIS,
        issued_on=date.today() - timedelta(days=100),
        expires_on=date.today() + timedelta(days=300),
    )
    yesterday = (date.today() - timedelta(days=1)).isoformat()

    sign_in_page(page, live_server, "technician")
    page.goto(f"{live_server.url}/learners/{world.client.pk}/incidents/new/")
    restraint = page.locator("#restraint-section")
    expect(restraint).to_be_hidden()  # a short form until the type asks for more
    page.get_by_label("Type").select_option("restraint")
    expect(restraint).to_be_visible()
    page.get_by_label("Date").fill(yesterday)
    page.get_by_label("Start", exact=True).fill("10:00")
    page.get_by_label("End", exact=True).fill("10:30")
    page.get_by_label("Location").fill("Therapy room 2")
    page.get_by_label("What happened just before").fill("Asked to end tablet time.")
    page.get_by_label("What happened (objective").fill(
        "Bit his own hand repeatedly, drawing blood."
    )
    page.get_by_label("Behavior that made it necessary").fill("Self-injury with bleeding.")
    page.get_by_label("Less restrictive steps tried first").fill("Blocking, redirection, break.")
    page.get_by_label("Technique, in plain words").fill("Seated hold of both forearms")
    page.get_by_label("Restraint start").fill("10:04")
    page.get_by_label("Restraint end").fill("10:09")
    page.get_by_role("checkbox", name="Technician Staffer: Applied").check()
    page.get_by_role("button", name="File report").click()

    expect(page.get_by_role("heading", name="Restraint report")).to_be_visible()
    expect(page.get_by_text("Guardian notice overdue")).to_be_visible()
    expect(page.get_by_text("Filed, awaiting review")).to_be_visible()
    open_menu(page)
    page.get_by_role("button", name="Sign out").click()

    sign_in_page(page, live_server, "bcba")
    open_menu(page)
    notifications = page.get_by_role("link", name="Notifications")
    expect(notifications).to_contain_text("1")
    notifications.click()
    page.get_by_role("link", name="New restraint report for Cyrus Marrowdale").click()
    page.get_by_role("link", name="Review and sign").click()
    page.get_by_label("Review comments").fill("Reviewed with the technician; BIP review booked.")
    page.get_by_label("Type your full name").fill("Bcba Staffer")
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Sign report").click()
    expect(page.get_by_text("Reviewed and signed").first).to_be_visible()
    expect(page.get_by_role("link", name="Amend")).to_be_visible()
    expect(page.get_by_text("Guardian notice overdue")).to_be_visible()

    page.get_by_role("link", name="Record guardian contact").click()
    page.get_by_label("Person contacted").fill("Mother, by phone")
    page.get_by_label("Reached / confirmed").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Guardian contact recorded.")).to_be_visible()
    expect(page.get_by_text("Guardian notice overdue")).to_have_count(0)
    expect(page.get_by_text("Guardian told late")).to_be_visible()
