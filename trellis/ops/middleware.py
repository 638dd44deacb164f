"""One JSON line per request, and its latency in the metrics."""

import logging
import time

from trellis.audit.log import current_context
from trellis.ops.metrics import REQUEST_SECONDS

logger = logging.getLogger("trellis.request")

# Any other method is counted as "other": a client must not mint metric series at will.
METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


class RequestLogMiddleware:
    """Logs who asked (user id), which view answered, how and how fast.

    The view is named by its URL pattern (`learners/<int:learner_id>/`), never by the path,
    which carries learner ids; nothing else of the request is logged — no query string, body,
    header or cookie — so no name, note, token or password can reach a log. It sits inside the
    audit middleware, whose request id (the one on that request's audit entries) it logs.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        start = time.perf_counter()
        response = self.get_response(request)
        seconds = time.perf_counter() - start
        match = request.resolver_match
        view = match.view_name if match else "unmatched"
        method = request.method if request.method in METHODS else "other"
        REQUEST_SECONDS.labels(view, method).observe(seconds)
        user = getattr(request, "user", None)
        logger.info(
            "request",
            extra={
                "request_id": current_context().request_id,
                "user_id": user.pk if user is not None and user.is_authenticated else None,
                "method": method,
                "route": match.route if match else None,
                "view": view,
                "status": response.status_code,
                "duration_ms": round(seconds * 1000, 1),
            },
        )
        return response
