"""The answer to a request that failed on the server (Django's handler500, trellis/urls.py).

A database that does not answer (stopped, restarting, failing over, out of connections) is a
503 with Retry-After: the request may simply be sent again, and the collection screen's sync
does so with its events still on the device. Anything else is a 500. Under /api/ the answer is
JSON in the API's shape (`{"detail": …}`), since a device reads it; elsewhere the error page.
Neither ever carries the exception's text (the log has it): no traceback, SQL or data.

Rendered without the request's context: the context processors read the database, which may
be the thing that failed.
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader

RETRY_AFTER = 5  # seconds


def database_unavailable(exc):
    return isinstance(exc, OperationalError | InterfaceError)


def server_error(request):
    unavailable = database_unavailable(sys.exc_info()[1])
    status = 503 if unavailable else 500
    if request.path.startswith("/api/"):
        detail = (
            "The service is unavailable for a moment; send the request again."
            if unavailable
            else "The server could not answer this request."
        )
        response = JsonResponse({"detail": detail}, status=status)
    else:
        template = loader.get_template("503.html" if unavailable else "500.html")
        response = HttpResponse(template.render(), status=status)
    if unavailable:
        response["Retry-After"] = str(RETRY_AFTER)
    return response
