"""Joining a running session as second observer is a button (issue 11), on the learner's
Data collection card and on the session's summary, not a URL to copy."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from trellis.collect.models import Session
from trellis.collect.tests.screen_world import screen_session

pytestmark = pytest.mark.django_db


def join_form(html, session):
    """The join button's form for this session: (method, button text), or None."""
    found = re.search(
        rf'<form method="(\w+)" action="/collect/sessions/{session.pk}/observe/"[^>]*>.*?'
        r"<button[^>]*>([^<]+)</button>",
        html,
        re.S,
    )
    return found.groups() if found else None


@pytest.fixture
def running(world):
    """The assistant records a session of her learner now."""
    return screen_session(world, world.own_learner, world.assistant, ["frequency"])


def test_the_learner_card_offers_to_join_a_running_session(client, world, running):
    client.force_login(world.assistant)
    own = client.get(f"/learners/{world.own_learner.pk}/").content.decode()
    client.force_login(world.supervisor)

    html = client.get(f"/learners/{world.own_learner.pk}/").content.decode()

    assert join_form(html, running) == ("post", "Join as second observer")
    # The recorder is not offered to observe their own session.
    assert join_form(own, running) is None and "Join as second observer" not in own
    assert "Assistant Staffer is recording since" in html
    response = client.post(f"/collect/sessions/{running.pk}/observe/")
    second = Session.objects.get(primary_session=running)
    assert response.url == f"/collect/sessions/{second.pk}/"
    assert second.recorded_by == world.supervisor


def test_ended_and_long_abandoned_sessions_are_not_offered(client, world, running):
    running.ended_at = timezone.now()
    running.save()
    left_open = screen_session(
        world,
        world.own_learner,
        world.assistant,
        ["frequency"],
        started_at=timezone.now() - timedelta(days=2),
    )
    client.force_login(world.supervisor)

    html = client.get(f"/learners/{world.own_learner.pk}/").content.decode()

    assert join_form(html, running) is None and join_form(html, left_open) is None
    assert client.post(f"/collect/sessions/{running.pk}/observe/").status_code == 302
    assert not Session.objects.filter(primary_session=running).exists()


def test_the_summary_of_a_running_session_has_the_join_button(client, world, running):
    client.force_login(world.supervisor)

    html = client.get(f"/collect/sessions/{running.pk}/end/").content.decode()

    assert join_form(html, running) == ("post", "Join as second observer")


def test_joining_again_continues_the_same_record(client, world, running):
    client.force_login(world.supervisor)
    first = client.post(f"/collect/sessions/{running.pk}/observe/").url

    again = client.post(f"/collect/sessions/{running.pk}/observe/").url

    second = Session.objects.get(primary_session=running)
    assert first == again == f"/collect/sessions/{second.pk}/"
    card = client.get(f"/learners/{world.own_learner.pk}/").content.decode()
    summary = client.get(f"/collect/sessions/{running.pk}/end/").content.decode()
    for html in (card, summary):
        assert join_form(html, running) is None
        assert f'href="/collect/sessions/{second.pk}/">Continue as second observer' in html
