"""The service worker is served from the scope it controls, never from a stale cache."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_worker_is_javascript_for_the_collect_scope(client):
    response = client.get("/collect/sw.js")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/collect/"
    assert response["Cache-Control"] == "no-cache"
    body = response.content.decode()
    assert 'const SCOPE = "/collect/";' in body
    assert 'const STATIC = "/static/";' in body
    # Writes are never answered from a cache.
    assert 'if (request.method !== "GET") return;' in body
