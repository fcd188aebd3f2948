"""How the OpenAPI document describes errors: one `Errors` shape, one description per status."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

ErrorSerializer = inline_serializer(
    name="Errors",
    fields={
        "errors": serializers.DictField(
            child=serializers.ListField(child=serializers.CharField()),
            help_text="Messages by field name; `detail` for the request as a whole.",
        )
    },
)
ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Invalid fields, named."),
    401: OpenApiResponse(ErrorSerializer, description="No or bad token."),
    403: OpenApiResponse(ErrorSerializer, description="Visible, but not for your role."),
    404: OpenApiResponse(ErrorSerializer, description="Not found or not yours to see."),
    409: OpenApiResponse(ErrorSerializer, description="Not allowed now, or a stale version."),
    412: OpenApiResponse(
        ErrorSerializer, description="`If-Match` names a version the request has left."
    ),
    422: OpenApiResponse(ErrorSerializer, description="Idempotency-Key reused, other body."),
    429: OpenApiResponse(ErrorSerializer, description="Throttled."),
}
READ_ERRORS = {code: ERRORS[code] for code in (400, 401, 404, 429)}


def errors(*codes: int) -> dict:
    return {code: ERRORS[code] for code in codes}
