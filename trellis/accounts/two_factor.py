"""Two-factor sign-in: who needs it, enrolment of an authenticator app with recovery codes, the
check of a code, and the recent-check rule for sensitive actions (django-otp devices).

A person needs a second factor when they supervise, administer a program, can use the Django
admin, or belong to an organization whose policy asks it of everyone (the policy of an
organization covers the ones under it). Anyone may enrol; whoever has a device is asked for it.
"""

import secrets
import time

import segno
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user, user_has_device
from django_otp import login as otp_login
from django_otp import verify_token as otp_verify
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from trellis.audit.log import record
from trellis.people.models import Membership, Organization, Role

APP_NAME = "Authenticator app"
CODES_NAME = "Recovery codes"
RECOVERY_CODES = 10
VERIFIED_AT = "trellis_two_factor_at"  # session key: when the second factor was last checked


def requires_two_factor(user) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    memberships = Membership.objects.filter(staff__user=user)
    if memberships.filter(role__in=[Role.SUPERVISOR, Role.PROGRAM_ADMIN]).exists():
        return True
    paths = memberships.values_list("organization__path", flat=True)
    ancestor_ids = {int(pk) for path in paths for pk in path.strip("/").split("/") if pk}
    return Organization.objects.filter(pk__in=ancestor_ids, two_factor_for_everyone=True).exists()


def has_device(user) -> bool:
    return user_has_device(user, confirmed=True)


def app_device(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def recovery_codes_left(user) -> int:
    device = StaticDevice.objects.filter(user=user, confirmed=True).first()
    return device.token_set.count() if device else 0


# — enrolment —


def pending_app(user) -> TOTPDevice:
    """The unconfirmed authenticator-app device being enrolled (made on first call)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=APP_NAME, confirmed=False)


def qr_svg(device) -> str:
    """The otpauth:// URL as an inline SVG QR code (no script, no style: CSP-safe)."""
    return segno.make(device.config_url, error="m").svg_inline(
        scale=5, dark="#111827", light="#ffffff", svgclass="qr", lineclass=None
    )


def grouped_key(device) -> str:
    """The secret in base32, in groups of four, for typing into an app by hand."""
    from base64 import b32encode

    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def _new_recovery_codes(user) -> list[str]:
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=CODES_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [secrets.token_hex(5) for _ in range(RECOVERY_CODES)]
    device.token_set.bulk_create([device.token_set.model(device=device, token=c) for c in codes])
    return [f"{c[:5]}-{c[5:]}" for c in codes]


@transaction.atomic
def confirm_app(request, device, code) -> list[str] | None:
    """Confirm the enrolment with a code from the app: the device replaces any earlier app,
    the session counts as checked, and new recovery codes are returned (shown once). None
    when the code is wrong."""
    user = request.user
    if not device.verify_token(_digits(code)):
        record("two_factor.enrol", result="denied", obj=user)
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_recovery_codes(user)
    _mark_checked(request, device)
    record("two_factor.enrol", obj=user, detail={"device": APP_NAME})
    return codes


@transaction.atomic
def new_recovery_codes(request) -> list[str]:
    codes = _new_recovery_codes(request.user)
    record("two_factor.recovery_codes", obj=request.user, detail={"codes": len(codes)})
    return codes


@transaction.atomic
def turn_off(request):
    """Remove every second factor (refused while the person's role requires one)."""
    user = request.user
    if requires_two_factor(user):
        raise PermissionError("Your role requires a second factor.")
    for device in devices_for_user(user, confirmed=None):
        device.delete()
    request.session.pop(DEVICE_ID_SESSION_KEY, None)
    request.session.pop(VERIFIED_AT, None)
    record("two_factor.off", obj=user)


# — checking a code —


def _digits(code) -> str:
    return "".join(str(code).split())


def check(request, code):
    """Check a code from the app or a recovery code; on success the session counts as
    checked. Returns the device that accepted it, or None. Every try is audited."""
    user = request.user
    typed = _digits(code).replace("-", "").lower()
    # An app's code is 6 digits; a recovery code is 10 characters (hex: it may be digits too).
    app_code = len(typed) == 6 and typed.isdigit()
    for device in devices_for_user(user, confirmed=True):
        is_app = isinstance(device, TOTPDevice)
        if is_app != app_code:
            continue
        accepted = otp_verify(user, device.persistent_id, typed)
        if accepted:
            _mark_checked(request, accepted)
            detail = {"device": accepted.name}
            if not is_app:
                detail["recovery_codes_left"] = accepted.token_set.count()
            record("two_factor.verify", obj=user, detail=detail)
            return accepted
    record("two_factor.verify", result="denied", obj=user)
    return None


def wait_seconds(user, device=None) -> int:
    """Seconds until a code may be tried again after wrong ones (django-otp doubles the wait
    after each failure, per device); 0 when it may be tried now."""
    devices = [device] if device is not None else devices_for_user(user, confirmed=None)
    waits = [0]
    for d in devices:
        allowed, info = d.verify_is_allowed()
        until = (info or {}).get("locked_until")
        if not allowed and until is not None:
            waits.append(max(1, int((until - timezone.now()).total_seconds() + 0.999)))
    return max(waits)


def _mark_checked(request, device):
    otp_login(request, device)
    request.session[VERIFIED_AT] = time.time()


def recently_checked(request) -> bool:
    """Whether the second factor was checked within TWO_FACTOR_RECENT (sensitive actions)."""
    at = request.session.get(VERIFIED_AT)
    return bool(at) and time.time() - at <= settings.TWO_FACTOR_RECENT.total_seconds()
