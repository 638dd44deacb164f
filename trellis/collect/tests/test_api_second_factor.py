"""The API's browser session is a full sign-in: a session that has given the password but not
yet the second factor reads and writes nothing through the API, as it reaches no page."""

import pytest
from django.test import Client

from trellis.testing import PASSWORD, pass_second_factor, second_factor_code

pytestmark = pytest.mark.django_db


def test_a_session_waiting_for_its_second_factor_gets_nothing_from_the_api(world):
    code = second_factor_code(world.supervisor)
    client = Client()
    client.post("/accounts/login/", {"username": world.supervisor.username, "password": PASSWORD})
    assert client.get("/caseload/").status_code == 302  # to the code page
    response = client.get("/api/v1/learners")
    assert response.status_code == 401
    assert "Quillfeather" not in response.content.decode()

    client.post("/accounts/two-factor/verify/", {"code": code})
    response = client.get("/api/v1/learners")
    assert response.status_code == 200
    assert "Olive Quillfeather" in response.content.decode()


def test_a_signed_in_session_still_reads_the_api(client, world):
    client.force_login(world.supervisor)
    pass_second_factor(client, world.supervisor)
    assert client.get("/api/v1/learners").status_code == 200
