"""In real Chromium on a phone (390 × 844): the BCBA opens a learner's ABC / FBA and IOA pages
from the learner page; every value is on screen and no page is wider than the phone."""

import pytest
from playwright.sync_api import expect

from trellis.monitoring.tests.helpers import START, add_session, monitored_goal, recorder
from trellis.monitoring.tests.test_behavior_views import abc
from trellis.testing import assert_every_value_on_screen, sign_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_fba_and_ioa_pages_fit_a_phone(chromium, live_server, world):
    by = recorder(world, world.own_learner)
    log = monitored_goal(
        world.own_learner, "abc", name="ABC log", goal_value=None, goal_date=None, phases=()
    )
    add_session(log, START, [abc("demand_placed", "elopement", "demand_removed")] * 3, by=by)
    counts = monitored_goal(
        world.own_learner, "frequency", name="Call-outs", goal_value=2.0, direction="decrease"
    )
    primary, _ = add_session(counts, START, [("count", {"n": 1})] * 6, by=by)
    add_session(counts, START, [("count", {"n": 1})] * 5, by=world.supervisor, primary=primary)

    context = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    try:
        sign_in_page(page, live_server, "supervisor")
        page.goto(f"{live_server.url}/learners/{world.own_learner.pk}/")
        page.get_by_role("link", name="ABC / FBA").click()
        expect(page.get_by_role("heading", name="elopement")).to_be_visible()
        expect(page.locator("table.scatter")).to_be_visible()
        assert_every_value_on_screen(page)
        page.go_back()
        page.get_by_role("link", name="IOA").click()
        expect(page.get_by_role("heading", name="Call-outs")).to_be_visible()
        expect(page.locator(".ioa-methods").first).to_contain_text("Total count: 83.3%")
        assert_every_value_on_screen(page)
        page.screenshot(path="/tmp/monitoring-ioa-phone.png", full_page=True)
    finally:
        context.close()
