from django.conf import settings
from django.db import models


class Device(models.Model):
    """A signed-in session, as its owner sees it on "Signed-in devices": where and when it
    started, what browser, when it was last used. Ending it deletes the session itself."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="devices"
    )
    session_key = models.CharField(max_length=40, unique=True)
    signed_in_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    ip = models.GenericIPAddressField(null=True)
    user_agent = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-last_seen_at"]

    def __str__(self):
        return f"{self.user} on {self.browser} since {self.signed_in_at:%Y-%m-%d %H:%M}"

    @property
    def browser(self):
        """A short name of the browser and system from the user agent, for a person to read."""
        agent = self.user_agent
        browser = next(
            (name for key, name in BROWSERS if key in agent), "Unknown browser"
        )
        system = next((name for key, name in SYSTEMS if key in agent), "")
        return f"{browser} on {system}" if system else browser


# Order matters: Edge and Chrome say "Safari" too, Chrome on iOS says "CriOS".
BROWSERS = [
    ("Edg/", "Edge"),
    ("CriOS", "Chrome"),
    ("Chrome/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Firefox/", "Firefox"),
    ("FxiOS", "Firefox"),
    ("Safari/", "Safari"),
]
SYSTEMS = [
    ("iPad", "iPad"),
    ("iPhone", "iPhone"),
    ("Android", "Android"),
    ("CrOS", "ChromeOS"),
    ("Windows", "Windows"),
    ("Mac OS X", "Mac"),
    ("Linux", "Linux"),
]
