"""The assistant opens the live collection screen of their session; nobody else records in it."""

import json

import pytest

from trellis.audit.models import AuditEntry
from trellis.collect.tests.screen_world import EVERY_MEASURE, screen_session

pytestmark = pytest.mark.django_db


def screen_data(response):
    html = response.content.decode()
    start = html.index('<script id="screen-data" type="application/json">')
    body = html[start:].split(">", 1)[1].split("</script>", 1)[0]
    return json.loads(body)


def test_the_screen_has_a_control_for_every_goal_and_the_plans_one_tap_away(client, world):
    session = screen_session(world, world.own_learner, world.assistant)
    client.force_login(world.assistant)

    response = client.get(f"/collect/sessions/{session.pk}/")

    assert response.status_code == 200
    data = screen_data(response)
    assert data["session"]["id"] == str(session.pk)
    assert data["sync_url"] == "/api/v1/sync"
    [learner] = data["learners"]
    assert sorted(g["measure"] for g in learner["goals"]) == sorted(EVERY_MEASURE)
    assert [level["code"] for level in learner["prompt_levels"]][0] == "independent"
    assert {"antecedent", "behavior", "consequence", "setting"} <= set(learner["abc"])
    assert learner["abc"]["behavior"][0] == {"code": "Elopement", "label": "Elopement"}
    html = response.content.decode()
    # The crisis plan, the behavior plan and the definitions are in the page itself, so they
    # are there offline.
    assert "If eloping: stay within sight" in html
    assert "Offer a break card" in html
    assert "Leaving the assigned area" in html
    assert "<script>" not in html  # CSP: data goes in json_script, code in modules


def test_the_screen_carries_the_events_already_stored(client, world):
    from django.utils import timezone

    from trellis.collect.models import Event

    session = screen_session(world, world.own_learner, world.assistant, ["frequency"])
    goal = session.goals.get()
    Event.objects.create(
        id="0b0c3ea4-7d8c-4b7e-9f0e-3a1d2b3c4d5e",
        session=session,
        goal=goal,
        kind="count",
        value={"n": 1},
        recorded_at=timezone.now(),
        received_at=timezone.now(),
        recorded_by=world.assistant,
    )
    client.force_login(world.assistant)

    data = screen_data(client.get(f"/collect/sessions/{session.pk}/"))

    assert [(e["id"], e["kind"], e["value"]) for e in data["events"]] == [
        ("0b0c3ea4-7d8c-4b7e-9f0e-3a1d2b3c4d5e", "count", {"n": 1})
    ]


def test_it_hides_the_screen_from_staff_of_other_caseloads_and_audits_it(client, world):
    session = screen_session(world, world.own_learner, world.assistant, ["frequency"])
    client.force_login(world.other_assistant)

    response = client.get(f"/collect/sessions/{session.pk}/")

    assert response.status_code == 404
    assert "Quillfeather" not in response.content.decode()
    assert AuditEntry.objects.filter(action="session.view", result="denied").exists()


def test_a_guardian_cannot_open_the_screen_of_their_own_child(client, world):
    session = screen_session(world, world.own_learner, world.assistant, ["frequency"])
    client.force_login(world.guardian)

    assert client.get(f"/collect/sessions/{session.pk}/").status_code == 404


def test_another_staff_member_is_offered_to_join_as_second_observer(client, world):
    session = screen_session(world, world.own_learner, world.assistant, ["frequency"])
    client.force_login(world.supervisor)

    response = client.get(f"/collect/sessions/{session.pk}/")

    assert response.status_code == 200
    assert "Join as second observer" in response.content.decode()
    assert 'id="screen-data"' not in response.content.decode()


def test_the_page_never_goes_into_a_shared_http_cache(client, world):
    session = screen_session(world, world.own_learner, world.assistant, ["frequency"])
    client.force_login(world.assistant)

    response = client.get(f"/collect/sessions/{session.pk}/")

    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
