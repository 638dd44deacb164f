"""The JSON API, /api/v1/ (django-ninja; OpenAPI at /api/v1/openapi.json).

Apps add their routers here. Errors keep one shape, `{"detail": …}`: a 422 (and a 413, a body
over DATA_UPLOAD_MAX_MEMORY_SIZE) lists what is wrong, each with the field's place (`loc`) and a
message; a 400, 401, 403 or 404 says it in words. A record the user may not see is a 404, and so
is a path the API does not have: always JSON, never an HTML page.
"""

from django.core.exceptions import RequestDataTooBig, ValidationError
from django.http import JsonResponse
from django.urls import register_converter
from ninja import NinjaAPI, Router

from trellis.collect import api as collect_api


class TrellisAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        # Bodies that a view reads itself are described by reference (see collect.api.sync);
        # their definitions go with the others, where the references point.
        schema.add_schema_definitions(collect_api.body_schemas())
        return schema


api = TrellisAPI(
    title="Trellis API",
    version="1",
    urls_namespace="api",
    # The interactive docs page loads scripts from a CDN, which the CSP forbids; the schema is
    # served at /api/v1/openapi.json.
    docs_url=None,
)
api.add_router("", collect_api.router)


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


@api.exception_handler(RequestDataTooBig)
def body_too_big(request, exc):
    # Django refuses to read a body over DATA_UPLOAD_MAX_MEMORY_SIZE; left to Django, that is
    # an HTML 400 page, which a device cannot read.
    detail = [{"loc": ["body"], "msg": "The body is too large.", "type": "too_large"}]
    return api.create_response(request, {"detail": detail}, status=413)


def not_found(request, *args, **kwargs):
    """A JSON 404 for a path under /api/ that no endpoint has (a plain Django view)."""
    return JsonResponse({"detail": "Not Found"}, status=404)


def unknown_path(request, rest: str):
    return not_found(request)


class AnyText:
    """Any rest of a path, line breaks too: Django's `path` converter stops at a newline (an
    encoded %0A in an id), and such a path would get the HTML 404 page."""

    regex = r"[\s\S]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(AnyText, "anytext")

# Last, so that it only gets the paths that no endpoint matched (any method, any path).
unknown = Router()
ANY_METHOD = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
unknown.add_api_operation("/{anytext:rest}", ANY_METHOD, unknown_path, include_in_schema=False)
unknown.add_api_operation("/", ANY_METHOD, not_found, include_in_schema=False)
api.add_router("", unknown)
