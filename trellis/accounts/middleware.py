import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from trellis.accounts import devices

LAST_SEEN = "trellis_last_seen"
# The last-seen time is written at most this often: writing it on every request cost every
# page a session UPDATE in its own transaction. A session therefore ends up to this many
# seconds BEFORE the full idle timeout, never after it.
LAST_SEEN_EVERY = 30
# Load balancer and monitoring probes (trellis/ops): answered to whoever asks, before any
# sign-in or second-factor check, and a probe is no sign of a person at work, so it neither
# extends nor ends a session.
PROBES = ("/healthz", "/readyz", "/metrics")


class IdleLogoutMiddleware:
    """Signs a user out after IDLE_TIMEOUT without a request, and says why on the sign-in page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info in PROBES:
            return self.get_response(request)
        if request.user.is_authenticated:
            now = time.time()
            last_seen = request.session.get(LAST_SEEN, now)
            if now - last_seen > settings.IDLE_TIMEOUT.total_seconds():
                request.logout_reason = "idle"
                logout(request)
                messages.info(request, "You were signed out after a period of inactivity.")
                if request.headers.get("HX-Request"):
                    response = redirect(reverse("login"))
                    response["HX-Redirect"] = reverse("login")
                    return response
                return redirect(f"{reverse('login')}?next={request.path}")
            if now - last_seen >= LAST_SEEN_EVERY or LAST_SEEN not in request.session:
                request.session[LAST_SEEN] = now
                devices.note_activity(request, now)
        return self.get_response(request)


# Reachable before the second factor: signing out, the second-factor pages themselves, and
# what a page needs to load. The API signs in with tokens, not this session.
TWO_FACTOR_OPEN = (
    "/accounts/logout/",
    "/accounts/two-factor/verify/",
    "/accounts/two-factor/setup/",
    "/static/",
    "/api/",
)
NOT_NEEDED = "trellis_two_factor_not_needed"


class TwoFactorMiddleware:
    """A signed-in person who needs a second factor (or has one) reaches nothing until it is
    checked: those with a device are asked for a code, those without one enrol first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from trellis.accounts import two_factor

        if request.path_info in PROBES:
            return self.get_response(request)
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return self.get_response(request)
        if request.session.get(NOT_NEEDED) == user.pk:
            return self.get_response(request)
        if two_factor.has_device(user):
            target = reverse("two-factor-verify")
        elif two_factor.requires_two_factor(user):
            target = reverse("two-factor-setup")
        else:
            # Checked once per session: whoever enrols later is checked on enrolment.
            request.session[NOT_NEEDED] = user.pk
            return self.get_response(request)
        # Half signed in: the pages show no navigation (base.html) until the code is given.
        request.two_factor_pending = True
        if request.path.startswith(TWO_FACTOR_OPEN):
            return self.get_response(request)
        target = f"{target}?{urlencode({'next': request.get_full_path()})}"
        response = redirect(target)
        if request.headers.get("HX-Request"):
            response["HX-Redirect"] = target
        return response
