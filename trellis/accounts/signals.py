"""Sign-ins, sign-outs, failed sign-ins and password changes go to the audit log; sign-ins and
sign-outs also keep the list of signed-in devices (accounts/devices.py)."""

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save
from django.dispatch import receiver

from trellis.accounts import devices
from trellis.audit.log import record


@receiver(user_logged_in)
def signed_in(sender, request, user, **kwargs):
    record("auth.login", user=user)
    if request is not None and hasattr(request, "session"):
        devices.signed_in(request, user)


@receiver(user_logged_out)
def signed_out(sender, request, user, **kwargs):
    if user is not None:
        record("auth.logout", user=user, detail={"reason": getattr(request, "logout_reason", "")})
    if request is not None:
        devices.signed_out(request)


@receiver(user_login_failed)
def sign_in_failed(sender, credentials, request=None, **kwargs):
    # The username tried, never the password.
    record("auth.login", result="denied", detail={"username": credentials.get("username", "")})


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="accounts.password_changed")
def password_changed(sender, instance, created, **kwargs):
    """Every way a password changes (the change form, a reset link, an invitation, the admin, a
    command) calls set_password, which leaves the raw password on the instance until save; a
    rehash at sign-in does not (Django clears it first). The actor is whoever made the change."""
    if not created and getattr(instance, "_password", None) is not None:
        record("auth.password_change", obj=instance, detail={"user": instance.pk})
