"""In real headless Chromium: an assistant records a session with the network gone, reloads the
screen offline, and every event reaches the server exactly once when the network returns."""

import time
import uuid

import pytest
from django.test import Client
from playwright.sync_api import expect

from trellis.collect.models import Event
from trellis.collect.tests.screen_world import screen_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in_browser(browser_context, live_server, user):
    """The browser gets a signed-in session cookie (a password sign-in is tested elsewhere)."""
    client = Client()
    client.force_login(user)
    browser_context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def control(page, goal):
    return page.locator(f'section.control[data-goal="{goal.pk}"]')


def device_events(page):
    """The events this device holds in IndexedDB: [{id, status, kind}]."""
    return page.evaluate(
        """() => new Promise((resolve, reject) => {
            const open = indexedDB.open("trellis-collect");
            open.onsuccess = () => {
                const request = open.result.transaction("events").objectStore("events").getAll();
                request.onsuccess = () => resolve(request.result.map(
                    (e) => ({id: e.id, status: e.status, kind: e.kind, reason: e.reason || null})));
                request.onerror = () => reject(request.error);
            };
            open.onerror = () => reject(open.error);
        })"""
    )


def wait_for_device_events(page, count, timeout=5.0):
    """Until the device holds `count` events: a tap shows at once, and is stored a moment later."""
    deadline = time.monotonic() + timeout
    while len(device_events(page)) < count:
        assert time.monotonic() < deadline, device_events(page)
        page.wait_for_timeout(20)


def open_screen(page, live_server, session):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/collect/sessions/{session.pk}/")
    expect(page.locator("#screen")).to_have_attribute("data-ready", "true")
    return errors


@pytest.fixture
def recording(world, live_server, browser_context, page):
    session = screen_session(world, world.own_learner, world.assistant, interval_seconds=1)
    goals = {goal.measure: goal for goal in session.goals.all()}
    sign_in_browser(browser_context, live_server, world.assistant)
    errors = open_screen(page, live_server, session)
    # The service worker has the page and its files once the screen says so.
    expect(page.locator("html")).to_have_attribute("data-offline-ready", "true", timeout=15_000)
    return session, goals, errors


def test_fifty_events_recorded_offline_arrive_once_after_a_reload(
    recording, page, browser_context, live_server
):
    session, goals, errors = recording
    badge = page.locator("#sync-badge")
    counter = control(page, goals["frequency"])
    timer = control(page, goals["duration"])
    intervals = control(page, goals["partial_interval"])
    trials = control(page, goals["trials"])

    browser_context.set_offline(True)
    intervals.get_by_role("button", name="Start intervals").click()
    for _ in range(14):
        counter.locator("button.plus").click()
    counter.get_by_role("button", name="Undo").click()  # a void of the 14th count
    expect(counter.locator(".count")).to_have_text("13")
    for _ in range(5):
        timer.locator("button.timer-button").click()
        page.wait_for_timeout(30)
        timer.locator("button.timer-button").click()
    expect(timer.locator(".tally")).to_contain_text("5 timed")
    expect(badge).to_have_text("20 waiting")
    assert page.evaluate("fetch('/healthz').then(() => 'reached', () => 'no network')") == (
        "no network"
    )

    # Reload with no network: the service worker serves the screen, IndexedDB the events.
    response = page.reload()
    assert response is None or response.from_service_worker
    expect(page.locator("#screen")).to_have_attribute("data-ready", "true")
    expect(counter.locator(".count")).to_have_text("13")
    expect(timer.locator(".tally")).to_contain_text("5 timed")
    expect(badge).to_have_text("20 waiting")

    levels = trials.locator(".prompts button")
    for tap in range(20):
        levels.nth(tap % levels.count()).click()
    expect(trials.locator(".tally")).to_contain_text("20 trials")
    # The interval recorder kept running through the reload; score ten intervals as they come.
    yes, no = intervals.locator("button.yes"), intervals.locator("button.no")
    for index in range(10):
        expect(yes).to_be_enabled(timeout=5_000)
        (yes if index % 3 else no).click()
    expect(intervals.locator(".cell.scored, .cell.unscored")).to_have_count(10)
    expect(badge).to_have_text("50 waiting")
    on_device = device_events(page)
    # The worker had no network either: a screen never opened here is not available.
    other = page.context.new_page()
    other.goto(f"{live_server.url}/collect/sessions/{uuid.uuid4()}/")
    expect(other.get_by_role("heading", name="No network")).to_be_visible()
    other.close()
    assert len(on_device) == 50
    assert Event.objects.filter(session=session).count() == 0

    browser_context.set_offline(False)
    expect(badge).to_have_text("0 waiting", timeout=20_000)

    stored = Event.objects.filter(session=session)
    assert sorted(str(pk) for pk in stored.values_list("id", flat=True)) == sorted(
        e["id"] for e in on_device
    )
    by_kind = {}
    for kind in stored.values_list("kind", flat=True):
        by_kind[kind] = by_kind.get(kind, 0) + 1
    assert by_kind == {"count": 14, "void": 1, "duration": 5, "trial": 20, "interval": 10}
    assert stored.get(kind="void").voids.kind == "count"
    assert {e["status"] for e in device_events(page)} == {"synced"}
    assert errors == []


def test_a_rejected_event_stays_on_the_device_with_the_reason(
    recording, page, browser_context, live_server
):
    session, goals, errors = recording
    # The goal leaves the plan in force while the screen is open: the server refuses its data.
    plan = goals["frequency"].plan
    plan.status = "superseded"
    plan.save()
    session.goals.remove(goals["frequency"])

    control(page, goals["frequency"]).locator("button.plus").click()
    page.get_by_role("button", name="Sync", exact=True).click()

    rejected = page.locator("#rejected")
    expect(rejected).to_be_visible(timeout=10_000)
    expect(rejected).to_contain_text("Hand raises")
    expect(rejected.locator(".reason")).not_to_be_empty()
    [kept] = device_events(page)
    assert kept["status"] == "rejected" and kept["reason"]
    assert Event.objects.filter(session=session).count() == 0
    expect(page.locator("#sync-badge")).to_have_text("0 waiting")


def test_signed_out_events_wait_on_the_device_until_the_user_signs_in_again(
    recording, page, browser_context, live_server, world
):
    session, goals, errors = recording
    browser_context.clear_cookies()  # signed out (idle timeout, or signed out in another tab)

    control(page, goals["frequency"]).locator("button.plus").click()
    page.get_by_role("button", name="Sync", exact=True).click()

    expect(page.get_by_role("link", name="Sign in again")).to_be_visible()
    expect(page.locator("#sync-badge")).to_have_text("1 waiting")
    assert [e["status"] for e in device_events(page)] == ["pending"]

    # Signed in again, the screen reopens (as "Sign in again" brings it back) and sends them.
    sign_in_browser(browser_context, live_server, world.assistant)
    page.reload()
    expect(page.locator("#sync-badge")).to_have_text("0 waiting")
    expect(control(page, goals["frequency"]).locator(".count")).to_have_text("1")
    assert Event.objects.filter(session=session).count() == 1


def test_a_session_started_with_no_network_reaches_the_server_with_its_events(
    world, live_server, browser_context, page
):
    from trellis.collect.models import Session
    from trellis.collect.tests.screen_world import behavior_support, screen_goals

    counted, trials = screen_goals(world, world.own_learner, ["frequency", "trials"])
    behavior_support(world.own_learner)
    sign_in_browser(browser_context, live_server, world.assistant)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # Opened once with a network (e.g. at the start of the day), the start page works offline.
    page.goto(f"{live_server.url}/collect/learners/{world.own_learner.pk}/start/")
    expect(page.locator("html")).to_have_attribute("data-offline-ready", "true", timeout=15_000)
    browser_context.set_offline(True)
    page.reload()
    page.get_by_label(f"{trials.name} — Discrete trials").uncheck()
    page.get_by_role("button", name="Start session").click()

    expect(page.locator("#screen")).to_have_attribute("data-ready", "true")
    expect(page.get_by_role("heading", name="Olive Quillfeather")).to_be_visible()
    expect(control(page, trials)).to_have_count(0)
    counter = control(page, counted)
    for _ in range(3):
        counter.locator("button.plus").click()
    wait_for_device_events(page, 3)
    page.reload()  # still no network
    expect(counter.locator(".count")).to_have_text("3")
    page.get_by_role("button", name="Plans & crisis").click()
    expect(page.get_by_role("dialog")).to_contain_text("If eloping: stay within sight")
    page.get_by_role("button", name="Close").click()
    counter.locator("button.plus").click()
    expect(page.locator("#sync-badge")).to_have_text("4 waiting")
    assert not Session.objects.exists()

    browser_context.set_offline(False)
    expect(page.locator("#sync-badge")).to_have_text("0 waiting", timeout=20_000)

    session = Session.objects.get()
    assert str(session.pk) in page.url
    assert session.recorded_by == world.assistant and session.learner == world.own_learner
    assert list(session.goals.all()) == [counted]
    assert Event.objects.filter(session=session, kind="count").count() == 4
    assert errors == []


def test_signing_out_drops_the_pages_kept_for_offline_use(
    recording, page, browser_context, live_server
):
    session, goals, errors = recording
    control(page, goals["frequency"]).locator("button.plus").click()
    browser_context.clear_cookies()  # signed out

    page.goto(f"{live_server.url}/collect/sessions/{session.pk}/")  # → the sign-in page
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()

    kept = page.evaluate(
        """async () => {
            const cache = await caches.open("trellis-collect-v1");
            return (await cache.keys()).map((r) => new URL(r.url).pathname);
        }"""
    )
    assert kept and all(path.startswith("/static/") for path in kept), kept
    assert [e["status"] for e in device_events(page)] == ["pending"]  # the tap is still here


def test_on_wifi_that_does_not_reach_the_server_the_session_starts_on_the_device(
    world, live_server, browser_context, page
):
    """The classroom's Wi-Fi is up but nothing answers behind it (a captive portal, a dead
    uplink): the browser thinks it is online, yet Start must not end on an error page."""
    from trellis.collect.models import Session
    from trellis.collect.tests.screen_world import screen_goals

    counted, _ = screen_goals(world, world.own_learner, ["frequency", "trials"])
    sign_in_browser(browser_context, live_server, world.assistant)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/collect/learners/{world.own_learner.pk}/start/")
    expect(page.locator("html")).to_have_attribute("data-offline-ready", "true", timeout=15_000)
    # Nothing reaches the server now, though the device has a network.
    page.route(f"{live_server.url}/**", lambda route: route.abort("internetdisconnected"))
    page.get_by_role("button", name="Start session").click()

    expect(page.locator("#screen")).to_have_attribute("data-ready", "true")
    control(page, counted).locator("button.plus").click()
    expect(page.locator("#sync-badge")).to_have_text("1 waiting")
    assert not Session.objects.exists()

    page.unroute(f"{live_server.url}/**")  # the uplink is back
    page.get_by_role("button", name="Sync", exact=True).click()
    expect(page.locator("#sync-badge")).to_have_text("0 waiting", timeout=20_000)
    session = Session.objects.get()
    assert Event.objects.filter(session=session, kind="count").count() == 1
    assert errors == []


def test_when_the_server_answers_start_posts_the_form_as_usual(
    world, live_server, browser_context, page
):
    from trellis.collect.models import Session
    from trellis.collect.tests.screen_world import screen_goals

    screen_goals(world, world.own_learner, ["frequency"])
    sign_in_browser(browser_context, live_server, world.assistant)
    page.goto(f"{live_server.url}/collect/learners/{world.own_learner.pk}/start/")
    page.get_by_role("button", name="Start session").click()

    expect(page.locator("#screen")).to_have_attribute("data-ready", "true")
    session = Session.objects.get()  # started by the server, not on the device
    assert f"/collect/sessions/{session.pk}/" in page.url
