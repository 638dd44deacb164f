from django.conf import settings
from django.utils.functional import SimpleLazyObject


def session_settings(request):
    """The idle timeout, so the page can sign itself out on a shared tablet, and what the nav
    offers (computed only when a page asks)."""
    from trellis.people.access import is_program_admin

    user = getattr(request, "user", None)
    return {
        "idle_timeout_seconds": int(settings.IDLE_TIMEOUT.total_seconds()),
        "can_read_audit": SimpleLazyObject(
            lambda: bool(user and user.is_authenticated and is_program_admin(user))
        ),
    }
