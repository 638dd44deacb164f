"""Two-factor sign-in: a supervisor enrols an authenticator app on first sign-in and keeps the
recovery codes; afterwards the password alone reaches nothing. People whose role does not
require it sign in as before and may opt in; an organization's policy can require it of all."""

import re
import time

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from trellis.accounts.two_factor import VERIFIED_AT, requires_two_factor
from trellis.audit.models import AuditEntry
from trellis.testing import PASSWORD

pytestmark = pytest.mark.django_db


def app_code(device):
    return TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()


def sign_in(client, username):
    return client.post("/accounts/login/", {"username": username, "password": PASSWORD})


def enrol(client, user):
    """Through the setup page: returns the recovery codes shown."""
    page = client.get("/accounts/two-factor/setup/")
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post("/accounts/two-factor/setup/", {"code": f"{app_code(device):06d}"})
    assert response.status_code == 200
    return re.findall(r"<code>([0-9a-f]{5}-[0-9a-f]{5})</code>", response.content.decode())


def test_a_supervisor_enrols_on_first_sign_in_and_then_needs_the_code(client, world):
    sign_in(client, "supervisor")
    # The password alone reaches nothing: every page sends to enrolment first.
    response = client.get("/caseload/")
    assert response.status_code == 302
    assert response.url == "/accounts/two-factor/setup/?next=%2Fcaseload%2F"
    page = client.get(response.url).content.decode()
    assert "<svg" in page and "Or type the key" in page and "style=" not in page
    wrong = client.post("/accounts/two-factor/setup/", {"code": "000000"})
    assert wrong.status_code == 400
    assert "Code from the app: That code does not match the app. Wait 1 second" in (
        wrong.content.decode()
    )
    time.sleep(1.1)  # django-otp's wait after a wrong code (it doubles with each one)

    codes = enrol(client, world.supervisor)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/caseload/").status_code == 200
    assert AuditEntry.objects.filter(action="two_factor.enrol", result="ok").count() == 1
    assert AuditEntry.objects.filter(action="two_factor.enrol", result="denied").count() == 1

    # Next time: password, then the code (a recovery code works once).
    client.post("/accounts/logout/")
    sign_in(client, "supervisor")
    assert client.get("/").url == "/accounts/two-factor/verify/?next=%2F"
    refused = client.post("/accounts/two-factor/verify/", {"code": "123456", "next": "/"})
    assert refused.status_code == 400
    assert "Code: That code is not right" in refused.content.decode()
    assert AuditEntry.objects.filter(action="two_factor.verify", result="denied").exists()
    time.sleep(1.1)
    response = client.post("/accounts/two-factor/verify/", {"code": codes[0], "next": "/"})
    assert response.status_code == 302 and response.url == "/"
    assert client.get("/caseload/").status_code == 200
    client.post("/accounts/logout/")
    sign_in(client, "supervisor")
    again = client.post("/accounts/two-factor/verify/", {"code": codes[0], "next": "/"})
    assert again.status_code == 400  # used up
    entry = AuditEntry.objects.filter(action="two_factor.verify", result="ok").last()
    assert entry.detail == {"device": "Recovery codes", "recovery_codes_left": 9}


def test_the_next_address_must_be_on_this_site(client, world):
    sign_in(client, "supervisor")
    codes = enrol(client, world.supervisor)
    client.post("/accounts/logout/")
    sign_in(client, "supervisor")
    response = client.post(
        "/accounts/two-factor/verify/", {"code": codes[1], "next": "https://evil.example/"}
    )
    assert response.url == "/"


def test_an_htmx_request_before_the_code_is_sent_to_the_code_page(client, world):
    sign_in(client, "programadmin")
    response = client.get("/dashboard/", headers={"HX-Request": "true"})
    assert response["HX-Redirect"].startswith("/accounts/two-factor/setup/")


def test_who_needs_a_second_factor(world, settings):
    assert requires_two_factor(world.supervisor) and requires_two_factor(world.program_admin)
    assert not requires_two_factor(world.assistant) and not requires_two_factor(world.guardian)
    world.assistant.is_staff = True  # Django admin access
    assert requires_two_factor(world.assistant)


def test_an_organizations_policy_requires_it_of_everyone_under_it(client, world):
    sign_in(client, "assistant")
    assert client.get("/caseload/").status_code == 200
    world.district.two_factor_for_everyone = True
    world.district.save()
    assert requires_two_factor(world.assistant)
    client.post("/accounts/logout/")
    sign_in(client, "assistant")
    assert client.get("/caseload/").url.startswith("/accounts/two-factor/setup/")


def test_an_assistant_opts_in_and_may_turn_it_off_after_a_fresh_code(client, world):
    sign_in(client, "assistant")
    assert "Off" in client.get("/accounts/two-factor/").content.decode()
    codes = enrol(client, world.assistant)
    assert (
        "Recovery codes left: <strong>10</strong>"
        in client.get("/accounts/two-factor/").content.decode()
    )
    # A check older than a few minutes is asked again before the change.
    session = client.session
    session[VERIFIED_AT] = time.time() - 3600
    session.save()
    response = client.post("/accounts/two-factor/off/")
    assert response.url == "/accounts/two-factor/verify/?next=%2Faccounts%2Ftwo-factor%2F"
    client.post("/accounts/two-factor/verify/", {"code": codes[0]})
    client.post("/accounts/two-factor/off/")
    assert not TOTPDevice.objects.filter(user=world.assistant).exists()
    assert AuditEntry.objects.filter(action="two_factor.off").exists()


def test_a_supervisor_cannot_turn_it_off(client, world):
    sign_in(client, "supervisor")
    enrol(client, world.supervisor)
    response = client.post("/accounts/two-factor/off/", follow=True)
    assert "Your role requires a second factor." in response.content.decode()
    assert TOTPDevice.objects.filter(user=world.supervisor, confirmed=True).exists()


def test_new_recovery_codes_void_the_old_ones(client, world):
    sign_in(client, "supervisor")
    old = enrol(client, world.supervisor)
    response = client.post("/accounts/two-factor/recovery-codes/")
    new = re.findall(r"<code>([0-9a-f]{5}-[0-9a-f]{5})</code>", response.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    client.post("/accounts/logout/")
    sign_in(client, "supervisor")
    assert client.post("/accounts/two-factor/verify/", {"code": old[0]}).status_code == 400
    time.sleep(1.1)
    assert client.post("/accounts/two-factor/verify/", {"code": new[0]}).status_code == 302
