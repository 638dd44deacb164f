"""The JSON API, /api/v1/ (django-ninja; OpenAPI at /api/v1/openapi.json).

Apps add their routers here. Errors keep one shape: a 422 lists what is wrong, each with the
field's place (`loc`) and a message; a record the user may not see is a 404.
"""

from django.core.exceptions import ValidationError
from ninja import NinjaAPI

from trellis.collect.api import router as collect_router

api = NinjaAPI(
    title="Trellis API",
    version="1",
    urls_namespace="api",
    # The interactive docs page loads scripts from a CDN, which the CSP forbids; the schema is
    # served at /api/v1/openapi.json.
    docs_url=None,
)
api.add_router("", collect_router)


@api.exception_handler(ValidationError)
def validation_error(request, exc):
    detail = []
    if hasattr(exc, "error_dict"):
        for field, messages in exc.message_dict.items():
            for message in messages:
                detail.append({"loc": ["body", field], "msg": message, "type": "invalid"})
    else:
        detail = [{"loc": ["body"], "msg": m, "type": "invalid"} for m in exc.messages]
    return api.create_response(request, {"detail": detail}, status=422)
