"""In real Chromium: the supervisor opens the dashboard, filters to flagged goals, opens a
graph in place, accepts "change the intervention" and sees the new phase line on the graph.
The inline SVG must render under the CSP (style-src 'self'): no violation, real colours."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from trellis.monitoring.status import evaluate_goal
from trellis.monitoring.tests.helpers import START, add_probes, monitored_goal, recorder
from trellis.plans.models import Phase
from trellis.testing import sign_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_supervisor_accepts_a_change_and_sees_the_new_phase(page, live_server, world):
    by = recorder(world, world.own_learner)
    flagged = monitored_goal(world.own_learner, name="Oral reading fluency")
    add_probes(flagged, [20] * 5, by=by)
    add_probes(flagged, [21, 21, 22, 21], by=by, start=START + dt.timedelta(days=14))
    calm = monitored_goal(world.own_learner, name="Math facts", goal_value=None)
    add_probes(calm, [20, 22, 21], by=by)
    evaluate_goal(flagged)
    evaluate_goal(calm)
    violations = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )

    sign_in_page(page, live_server, "supervisor")
    page.goto(f"{live_server.url}/dashboard/")
    table = page.locator("#dashboard-table")
    expect(table.get_by_role("link", name="Math facts")).to_be_visible()
    page.get_by_label("Flag").select_option("change_intervention")
    expect(table.get_by_role("link", name="Math facts")).to_have_count(0)
    expect(page).to_have_url(
        f"{live_server.url}/dashboard/?school=&tier=&staff=&flag=change_intervention&sort=flag"
    )

    table.get_by_role("link", name="Oral reading fluency").click()
    panel = page.locator(f"#panel-{flagged.pk} .goal-panel")
    graph = panel.locator("svg.graph")
    expect(graph).to_be_visible()
    assert graph.bounding_box()["width"] > 400
    # Presentation attributes survive the CSP: the data path is drawn in its blue.
    stroke = graph.evaluate(
        "svg => getComputedStyle(svg.querySelector('#line2d_1 path, g[id^=line2d] path')).stroke"
    )
    assert stroke not in ("none", "", "rgb(0, 0, 0)")
    page.screenshot(path="/tmp/monitoring-dashboard-graph.png", full_page=True, caret="initial")

    panel.get_by_label("New phase label").fill("Added repeated reading")
    panel.get_by_role("button", name="Accept: change the intervention").click()
    new_panel = page.locator(f"#panel-{flagged.pk} .goal-panel")
    expect(new_panel.locator("svg.graph")).to_contain_text("Added repeated reading")
    expect(new_panel).to_contain_text("accepted by Supervisor")
    expect(new_panel.get_by_role("button", name="Accept: change the intervention")).to_have_count(0)
    assert Phase.objects.filter(goal=flagged, label="Added repeated reading").exists()
    page.screenshot(path="/tmp/monitoring-after-accept.png", full_page=True, caret="initial")
    assert violations == []


def test_a_refused_decision_shows_its_error_in_place_on_a_tablet(page, live_server, world):
    """Dismissing without a reason, or starting a phase without a label, answers 400: the
    panel shows the error beside the field (htmx swaps 400 answers) and keeps the input."""
    by = recorder(world, world.own_learner)
    goal = monitored_goal(world.own_learner, name="Oral reading fluency")
    add_probes(goal, [20] * 5, by=by)
    add_probes(goal, [21, 21, 22, 21], by=by, start=START + dt.timedelta(days=14))
    evaluate_goal(goal)

    sign_in_page(page, live_server, "supervisor")
    page.goto(f"{live_server.url}/goals/{goal.pk}/monitor/")
    panel = page.locator(".goal-panel")
    rec = panel.locator("article.rec.flag-change_intervention")
    rec.get_by_label("Note (optional)").fill("Team met on Tuesday")
    rec.get_by_role("button", name="Accept: change the intervention").click()
    expect(rec.get_by_role("alert")).to_contain_text("New phase label: Name the new phase")
    expect(rec.get_by_label("New phase label")).to_have_attribute("aria-invalid", "true")
    expect(rec.get_by_label("Note (optional)")).to_have_value("Team met on Tuesday")
    page.screenshot(path="/tmp/monitoring-refused-decision.png", full_page=True)

    rec.get_by_role("button", name="Dismiss").click()
    expect(rec.get_by_role("alert")).to_contain_text(
        "Reason to dismiss: Say why this recommendation is dismissed."
    )
    rec.get_by_label("Reason to dismiss").fill("Probe given on a fire-drill day")
    rec.get_by_role("button", name="Dismiss").click()
    expect(rec).to_have_count(0)
    expect(panel.locator("details", has_text="Earlier decisions")).to_contain_text(
        "Probe given on a fire-drill day"
    )
    assert not Phase.objects.filter(goal=goal, label="").exists()
