"""In real headless Chromium: every control of the screen makes events the server accepts, and
the plans and crisis steps are one tap away, with no network too."""

import pytest
from playwright.sync_api import expect

from trellis.collect.models import Event
from trellis.collect.tests.screen_world import screen_session
from trellis.collect.tests.test_screen_browser import (
    control,
    device_events,
    open_screen,
    sign_in_browser,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def screen(world, live_server, browser_context, page):
    session = screen_session(world, world.own_learner, world.assistant, interval_seconds=1)
    goals = {goal.measure: goal for goal in session.goals.all()}
    sign_in_browser(browser_context, live_server, world.assistant)
    errors = open_screen(page, live_server, session)
    return session, goals, errors


def test_every_control_records_events_the_server_accepts(screen, page):
    session, goals, errors = screen

    latency = control(page, goals["latency"])
    latency.get_by_role("button", name="Cue given").click()
    page.wait_for_timeout(50)
    latency.get_by_role("button", name="Response", exact=True).click()
    expect(latency.locator(".tally")).to_contain_text("1 timed")

    for measure in ("whole_interval", "momentary_time_sampling"):
        recorder = control(page, goals[measure])
        recorder.locator("button.start").click()
        recorder.locator("button.yes").click()
        expect(recorder.locator(".cell.scored")).to_have_count(1)

    steps = control(page, goals["task_analysis"])
    steps.get_by_role("button", name="Wet hands: Independent").click()
    steps.get_by_role("button", name="Soap: Model").click()
    steps.get_by_role("button", name="Soap: Gestural").click()  # a step scored again: last wins
    expect(steps.locator(".tally")).to_have_text("2 of 5 steps · 1 independent")

    probe = control(page, goals["probe"])
    probe.get_by_role("button", name="Start probe").click()
    for _ in range(3):
        probe.get_by_role("button", name="Score (words correct per minute) plus one").click()
    probe.get_by_role("button", name="Errors plus one").click()
    probe.get_by_role("button", name="Save probe").click()
    expect(probe.locator(".tally")).to_contain_text("Last: 3 (1 errors)")

    card = control(page, goals["rating"])
    card.get_by_role("button", name="Safe body: 2").click()
    card.get_by_role("button", name="On task: 1").click()
    expect(card.locator(".tally")).to_have_text("3 of 4 points · 75%")

    abc = control(page, goals["abc"])
    abc.get_by_role("button", name="Record ABC").click()
    expect(abc.locator(".tally")).to_contain_text("Pick an antecedent")
    abc.get_by_role("button", name="Demand placed").click()
    abc.get_by_role("button", name="Elopement").click()
    abc.get_by_role("button", name="Break given").click()
    abc.get_by_label("ABC note (optional)").fill("Ran to the door after the worksheet")
    abc.get_by_role("button", name="Record ABC").click()
    expect(abc.locator(".tally")).to_have_text("1 ABC record")

    trials = control(page, goals["trials"])
    trials.get_by_role("button", name="dog").click()
    trials.get_by_role("button", name="✓ Independent").click()
    trials.get_by_role("button", name="No response").click()
    expect(trials.locator(".tally")).to_have_text("2 trials · 50% independent")

    page.get_by_role("button", name="Sync", exact=True).click()
    expect(page.locator("#sync-badge")).to_have_text("0 waiting", timeout=10_000)

    statuses = {e["status"] for e in device_events(page)}
    assert statuses == {"synced"}, device_events(page)
    stored = {e.kind: e for e in Event.objects.filter(session=session)}
    assert stored["abc"].value == {
        "antecedent": "demand-placed",
        "behavior": "Elopement",
        "consequence": "break-given",
        "setting": None,
        "note": "Ran to the door after the worksheet",
    }
    assert stored["probe"].value == {"score": 3, "errors": 1}
    assert stored["trial"].target.name == "dog"
    assert Event.objects.filter(session=session, kind="interval").count() == 2
    assert Event.objects.filter(session=session, kind="step").count() == 3
    assert errors == []


def test_the_crisis_plan_is_one_tap_away_offline(screen, page, browser_context):
    session, goals, errors = screen
    expect(page.locator("html")).to_have_attribute("data-offline-ready", "true", timeout=15_000)
    browser_context.set_offline(True)
    page.reload()
    expect(page.locator("#screen")).to_have_attribute("data-ready", "true")

    page.get_by_role("button", name="Plans & crisis").click()

    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("If eloping: stay within sight")
    expect(dialog).to_contain_text("Offer a break card")
    expect(dialog).to_contain_text("Leaving the assigned area without permission")
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()
    assert errors == []


def test_a_group_session_shows_one_tab_per_learner(world, live_server, browser_context, page):
    from django.utils import timezone

    from trellis.collect.models import Session
    from trellis.people.models import Group
    from trellis.testing import assign, make_goal

    assign(world.assistant, world.classmate)
    group = Group.objects.create(organization=world.school, name="Reading group")
    group.learners.add(world.own_learner, world.classmate)
    mine = make_goal(world, world.own_learner, "frequency", name="Olive's hand raises")
    theirs = make_goal(world, world.classmate, "frequency", name="Classmate's hand raises")
    session = Session.objects.create(
        group=group, started_at=timezone.now(), recorded_by=world.assistant
    )
    session.goals.set([mine, theirs])
    sign_in_browser(browser_context, live_server, world.assistant)
    errors = open_screen(page, live_server, session)

    page.get_by_role("tab", name=world.own_learner.full_name).click()
    expect(control(page, mine)).to_be_visible()
    expect(control(page, theirs)).to_be_hidden()
    page.get_by_role("tab", name=world.classmate.full_name).click()
    expect(control(page, mine)).to_be_hidden()
    control(page, theirs).locator("button.plus").click()
    control(page, theirs).locator("button.plus").click()
    page.get_by_role("button", name="Sync", exact=True).click()
    expect(page.locator("#sync-badge")).to_have_text("0 waiting")

    stored = Event.objects.filter(session=session)
    assert stored.count() == 2
    assert {e.goal.plan.learner for e in stored} == {world.classmate}
    assert errors == []
