"""A second observer records the same sitting on their own, for interobserver agreement."""

import pytest

from trellis.collect.models import Session
from trellis.collect.tests.screen_world import screen_session

pytestmark = pytest.mark.django_db


def test_joining_as_second_observer_makes_a_linked_separate_session(client, world):
    primary = screen_session(world, world.own_learner, world.assistant, ["frequency"])
    client.force_login(world.supervisor)

    response = client.post(f"/collect/sessions/{primary.pk}/observe/")

    second = Session.objects.get(primary_session=primary)
    assert response.url == f"/collect/sessions/{second.pk}/"
    assert second.recorded_by == world.supervisor
    assert list(second.goals.all()) == list(primary.goals.all())
    screen = client.get(response.url).content.decode()
    assert "Second observer" in screen
    summary = client.get(f"/collect/sessions/{primary.pk}/end/").content.decode()
    assert "Second observer: Supervisor Staffer" in summary
    assert f'href="/learners/{world.own_learner.pk}/ioa/">Interobserver agreement' in summary


def test_the_recorder_cannot_be_their_own_second_observer(client, world):
    primary = screen_session(world, world.own_learner, world.assistant, ["frequency"])
    client.force_login(world.assistant)

    response = client.post(f"/collect/sessions/{primary.pk}/observe/", follow=True)

    assert not Session.objects.filter(primary_session=primary).exists()
    assert "another person" in response.content.decode()


def test_staff_of_other_caseloads_cannot_join(client, world):
    primary = screen_session(world, world.own_learner, world.assistant, ["frequency"])
    client.force_login(world.other_assistant)

    assert client.post(f"/collect/sessions/{primary.pk}/observe/").status_code == 404
    assert not Session.objects.filter(primary_session=primary).exists()
