from django.core.cache import cache
from django.utils.functional import SimpleLazyObject

# The nav's count of waiting work is kept a short while: every page shows it, and each queue is
# a query. The home page always recounts (and refreshes it), so it is never staler there.
COUNT_SECONDS = 60


def _key(user):
    return f"home:waiting:{user.pk}"


def remember_count(user, count):
    cache.set(_key(user), count, COUNT_SECONDS)


def _count(user):
    from trellis.home import queues

    count = cache.get(_key(user))
    if count is None:
        count = queues.waiting_count(queues.queues_for(user))
        remember_count(user, count)
    return count


def work(request):
    """What the navigation offers this person, and how much work waits on their home page."""
    from trellis.home.nav import nav_for

    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    return {
        "nav_items": SimpleLazyObject(lambda: nav_for(user) if signed_in else []),
        "waiting_work": SimpleLazyObject(lambda: _count(user) if signed_in else 0),
    }
