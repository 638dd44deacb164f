"""A person forgets a password, resets it by email, changes it, and sees and ends the other
places they are signed in."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.test import Client

from trellis.accounts.models import Device
from trellis.audit.models import AuditEntry
from trellis.testing import PASSWORD


def sign_in(user, agent="Mozilla/5.0 (iPad; CPU OS 18_0 like Mac OS X) Safari/605.1.15"):
    browser = Client(HTTP_USER_AGENT=agent)
    response = browser.post(
        "/accounts/login/", {"username": user.get_username(), "password": PASSWORD}
    )
    assert response.status_code == 302, response.content
    return browser


def signed_in(browser):
    return browser.get("/accounts/profile/").status_code == 200


@pytest.fixture
def assistant(world):
    world.assistant.email = "ada@example.org"
    world.assistant.save()
    return world.assistant


def reset_link():
    [message] = mail.outbox
    return re.search(r"http://testserver(\S+)", message.body).group(1)


def test_a_reset_answers_the_same_for_a_known_and_an_unknown_address(client, assistant):
    known = client.post("/accounts/password/reset/", {"email": "ada@example.org"})
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known.url == unknown.url == "/accounts/password/reset/sent/"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ada@example.org"]
    requests = AuditEntry.objects.filter(action="auth.password_reset_request")
    assert sorted(e.detail["known"] for e in requests) == [False, True]


def test_the_link_sets_a_new_password_once_and_signs_out_every_device(client, assistant):
    tablet = sign_in(assistant)
    client.post("/accounts/password/reset/", {"email": "ada@example.org"})
    link = reset_link()
    form_page = client.get(link, follow=True)
    assert "Set a new password" in form_page.content.decode()
    new = "a long new passphrase for the tablet"
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}
    )
    assert done.status_code == 302 and done.url == "/accounts/password/reset/done/"
    assert not signed_in(tablet)
    assert not Device.objects.filter(user=assistant).exists()
    again = client.get(link, follow=True).content.decode()
    assert "This link no longer works" in again
    assistant.refresh_from_db()
    assert assistant.check_password(new)
    actions = list(AuditEntry.objects.values_list("action", "result"))
    assert ("auth.password_reset", "ok") in actions
    assert ("auth.password_reset", "denied") in actions  # the second use
    assert ("auth.password_change", "ok") in actions


def test_a_link_older_than_an_hour_does_not_work(client, assistant, monkeypatch):
    client.post("/accounts/password/reset/", {"email": "ada@example.org"})
    link = reset_link()
    later = default_token_generator._now() + timedelta(hours=1, minutes=1)
    monkeypatch.setattr(default_token_generator, "_now", lambda: later)
    assert "This link no longer works" in client.get(link, follow=True).content.decode()


def test_a_password_change_is_audited_and_signs_out_the_other_devices(assistant):
    phone = sign_in(assistant, "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0) Safari/604.1")
    laptop = sign_in(assistant, "Mozilla/5.0 (Windows NT 10.0) Chrome/140.0 Safari/537.36")
    new = "another long passphrase, 64 characters or more, is never cut short"
    assert len(new) >= 64
    response = laptop.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302 and signed_in(laptop) and not signed_in(phone)
    [change] = AuditEntry.objects.filter(action="auth.password_change")
    assert change.actor_id == assistant.pk and change.object_id == str(assistant.pk)
    assert [d.browser for d in Device.objects.filter(user=assistant)] == ["Chrome on Windows"]
    assistant.refresh_from_db()
    assert assistant.check_password(new) and not assistant.check_password(new[:-1])


def test_a_person_sees_their_devices_and_signs_one_out(assistant, world):
    phone = sign_in(assistant, "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0) Safari/604.1")
    tablet = sign_in(assistant)
    page = tablet.get("/accounts/devices/").content.decode()
    assert "Safari on iPhone" in page and "Safari on iPad" in page and "(this device)" in page
    phone_device = Device.objects.get(user=assistant, user_agent__contains="iPhone")
    tablet.post("/accounts/devices/", {"device": phone_device.pk})
    assert not signed_in(phone) and signed_in(tablet)
    assert AuditEntry.objects.filter(action="auth.device_signed_out").count() == 1


def test_nobody_can_sign_out_someone_elses_device(assistant, world):
    victim = sign_in(world.other_assistant)
    theirs = Device.objects.get(user=world.other_assistant)
    mine = sign_in(assistant)
    response = mine.post("/accounts/devices/", {"device": theirs.pk}, follow=True)
    assert "Choose another device" in response.content.decode()
    assert signed_in(victim)
    mine.post("/accounts/devices/", {"device": "not a number"})
    assert signed_in(mine)


def test_sign_out_everywhere_else_keeps_this_device(assistant):
    others = [sign_in(assistant) for _ in range(2)]
    here = sign_in(assistant)
    here.post("/accounts/devices/", {"everywhere_else": "1"})
    assert signed_in(here) and not any(signed_in(b) for b in others)
    assert Device.objects.filter(user=assistant).count() == 1
