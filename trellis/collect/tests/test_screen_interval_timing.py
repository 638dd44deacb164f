"""In real headless Chromium (issue 11): a whole interval or a momentary time sample is scored
only once its interval has ended, the last one after the recorder's end too; a partial interval
may be scored while it runs. The server accepts what the screen records."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from trellis.collect.models import Event, Session
from trellis.collect.tests.test_screen_browser import (
    control,
    device_events,
    open_screen,
    sign_in_browser,
)
from trellis.testing import make_goal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Four intervals of one second (3.75 s rounds up to a fourth interval).
SHORT = {"interval_seconds": 1, "session_minutes": 0.0625}


@pytest.fixture
def recorders(world, live_server, browser_context, page):
    goals = {
        measure: make_goal(world, world.own_learner, measure, settings=SHORT, name=name)
        for measure, name in [
            ("whole_interval", "Engaged (WIR)"),
            ("momentary_time_sampling", "In seat (MTS)"),
            ("partial_interval", "Out of seat (PIR)"),
        ]
    }
    session = Session.objects.create(
        learner=world.own_learner, started_at=timezone.now(), recorded_by=world.assistant
    )
    session.goals.set(goals.values())
    sign_in_browser(browser_context, live_server, world.assistant)
    errors = open_screen(page, live_server, session)
    return session, goals, errors


def test_whole_interval_and_mts_wait_for_the_interval_to_end(recorders, page):
    session, goals, errors = recorders
    whole = control(page, goals["whole_interval"])
    sample = control(page, goals["momentary_time_sampling"])
    partial = control(page, goals["partial_interval"])

    whole.get_by_role("button", name="Start intervals").click()
    sample.get_by_role("button", name="Start intervals").click()
    partial.get_by_role("button", name="Start intervals").click()
    # Interval 1 is running: only the partial interval can be scored yet.
    expect(whole.locator("button.yes")).to_be_disabled()
    expect(whole.locator("button.no")).to_be_disabled()
    expect(sample.locator("button.yes")).to_be_disabled()
    expect(whole.locator(".interval-status")).to_contain_text("score interval 1 when it ends")
    expect(partial.locator("button.yes")).to_be_enabled()
    partial.locator("button.yes").click()

    # Interval 1 has ended: it can be scored now, and only it.
    expect(whole.get_by_role("button", name="Not the whole interval (1)")).to_be_enabled(
        timeout=5_000
    )
    whole.locator("button.no").click()
    sample.get_by_role("button", name="Occurring now (1)").click()
    expect(whole.locator(".cell.unscored")).to_have_count(1)

    # After the fourth (last) interval has ended the recorder stays to take its score.
    expect(whole.locator(".interval-status")).to_contain_text(
        "All 4 intervals ended", timeout=10_000
    )
    for index in (2, 3, 4):
        whole.get_by_role("button", name=f"Whole interval ({index})", exact=True).click()
    expect(whole.locator(".cell.scored")).to_have_count(3)
    expect(whole.locator("button.yes")).to_be_disabled()
    expect(whole.locator("button.start")).to_have_text("All intervals scored")

    page.get_by_role("button", name="Sync", exact=True).click()
    expect(page.locator("#sync-badge")).to_have_text("0 waiting", timeout=10_000)
    assert {e["status"] for e in device_events(page)} == {"synced"}, device_events(page)
    stored = Event.objects.filter(session=session, goal=goals["whole_interval"])
    assert sorted((e.value["index"], e.value["scored"]) for e in stored) == [
        (0, False),
        (1, True),
        (2, True),
        (3, True),
    ]
    assert errors == []
