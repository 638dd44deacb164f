from django.utils.functional import SimpleLazyObject


def notifications(request):
    """The unread count for the nav badge (counted only when a page shows it)."""
    from trellis.incidents.notify import unread_count

    user = getattr(request, "user", None)
    return {
        "unread_notifications": SimpleLazyObject(
            lambda: unread_count(user) if user is not None and user.is_authenticated else 0
        )
    }
