import pytest

from trellis.audit.log import AuditContext, reset_context, set_context
from trellis.testing import build_world


@pytest.fixture(autouse=True)
def fresh_audit_context():
    """Each test starts as "system", as a management command would."""
    token = set_context(AuditContext())
    yield
    reset_context(token)


@pytest.fixture(autouse=True)
def fresh_cache():
    """Counts and choices cached by one test (the nav's waiting work) do not leak into the next."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture(scope="session")
def chromium():
    """Real headless Chromium (Debian's package), driven by Playwright; skipped where absent."""
    import os
    import shutil

    executable = shutil.which("chromium")
    if executable is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is required in CI (scripts/test.sh installs it)")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls from the
    # test body are still synchronous and safe here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def browser_context(chromium):
    """A fresh tablet-sized browser context per test."""
    context = chromium.new_context(viewport={"width": 1024, "height": 768})
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def page(browser_context):
    return browser_context.new_page()


@pytest.fixture(autouse=True)
def second_factor_with_force_login(monkeypatch):
    """Client.force_login skips the sign-in form; it skips its second factor too (the
    two-factor tests sign in through the forms)."""
    from django.test import Client

    from trellis.testing import pass_second_factor

    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        pass_second_factor(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)
