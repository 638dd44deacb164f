"""In real headless Chromium (issue 11): a behavior typed into the ABC control is stored with
the defined spelling; on a 390 px phone the start form's goals are touch-sized rows, each
checkbox inside its label, and the start, learner and summary pages do not overflow."""

import pytest
from playwright.sync_api import expect

from trellis.collect.models import Event
from trellis.collect.tests.screen_world import screen_session
from trellis.collect.tests.test_screen_browser import control, open_screen, sign_in_browser
from trellis.testing import assert_fits_viewport

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_typed_behavior_is_recorded_as_the_defined_one(world, live_server, browser_context, page):
    session = screen_session(world, world.own_learner, world.assistant, ["abc"])
    goal = session.goals.get()
    sign_in_browser(browser_context, live_server, world.assistant)
    errors = open_screen(page, live_server, session)
    abc = control(page, goal)
    behaviors = abc.locator("fieldset", has_text="Behavior").locator("button.chip")
    expect(behaviors).to_have_text(["Elopement", "Yelling"])  # the defined behavior first

    abc.get_by_role("button", name="Demand placed").click()
    abc.get_by_label("Other behavior (type it)").fill("  ELOPEMENT  ")
    abc.get_by_role("button", name="Record ABC").click()
    abc.get_by_role("button", name="Transition").click()
    abc.get_by_role("button", name="Yelling").click()
    abc.get_by_label("Other behavior (type it)").fill("  pencil    tapping ")  # replaces the chip
    expect(abc.get_by_role("button", name="Yelling")).to_have_attribute("aria-pressed", "false")
    abc.get_by_role("button", name="Record ABC").click()
    expect(abc.locator(".tally")).to_have_text("2 ABC records")
    page.get_by_role("button", name="Sync", exact=True).click()
    expect(page.locator("#sync-badge")).to_have_text("0 waiting", timeout=10_000)

    stored = Event.objects.filter(session=session).order_by("recorded_at")
    assert [(e.value["antecedent"], e.value["behavior"]) for e in stored] == [
        ("demand-placed", "Elopement"),
        ("transition", "pencil tapping"),
    ]
    assert errors == []


def test_the_start_form_and_the_collect_pages_fit_a_phone(world, live_server, chromium):
    session = screen_session(
        world, world.own_learner, world.assistant, ["task_analysis", "momentary_time_sampling"]
    )
    context = chromium.new_context(viewport={"width": 390, "height": 844})
    try:
        sign_in_browser(context, live_server, world.supervisor)
        page = context.new_page()
        page.goto(f"{live_server.url}/collect/learners/{world.own_learner.pk}/start/")
        rows = page.locator("label.choice")
        expect(rows).to_have_count(2)
        for index in range(2):
            row = rows.nth(index).bounding_box()
            box = rows.nth(index).locator("input[type=checkbox]").bounding_box()
            assert row["height"] >= 44, row
            # The checkbox is inside its own label's row, on the same line as its text.
            assert row["y"] <= box["y"] and box["y"] + box["height"] <= row["y"] + row["height"]
        # Tapping a goal's text toggles that goal's box.
        first = rows.nth(0).locator("input")
        expect(first).to_be_checked()
        rows.nth(0).locator("span").click()
        expect(first).not_to_be_checked()
        assert_fits_viewport(page)

        page.goto(f"{live_server.url}/learners/{world.own_learner.pk}/")
        expect(page.get_by_role("button", name="Join as second observer")).to_be_visible()
        assert_fits_viewport(page)

        page.goto(f"{live_server.url}/collect/sessions/{session.pk}/end/")
        expect(page.locator(".summary-table")).to_contain_text("Momentary time sampling")
        assert_fits_viewport(page)
    finally:
        context.close()
