"""Signed-in devices: each session of a person, listed on their profile and endable from there.

A row is made at sign-in and removed at sign-out; `note_activity` refreshes its last use every
few minutes. Ending a device deletes its session from the session store, so the next request
from it is signed out. A password change ends every other session by itself: Django checks each
session's hash of the password (update_session_auth_hash keeps only the one that changed it).
"""

from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.utils import timezone

from trellis.accounts.models import Device
from trellis.audit.log import record
from trellis.audit.middleware import client_ip

DEVICE_SEEN = "trellis_device_seen"
SEEN_EVERY = timedelta(minutes=5)


def _store():
    return import_module(settings.SESSION_ENGINE).SessionStore


def signed_in(request, user):
    key = request.session.session_key
    if key is None:  # a session store that has not saved yet
        request.session.save()
        key = request.session.session_key
    now = timezone.now()
    Device.objects.update_or_create(
        session_key=key,
        defaults={
            "user": user,
            "signed_in_at": now,
            "last_seen_at": now,
            "ip": client_ip(request),
            "user_agent": request.headers.get("User-Agent", "")[:200],
        },
    )
    request.session[DEVICE_SEEN] = now.timestamp()


def signed_out(request):
    key = getattr(request, "session", None) and request.session.session_key
    if key:
        Device.objects.filter(session_key=key).delete()


def note_activity(request, now: float):
    """Called with the idle check's clock; writes at most every SEEN_EVERY."""
    if now - request.session.get(DEVICE_SEEN, 0) < SEEN_EVERY.total_seconds():
        return
    request.session[DEVICE_SEEN] = now
    key = request.session.session_key
    if key and not Device.objects.filter(session_key=key).update(
        last_seen_at=timezone.now(), ip=client_ip(request)
    ):
        signed_in(request, request.user)  # a session from before devices were listed


def rekeyed(old_key, new_key):
    """The session got a new key (Django cycles it when the password changes)."""
    Device.objects.filter(session_key=old_key).update(session_key=new_key)


def devices_of(user):
    """The person's live devices; rows of sessions that expired or were deleted go away."""
    store = _store()
    live = []
    for device in Device.objects.filter(user=user):
        # load() answers {} for a session that is gone or expired.
        if store(session_key=device.session_key).load():
            live.append(device)
        else:
            device.delete()
    return live


def end(device, *, reason):
    _store()(session_key=device.session_key).delete()
    record(
        "auth.device_signed_out", obj=device.user, detail={"device": device.pk, "reason": reason}
    )
    device.delete()


def end_all(user, *, reason, keep=None):
    """Sign out every session of this person but `keep` (a session key); the count ended."""
    others = Device.objects.filter(user=user).exclude(session_key=keep or "")
    for device in others:
        end(device, reason=reason)
    return len(others)
