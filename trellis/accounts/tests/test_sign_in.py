"""Sign-in, idle logoff and the password policy."""

import time

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from trellis.accounts.middleware import LAST_SEEN
from trellis.audit.models import AuditEntry
from trellis.testing import PASSWORD


def test_signing_in_lands_on_today_and_is_audited(client, world):
    response = client.post("/accounts/login/", {"username": "assistant", "password": PASSWORD})
    assert response.status_code == 302 and response.url == "/"
    assert AuditEntry.objects.filter(action="auth.login", actor_id=world.assistant.pk).exists()


def test_a_wrong_password_is_refused_with_a_clear_message_and_audited(client, world):
    response = client.post("/accounts/login/", {"username": "assistant", "password": "nope"})
    assert "correct username and password" in response.content.decode()
    failed = AuditEntry.objects.get(action="auth.login", result="denied")
    assert failed.detail == {"username": "assistant"}  # never the password


def test_the_account_locks_after_repeated_failures(client, world, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "assistant", "password": "nope"})
    response = client.post("/accounts/login/", {"username": "assistant", "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()


def test_an_idle_session_is_signed_out_with_a_reason(client, world, settings):
    client.force_login(world.assistant)
    assert client.get("/caseload/").status_code == 200
    session = client.session
    session[LAST_SEEN] = time.time() - settings.IDLE_TIMEOUT.total_seconds() - 1
    session.save()
    response = client.get("/caseload/", follow=True)
    assert response.redirect_chain[0][0].startswith("/accounts/login/")
    assert "signed out after a period of inactivity" in response.content.decode()
    assert client.get("/caseload/").status_code == 302


def test_activity_keeps_the_session_alive(client, world, settings):
    client.force_login(world.assistant)
    session = client.session
    session[LAST_SEEN] = time.time() - settings.IDLE_TIMEOUT.total_seconds() + 60
    session.save()
    assert client.get("/caseload/").status_code == 200


def rejects(password, user=None):
    try:
        validate_password(password, user)
    except ValidationError as error:
        return " ".join(error.messages)
    return ""


def test_the_password_policy_prefers_length_over_composition(world):
    # NIST SP 800-63B: a long passphrase of lower-case words is fine, no symbols required.
    assert rejects("maple trees sway in autumn") == ""
    assert "too short" in rejects("Xy7!q")
    assert "too common" in rejects("password1234")
    assert "entirely numeric" in rejects("738291046518")
    assert "too similar" in rejects("assistant1", world.assistant)


def test_changing_a_password_names_what_is_wrong_and_keeps_the_session(client, world):
    client.force_login(world.assistant)
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "short", "new_password2": "short"},
    )
    assert "too short" in response.content.decode()
    response = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "a much longer passphrase",
            "new_password2": "a much longer passphrase",
        },
    )
    assert response.status_code == 302
    assert client.get("/caseload/").status_code == 200


def test_a_signed_in_request_reads_the_user_and_their_staff_row_in_one_query(
    client, world, django_assert_num_queries
):
    from django.contrib.auth import SESSION_KEY, get_user
    from django.test import RequestFactory

    client.post("/accounts/login/", {"username": "assistant", "password": PASSWORD})
    request = RequestFactory().get("/")
    request.session = client.session
    assert request.session[SESSION_KEY] == str(world.assistant.pk)
    user = get_user(request)  # the session's row is read here, then the user's
    with django_assert_num_queries(0):
        assert user.staff == world.assistant.staff


def test_a_deactivated_user_is_signed_out_on_their_next_request(client, world):
    client.post("/accounts/login/", {"username": "assistant", "password": PASSWORD})
    world.assistant.is_active = False
    world.assistant.save()
    response = client.get("/caseload/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_an_address_that_fails_on_many_accounts_is_locked(client, world, settings):
    """Password spraying: one guess on each of many accounts stays under every per-account
    limit, so the address as a whole has a limit too (even the right password is refused)."""
    settings.TRELLIS_ADDRESS_FAILURE_LIMIT = 6
    for name in ["supervisor", "technician", "nurse", "guardian", "outsider", "nobody"]:
        client.post("/accounts/login/", {"username": name, "password": "Summer2026!"})
    response = client.post("/accounts/login/", {"username": "assistant", "password": PASSWORD})
    assert response.status_code == 429
    # Another address is not affected.
    other = client.post(
        "/accounts/login/",
        {"username": "assistant", "password": PASSWORD},
        REMOTE_ADDR="198.51.100.7",
    )
    assert other.status_code == 302


def test_passwords_are_hashed_with_argon2id_whole(world, settings):
    """Argon2id first; a 100-character passphrase counts to its last character (bcrypt would
    cut it at 72 bytes)."""
    from django.contrib.auth.hashers import check_password, make_password

    import trellis.settings as production

    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS  # the suite hashes with MD5
    phrase = "correct horse battery staple " * 3 + "and then some more words!"
    assert len(phrase) >= 100
    hashed = make_password(phrase, hasher="argon2")
    assert hashed.startswith("argon2$argon2id$")
    assert check_password(phrase, hashed) and not check_password(phrase[:-1], hashed)
    assert not rejects(phrase)  # no validator caps the length
