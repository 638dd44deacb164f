"""Production-safe defaults: headers, CSP without inline script, DEBUG off."""

from django.conf import settings


def test_pages_carry_security_headers_and_a_strict_csp(client, db):
    response = client.get("/accounts/login/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_debug_is_off_unless_asked():
    assert settings.DEBUG is False


def test_no_page_loads_anything_from_another_host(client, world):
    client.force_login(world.assistant)
    for url in ["/caseload/", f"/learners/{world.own_learner.pk}/", "/accounts/profile/"]:
        body = client.get(url).content.decode()
        assert "http://" not in body and "https://" not in body, url


def test_the_health_check_answers(client, db):
    assert client.get("/healthz").content == b"ok"
