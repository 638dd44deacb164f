"""A request the server cannot answer fails cleanly: a 503 to send again when the database
is away, JSON under /api/ (a phone reads it), never the exception's text
(bench/faults/database_restart.py shows it against a real PostgreSQL restarted under load)."""

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import OperationalError
from django.test import Client

from trellis.collect import api as collect_api
from trellis.collect.models import ApiToken

pytestmark = pytest.mark.django_db

SECRET = 'connection to server at "db.internal" failed: password for learner Quillfeather'


@pytest.fixture
def signed_in(world):
    client = Client(raise_request_exception=False)
    client.force_login(world.assistant)
    return client


@pytest.fixture
def database_away(monkeypatch):
    """The first thing a signed-in request reads from the database is its session."""

    def load(self):
        raise OperationalError(SECRET)

    monkeypatch.setattr(SessionStore, "load", load)


def test_with_the_database_away_the_api_answers_503_json_to_send_again(signed_in, database_away):
    response = signed_in.post("/api/v1/sync", {"events": []}, content_type="application/json")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response["Retry-After"] == "5"
    assert response.json() == {
        "detail": "The service is unavailable for a moment; send the request again."
    }


def test_with_the_database_away_a_page_is_the_503_page_without_the_error(
    signed_in, database_away
):
    response = signed_in.get("/caseload/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    text = response.content.decode()
    assert "Back in a moment" in text
    assert "Quillfeather" not in text and "db.internal" not in text


def test_an_error_in_the_api_is_a_500_in_json_without_its_text(world, monkeypatch):
    def broken(user, events):
        raise RuntimeError(SECRET)

    monkeypatch.setattr(collect_api.actions, "ingest_events", broken)
    _, raw = ApiToken.issue(world.assistant)
    client = Client(raise_request_exception=False, headers={"authorization": f"Bearer {raw}"})
    response = client.post("/api/v1/sync", {"events": []}, content_type="application/json")
    assert response.status_code == 500
    assert response.json() == {"detail": "The server could not answer this request."}
    assert "Retry-After" not in response
