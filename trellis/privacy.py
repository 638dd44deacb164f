"""Nothing with a learner's data stays in a browser's or a proxy's cache.

Tablets are shared: a page kept in the HTTP cache would be shown again by the Back button, or to
the next person, after its user signed out. So every answer to a signed-in user and every API
answer (a token is a signed-in user too, known only inside the view) says `Cache-Control:
no-store`. Static files are served by WhiteNoise before this middleware and keep their long
cache lifetimes; they hold no one's data. (The collection screen's offline copy is the service
worker's own, in the Cache API, which it clears on sign-out.)
"""

from django.utils.cache import patch_cache_control

API_PREFIX = "/api/"


def must_not_be_stored(request):
    user = getattr(request, "user", None)
    return request.path_info.startswith(API_PREFIX) or bool(user and user.is_authenticated)


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if must_not_be_stored(request):
            patch_cache_control(response, no_store=True)
            # For HTTP/1.0 caches, which know no Cache-Control.
            response["Pragma"] = "no-cache"
        return response
