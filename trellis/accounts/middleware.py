import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

LAST_SEEN = "trellis_last_seen"


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
            request.session[LAST_SEEN] = now
        return self.get_response(request)
