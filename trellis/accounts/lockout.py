"""Sign-in lockout: Axes locks a username from an address after repeated failures; this handler
also locks an address that fails on many accounts (password spraying stays under every
per-account limit)."""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


def address_failures(request) -> int:
    """Failed sign-ins from the request's address across every username, within the cool-off."""
    address = getattr(request, "axes_ip_address", None)
    if not address:
        return 0
    attempts = AccessAttempt.objects.filter(
        ip_address=address, attempt_time__gte=get_cool_off_threshold(request)
    )
    return attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0


class AddressLimitHandler(AxesDatabaseHandler):
    def is_locked(self, request, credentials=None) -> bool:
        return super().is_locked(request, credentials) or (
            address_failures(request) >= settings.TRELLIS_ADDRESS_FAILURE_LIMIT
        )

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        # Axes flags the lockout here (the middleware answers 429) for its own counts only.
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is not None and not getattr(request, "axes_locked_out", False):
            if address_failures(request) >= settings.TRELLIS_ADDRESS_FAILURE_LIMIT:
                request.axes_locked_out = True
                request.axes_credentials = credentials
