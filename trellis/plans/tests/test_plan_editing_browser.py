"""In a real browser: a supervisor removes a goal from a draft plan (after confirming), and
renames an option of the school's ABC pick list."""

import pytest
from playwright.sync_api import expect

from trellis.plans import actions
from trellis.testing import sign_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_supervisor_removes_a_draft_goal(page, live_server, world, draft):
    sign_in_page(page, live_server, "supervisor")
    page.goto(f"{live_server.url}/plans/{draft.pk}/")
    page.get_by_role("link", name="Requesting").click()
    confirm = page.get_by_role("button", name="Yes, remove the goal")
    expect(confirm).to_be_hidden()  # a second step: nothing is removed by one stray tap
    page.get_by_text("Remove this goal…").click()
    expect(page.get_by_text("Remove “Requesting”, its targets and its phases")).to_be_visible()
    confirm.click()
    expect(page.get_by_role("heading", name="IEP")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("Goal “Requesting” removed from this draft.")
    expect(page.get_by_role("link", name="Requesting")).to_have_count(0)
    expect(page.get_by_role("link", name="Reading")).to_be_visible()
    assert list(draft.goals.values_list("name", flat=True)) == ["Reading"]


def test_a_supervisor_renames_an_abc_option(page, live_server, world):
    option = actions.save_abc_option(
        world.supervisor, world.school, kind="antecedent", label="Transition", code="transition"
    )
    sign_in_page(page, live_server, "supervisor")
    page.goto(f"{live_server.url}/organizations/lists/?organization={world.school.pk}")
    edit = page.locator("details", has_text="Rename or reorder “Transition”")
    edit.get_by_text("Rename or reorder").click()
    edit.get_by_label("Label").fill("Transition between activities")
    edit.get_by_label("Order").fill("2")
    edit.get_by_role("button", name="Save option").click()
    row = page.get_by_role("listitem").filter(has_text="Antecedent: Transition between activities")
    expect(row).to_contain_text("order 2")
    option.refresh_from_db()
    assert (option.label, option.order, option.code) == (
        "Transition between activities",
        2,
        "transition",  # recorded events store the code
    )
