"""In real Chromium: a supervisor's first sign-in on a tablet enrols an authenticator app (the
QR code shows, the code confirms it, the recovery codes are shown once), and the next sign-in
on a phone asks for the code before anything else."""

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from trellis.testing import PASSWORD, assert_fits_viewport

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def app_code(device):
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():06d}"


def test_a_supervisor_enrols_on_a_tablet_and_signs_in_with_a_code_on_a_phone(
    page, chromium, live_server, world
):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("supervisor")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()
    qr = page.locator("svg.qr")
    expect(qr).to_be_visible()
    assert qr.bounding_box()["width"] >= 200  # big enough for a phone camera
    expect(page.get_by_role("navigation", name="Main")).to_have_count(0)  # nothing to open yet
    page.screenshot(path="/tmp/two-factor-setup-tablet.png", full_page=True)
    page.goto(f"{live_server.url}/dashboard/")  # nothing else opens before enrolment
    expect(page.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()

    device = TOTPDevice.objects.get(user=world.supervisor, confirmed=False)
    page.get_by_label("Code from the app").fill(app_code(device))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    codes = page.locator("ul.codes code").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("link", name="I have kept them — continue").click()
    expect(page).to_have_url(f"{live_server.url}/dashboard/")

    phone = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    try:
        other = phone.new_page()
        other.goto(f"{live_server.url}/accounts/login/")
        other.get_by_label("Username").fill("supervisor")
        other.get_by_label("Password").fill(PASSWORD)
        other.get_by_role("button", name="Sign in").click()
        expect(other.get_by_role("heading", name="Enter your code")).to_be_visible()
        assert_fits_viewport(other)
        other.get_by_label("Code").fill(codes[0])
        other.get_by_role("button", name="Continue").click()
        expect(other.get_by_role("heading", name="Today", exact=False)).to_be_visible()
    finally:
        phone.close()
