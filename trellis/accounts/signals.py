"""Sign-ins, sign-outs and failed sign-ins go to the audit log."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from trellis.audit.log import record


@receiver(user_logged_in)
def signed_in(sender, request, user, **kwargs):
    record("auth.login", user=user)


@receiver(user_logged_out)
def signed_out(sender, request, user, **kwargs):
    if user is not None:
        record("auth.logout", user=user, detail={"reason": getattr(request, "logout_reason", "")})


@receiver(user_login_failed)
def sign_in_failed(sender, credentials, request=None, **kwargs):
    # The username tried, never the password.
    record("auth.login", result="denied", detail={"username": credentials.get("username", "")})
