"""On a tablet the case manager records a parent's request to see the records; on a phone the
log and the requests show every value."""

import pytest
from playwright.sync_api import expect

from trellis.testing import PASSWORD, assert_every_value_on_screen, sign_in_page

pytestmark = pytest.mark.browser


def record_a_request(page, live_server, world):
    sign_in_page(page, live_server, "assistant", PASSWORD)
    page.goto(f"{live_server.url}/learners/{world.own_learner.pk}/")
    page.locator("section", has_text="Records: disclosures and requests").get_by_role(
        "link", name="Open"
    ).click()
    page.get_by_text("Record a request").click()
    page.get_by_label("Requested by").fill("Gwen Quillfeather, mother")
    page.get_by_label("What is asked").fill("Every evaluation of this year.")
    page.get_by_role("button", name="Record the request").click()
    expect(page.get_by_text("Request recorded: due")).to_be_visible()


def test_on_a_tablet_the_case_manager_records_a_request(page, live_server, world):
    record_a_request(page, live_server, world)
    expect(page.get_by_role("link", name="Inspect and review the records (99.10)")).to_be_visible()


def test_on_a_phone_every_value_of_the_records_page_shows(chromium, live_server, world):
    context = chromium.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    record_a_request(page, live_server, world)
    assert_every_value_on_screen(page)
    context.close()
