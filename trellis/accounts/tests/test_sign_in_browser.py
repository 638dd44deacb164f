"""In a real browser: an assistant signs in (landing on Today), opens the caseload and a
learner, and signs out."""

import pytest
from playwright.sync_api import expect

from trellis.testing import PASSWORD, sign_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_assistant_signs_in_opens_a_learner_and_signs_out(page, live_server, world):
    sign_in_page(page, live_server, "assistant", PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Today")
    page.get_by_role("link", name="Caseload").click()
    expect(page.get_by_role("heading", name="My caseload")).to_be_visible()
    expect(page.get_by_text("Brightwater")).to_have_count(0)
    page.get_by_role("link", name="Quillfeather, Olive").click()
    expect(page.get_by_role("heading", name="Olive Quillfeather")).to_be_visible()
    expect(page.get_by_text("Gwen Quillfeather")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.goto(f"{live_server.url}/caseload/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_caseload_search_filters_as_you_type(page, live_server, world):
    from trellis.testing import assign

    assign(world.assistant, world.other_school_learner)
    sign_in_page(page, live_server, "assistant", PASSWORD)
    page.get_by_role("link", name="Caseload").click()
    page.get_by_label("Search by name or ID").fill("ferns")
    expect(page.get_by_text("Quillfeather")).to_have_count(0)
    expect(page.get_by_role("link", name="Fernsby, Orla")).to_be_visible()


def test_a_wrong_password_says_so_and_keeps_the_username(page, live_server, world):
    sign_in_page(page, live_server, "assistant", "not the password")
    expect(page.get_by_role("alert")).to_contain_text("correct username and password")
    expect(page.get_by_label("Username")).to_have_value("assistant")


def test_repeated_failures_lock_the_account_even_for_the_right_password(
    page, live_server, world, settings
):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in_page(page, live_server, "assistant", "not the password")
    sign_in_page(page, live_server, "assistant", PASSWORD)
    expect(page.get_by_role("heading", name="Too many failed sign-ins")).to_be_visible()


def test_an_idle_page_signs_out_and_offline_it_hides_the_record_until_the_network_returns(
    page, browser_context, live_server, world, settings
):
    from datetime import timedelta

    settings.IDLE_TIMEOUT = timedelta(seconds=2)
    sign_in_page(page, live_server, "assistant", PASSWORD)
    page.get_by_role("link", name="Caseload").click()
    page.get_by_role("link", name="Quillfeather, Olive").click()
    browser_context.set_offline(True)
    expect(page.get_by_role("alert")).to_contain_text("Signed out after a period of inactivity")
    expect(page.get_by_role("heading", name="Olive Quillfeather")).to_be_hidden()
    browser_context.set_offline(False)
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_text("signed out after a period of inactivity")).to_be_visible()
