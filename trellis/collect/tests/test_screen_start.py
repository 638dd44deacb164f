"""An assistant starts a session from the learner (or group) page, picking the goals to run."""

import pytest

from trellis.audit.models import AuditEntry
from trellis.collect.models import Session
from trellis.collect.tests.screen_world import screen_goals
from trellis.people.models import Group

pytestmark = pytest.mark.django_db


def test_the_start_page_lists_the_current_goals_all_picked(client, world):
    goals = screen_goals(world, world.own_learner, ["frequency", "trials"])
    client.force_login(world.assistant)

    response = client.get(f"/collect/learners/{world.own_learner.pk}/start/")

    assert response.status_code == 200
    html = response.content.decode()
    for goal in goals:
        assert f'value="{goal.pk}"' in html
        assert goal.name in html
    assert html.count("checked") == 2


def test_starting_a_session_opens_its_screen_with_the_picked_goals(client, world):
    counted, trials = screen_goals(world, world.own_learner, ["frequency", "trials"])
    client.force_login(world.assistant)

    response = client.post(
        f"/collect/learners/{world.own_learner.pk}/start/",
        {"goals": [str(trials.pk)], "setting": "home"},
    )

    session = Session.objects.get()
    assert response.status_code == 302
    assert response.url == f"/collect/sessions/{session.pk}/"
    assert list(session.goals.all()) == [trials]
    assert session.setting == "home"
    assert session.recorded_by == world.assistant
    assert session.learner == world.own_learner


def test_a_session_needs_a_goal_and_the_form_says_so(client, world):
    screen_goals(world, world.own_learner, ["frequency"])
    client.force_login(world.assistant)

    response = client.post(
        f"/collect/learners/{world.own_learner.pk}/start/", {"setting": "school"}
    )

    assert response.status_code == 200
    assert "Goals to run: This field is required." in response.content.decode()
    assert not Session.objects.exists()


def test_it_does_not_start_sessions_for_other_caseloads(client, world):
    goal = screen_goals(world, world.classmate, ["frequency"])[0]
    client.force_login(world.assistant)

    get = client.get(f"/collect/learners/{world.classmate.pk}/start/")
    post = client.post(
        f"/collect/learners/{world.classmate.pk}/start/", {"goals": [goal.pk], "setting": "school"}
    )

    assert get.status_code == post.status_code == 404
    assert not Session.objects.exists()
    assert AuditEntry.objects.filter(action="session.prepare", result="denied").count() == 2


def test_a_guardian_cannot_start_a_session(client, world):
    client.force_login(world.guardian)

    assert client.get(f"/collect/learners/{world.own_learner.pk}/start/").status_code == 404


def test_a_group_session_runs_the_goals_of_every_learner_of_the_group(client, world):
    from trellis.testing import assign

    assign(world.assistant, world.classmate)
    group = Group.objects.create(organization=world.school, name="Reading group")
    group.learners.add(world.own_learner, world.classmate)
    mine = screen_goals(world, world.own_learner, ["frequency"])[0]
    theirs = screen_goals(world, world.classmate, ["trials"])[0]
    client.force_login(world.assistant)

    response = client.post(
        f"/collect/groups/{group.pk}/start/",
        {"goals": [mine.pk, theirs.pk], "setting": "school"},
    )

    session = Session.objects.get()
    assert response.url == f"/collect/sessions/{session.pk}/"
    assert session.group == group and session.learner is None
    screen = client.get(response.url).content.decode()
    assert f'data-show-lane="{world.own_learner.pk}"' in screen
    assert f'data-show-lane="{world.classmate.pk}"' in screen


def test_a_group_with_a_learner_off_my_caseload_is_hidden(client, world):
    group = Group.objects.create(organization=world.school, name="Mixed group")
    group.learners.add(world.own_learner, world.classmate)
    client.force_login(world.assistant)

    assert client.get(f"/collect/groups/{group.pk}/start/").status_code == 404
    assert AuditEntry.objects.filter(action="group.view", result="denied").exists()


def test_the_learner_profile_offers_to_start_a_session_and_lists_recent_ones(client, world):
    from trellis.collect.tests.screen_world import screen_session

    session = screen_session(world, world.own_learner, world.assistant, ["frequency"])
    client.force_login(world.assistant)

    html = client.get(f"/learners/{world.own_learner.pk}/").content.decode()

    assert f'href="/collect/learners/{world.own_learner.pk}/start/"' in html
    assert f'href="/collect/sessions/{session.pk}/">Continue recording' in html


def test_a_guardian_sees_no_data_collection_on_the_profile(client, world):
    client.force_login(world.guardian)

    html = client.get(f"/learners/{world.own_learner.pk}/").content.decode()

    assert "Start a session" not in html
