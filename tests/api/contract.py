"""Every /api/v1/ response a test receives, checked against the OpenAPI document with
openapi-core: status, media type, headers and body, strictly (a required property missing or
an undocumented one present is a failure too). tests/api/conftest.py applies it to every test
client of the API tests."""

from __future__ import annotations

import functools
import json

from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from openapi_core import Config, OpenAPI
from openapi_core.contrib.django import DjangoOpenAPIRequest, DjangoOpenAPIResponse
from openapi_core.templating.paths.exceptions import OperationNotFound, PathNotFound

API = "/api/v1/"


@functools.cache
def document() -> dict:
    """The OpenAPI document as /api/schema/ serves it, generated once per test session."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(schema))


@functools.cache
def openapi() -> OpenAPI:
    # The document's own `required` lists say what must be there (drf-spectacular lists
    # every field a response always has); what it does not describe may not be there at all.
    strict = Config(additional_properties_default_policy="forbid")
    return OpenAPI.from_dict(document(), config=strict)


class Request(DjangoOpenAPIRequest):
    """The request of a response: found among the documented paths by its path alone (the
    Django route of a DRF router is a regex openapi-core cannot read)."""

    @property
    def path_pattern(self):
        return None

    @property
    def body(self):  # a response is checked, not its request (an upload's body is gone)
        return None


class Mismatch(AssertionError):
    pass


def check(response) -> None:
    """Raise `Mismatch` when an API response is not what the document says; leave alone any
    other response, and one to a path or method the document does not have (a 404 or 405
    for it is the server's, not an operation's)."""
    request = getattr(response, "wsgi_request", None)
    if request is None or not request.path.startswith(API):
        return
    try:
        openapi().validate_response(Request(request), DjangoOpenAPIResponse(response))
    except (PathNotFound, OperationNotFound):
        return
    except Exception as exc:
        cause = getattr(exc, "__cause__", None)
        details = "; ".join(str(e) for e in getattr(cause, "schema_errors", ())) or str(cause)
        raise Mismatch(
            f"{request.method} {request.get_full_path()} → {response.status_code}: {exc}"
            f" ({details})\n{response.content[:2000]!r}"
            if not response.streaming
            else f"{request.method} {request.path} → {response.status_code}: {exc} ({details})"
        ) from exc


def checking_client_request(original):
    """`Client.request`, checking each API response before the test sees it."""

    @functools.wraps(original)
    def request(self, **kwargs):
        response = original(self, **kwargs)
        check(response)
        return response

    return request


__all__ = ["Client", "check", "checking_client_request", "document", "openapi"]
