"""In real Chromium, at the sizes people hold: a supervisor co-signs a note from the queue on a
tablet; an assistant works from a phone, where no page hides a value or runs off the screen."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from trellis.collect.actions import save_note, sign_note
from trellis.monitoring.status import evaluate_goal
from trellis.monitoring.tests.helpers import START, add_probes, add_session, monitored_goal
from trellis.testing import PASSWORD, assert_every_value_on_screen, make_session, sign_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _signed_note(world):
    session = make_session(world, world.own_learner, by=world.assistant)
    session.ended_at = timezone.now()
    session.save()
    note = save_note(world.assistant, session, what_was_done="Repeated reading, three passages.")
    return sign_note(world.assistant, note, typed_name="Assistant Staffer", password=PASSWORD)


def test_a_supervisor_co_signs_a_note_from_the_queue_and_it_leaves(page, live_server, world):
    note = _signed_note(world)
    sign_in_page(page, live_server, "supervisor")
    queue = page.locator("#queue-to_cosign")
    expect(queue).to_contain_text("Olive Quillfeather — signed by Assistant Staffer")
    expect(page.get_by_role("navigation", name="Main")).to_contain_text("Today 1")
    queue.get_by_role("link").first.click()
    expect(page).to_have_url(f"{live_server.url}/collect/sessions/{note.session_id}/end/")
    form = page.locator(".cosign-form")
    form.get_by_label("Type your full name").fill("Supervisor Staffer")
    form.get_by_label("Your password").fill(PASSWORD)
    form.get_by_role("button", name="Co-sign").click()
    expect(page.locator(".messages")).to_contain_text("Note co-signed.")

    page.get_by_role("link", name="Today").click()
    expect(page.locator("#queue-clear")).to_contain_text(
        "Notes awaiting your co-signature: No note is waiting for your co-signature."
    )
    page.screenshot(path="/tmp/home-supervisor-tablet.png", full_page=True)


def test_an_assistant_on_a_phone_sees_every_value(chromium, live_server, world):
    context = chromium.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    goal = monitored_goal(world.own_learner, name="Oral reading fluency")
    add_probes(goal, [20, 22, 21, 23, 22], by=world.assistant)
    evaluate_goal(goal)
    ended, _ = add_session(
        goal,
        START + dt.timedelta(days=20),
        [("probe", {"score": 31, "errors": 2})],
        by=world.assistant,
    )
    open_session = make_session(world, world.own_learner, goals=[goal], by=world.assistant)

    sign_in_page(page, live_server, "assistant")
    expect(page.locator("#queue-unfinished")).to_contain_text("Quillfeather")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Caseload")).to_be_hidden()
    page.get_by_role("button", name="Menu").click()
    expect(nav.get_by_role("link", name="Caseload")).to_be_visible()
    header = page.locator(".topbar").bounding_box()
    page.get_by_role("button", name="Menu").click()
    assert page.locator(".topbar").bounding_box()["height"] < header["height"]
    assert page.locator(".topbar").bounding_box()["height"] <= 70  # one compact bar

    for path in [
        "/",
        "/caseload/",
        f"/learners/{world.own_learner.pk}/",
        f"/collect/sessions/{ended.pk}/end/",
        "/dashboard/",
    ]:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        assert_every_value_on_screen(page)
    page.goto(f"{live_server.url}/learners/{world.own_learner.pk}/")
    expect(page.get_by_role("link", name="Continue recording").first).to_be_visible()
    assert page.locator(f"a[href='/collect/sessions/{open_session.pk}/']").first.is_visible()
    assert page.locator(f"a[href='/collect/sessions/{ended.pk}/end/']").first.is_visible()
    page.screenshot(path="/tmp/learner-phone.png", full_page=True)
    context.close()
