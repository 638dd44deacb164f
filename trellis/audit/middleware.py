import logging

from trellis.audit.checkpoint import write_checkpoint_when_due
from trellis.audit.log import AuditContext, reset_context, set_context

logger = logging.getLogger(__name__)


def client_ip(request):
    # Behind a proxy, REMOTE_ADDR is the proxy; deployments set it right (e.g. gunicorn's
    # forwarded-allow-ips), so trusting X-Forwarded-For here would let a client forge its address.
    return request.META.get("REMOTE_ADDR") or None


class AuditContextMiddleware:
    """Puts the acting user, their address and a request id where audit entries find them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = set_context(AuditContext(user=request.user, ip=client_ip(request)))
        try:
            return self.get_response(request)
        finally:
            reset_context(token)
            try:
                write_checkpoint_when_due()
            except Exception:
                # A full disk must not fail the request; verify reports the gap.
                logger.exception("could not write the audit checkpoint")
