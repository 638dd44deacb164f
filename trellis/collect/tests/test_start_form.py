"""The start form (issue 11): each goal's checkbox sits inside its own label, and the setting
defaults to where the learner's organization works (a clinic's client: clinic)."""

import re

import pytest

from trellis.collect.models import Session
from trellis.collect.tests.screen_world import screen_goals

pytestmark = pytest.mark.django_db


def start_page(client, user, learner):
    client.force_login(user)
    return client.get(f"/collect/learners/{learner.pk}/start/").content.decode()


def test_each_goal_checkbox_is_inside_its_own_label(client, world):
    goals = screen_goals(world, world.own_learner, ["frequency", "trials"])

    html = start_page(client, world.assistant, world.own_learner)

    labels = re.findall(r'<label class="choice" for="([^"]+)">(.*?)</label>', html, re.S)
    assert len(labels) == len(goals)
    for (for_id, inside), goal in zip(labels, goals, strict=True):
        assert re.search(rf'<input type="checkbox" name="goals" value="{goal.pk}"[^>]*>', inside)
        assert f'id="{for_id}"' in inside
        assert goal.name in inside
    assert "<legend>Goals to run</legend>" in html


def selected_setting(html):
    select = re.search(r'<select name="setting".*?</select>', html, re.S).group(0)
    return re.search(r'<option value="(\w+)" selected>', select).group(1)


def test_the_setting_defaults_to_clinic_for_a_clinic_and_to_school_for_a_school(client, world):
    screen_goals(world, world.client, ["frequency"])
    screen_goals(world, world.own_learner, ["frequency"])

    assert selected_setting(start_page(client, world.technician, world.client)) == "clinic"
    assert selected_setting(start_page(client, world.assistant, world.own_learner)) == "school"


def test_a_refused_start_keeps_the_picked_goals_in_their_labels(client, world):
    counted, trials = screen_goals(world, world.client, ["frequency", "trials"])
    client.force_login(world.technician)

    response = client.post(
        f"/collect/learners/{world.client.pk}/start/", {"goals": [trials.pk], "setting": "moon"}
    )

    html = response.content.decode()
    assert response.status_code == 200 and not Session.objects.exists()
    assert "Setting: Select a valid choice." in html
    labels = re.findall(r'<label class="choice"[^>]*>(.*?)</label>', html, re.S)
    picked = [inside for inside in labels if "checked" in inside]
    assert len(picked) == 1 and trials.name in picked[0] and counted.name not in picked[0]
