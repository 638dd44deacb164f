"""Each request leaves one JSON line in the log: who, which view, how it ended, how long it took.

Nothing that names a learner, a note's text, a token or a password ever reaches the log.
"""

import json
import logging

import pytest
from django.test import Client
from pythonjsonlogger.json import JsonFormatter

from trellis.audit.models import AuditEntry
from trellis.collect.actions import create_token
from trellis.collect.models import SessionNote
from trellis.testing import PASSWORD, make_goal, make_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def log_lines(caplog):
    """Every line logged, by any logger, as the configured JSON formatter writes it."""
    (formatter,) = {
        h.formatter for h in logging.getLogger().handlers if isinstance(h.formatter, JsonFormatter)
    }
    caplog.set_level(logging.DEBUG)

    def lines(logger=None):
        return [
            formatter.format(record)
            for record in caplog.records
            if logger is None or record.name == logger
        ]

    return lines


def test_opening_a_learner_logs_one_line_with_the_route_not_the_path(client, world, log_lines):
    client.force_login(world.assistant)
    learner = world.own_learner
    client.get(f"/learners/{learner.pk}/?q={learner.last_name}")
    (line,) = log_lines("trellis.request")
    logged = json.loads(line)
    viewed = AuditEntry.objects.get(action="learner.view", learner_id=learner.pk)
    assert logged | {"duration_ms": 0, "timestamp": ""} == {
        "levelname": "INFO",
        "name": "trellis.request",
        "message": "request",
        "request_id": viewed.request_id,  # the same id as the request's audit entries
        "user_id": world.assistant.pk,
        "method": "GET",
        "route": "learners/<int:learner_id>/",
        "view": "people:learner",
        "status": 200,
        "duration_ms": 0,
        "timestamp": "",
    }
    assert logged["duration_ms"] > 0
    assert learner.first_name not in line and learner.last_name not in line


def test_a_sign_in_and_a_mistyped_one_leave_no_password_in_any_log(client, world, log_lines):
    form = {"username": world.assistant.username, "password": PASSWORD}
    Client().post("/accounts/login/", form | {"password": "Wrong-horse-battery-42"})
    client.post("/accounts/login/", form)
    assert [json.loads(line)["status"] for line in log_lines("trellis.request")] == [200, 302]
    everything = "\n".join(log_lines())
    assert PASSWORD not in everything and "Wrong-horse-battery-42" not in everything


def test_a_missing_page_logs_no_path_or_query_string(client, world, log_lines):
    client.force_login(world.assistant)
    name = world.classmate.last_name
    client.get(f"/no/such/page/?search={name}")
    line = json.loads(log_lines("trellis.request")[0])
    assert (line["status"], line["route"], line["view"]) == (404, None, "unmatched")
    assert name not in "\n".join(log_lines())


def test_a_note_and_a_token_stay_out_of_the_log(client, world, log_lines):
    session = make_session(
        world, world.own_learner, [make_goal(world, world.own_learner)], by=world.assistant
    )
    client.force_login(world.assistant)
    note = "Olive threw the tablet at 10:14 after the schedule changed"
    saved = client.post(
        f"/collect/sessions/{session.pk}/end/", {"step": "save", "note-what_was_done": note}
    )
    assert saved.status_code == 302 and SessionNote.objects.get(session=session)
    _, token = create_token(world.assistant, "Tablet")
    tablet = Client()
    tablet.get("/api/v1/learners", headers={"Authorization": f"Bearer {token}"})
    lines = log_lines("trellis.request")
    assert json.loads(lines[-1])["user_id"] == world.assistant.pk  # the token's user
    everything = "\n".join(log_lines())
    assert "threw the tablet" not in everything and token not in everything
