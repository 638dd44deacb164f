"""The MAR on a 390 px phone: today's column is what shows first, and the page is no wider than
the screen (the grid scrolls inside its card)."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from trellis.testing import assert_fits_viewport, make_order, sign_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 390


@pytest.fixture
def phone(chromium):
    context = chromium.new_context(viewport={"width": WIDTH, "height": 844}, is_mobile=True)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def test_the_mar_opens_at_today_on_a_phone(phone, live_server, world, nurse):
    page = phone
    make_order(world, world.own_learner, drug="Insulin lispro (sliding scale)", dose="per scale")
    make_order(world, world.own_learner, times=(), as_needed=True, indication="Headache")
    today = timezone.now().astimezone(ZoneInfo(world.school.time_zone)).date()
    sign_in_page(page, live_server, "nurse")
    url = f"{live_server.url}/learners/{world.own_learner.pk}/mar/"
    for start in (None, today - timedelta(days=3)):  # today last, then in the middle of the week
        page.goto(url + (f"?start={start.isoformat()}" if start else ""))
        page.wait_for_load_state("load")
        column = page.locator("table.mar th.today")
        column.wait_for()
        page.wait_for_function(
            "() => { const th = document.querySelector('table.mar th.today')"
            f".getBoundingClientRect(); return th.left >= 0 && th.right <= {WIDTH}; }}"
        )
        box = column.bounding_box()
        sticky = page.locator("table.mar thead th").first.bounding_box()
        assert box["x"] >= sticky["x"] + sticky["width"] - 1  # not under the medication column
        assert box["x"] + box["width"] <= WIDTH
        assert_fits_viewport(page)
