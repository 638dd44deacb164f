import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

LAST_SEEN = "trellis_last_seen"
# The last-seen time is written at most this often: writing it on every request cost every
# page a session UPDATE in its own transaction. A session therefore ends up to this many
# seconds BEFORE the full idle timeout, never after it.
LAST_SEEN_EVERY = 30


class IdleLogoutMiddleware:
    """Signs a user out after IDLE_TIMEOUT without a request, and says why on the sign-in page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
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
        return self.get_response(request)
