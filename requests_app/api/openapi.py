"""How the OpenAPI document says what the server does: one `Errors` shape and one description
per status, and the hook that completes every operation with what every view shares (the
errors any call may meet, `Idempotency-Key` on POST, `Retry-After`, `ETag`, `Location`),
readable operation ids and a tag per resource, in OpenAPI 3.1 (`null` is a type)."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import is_list_serializer
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

from ..transitions import TRANSITIONS

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


class PortalSchema(AutoSchema):
    """drf-spectacular's, and a nested list's bounds (`many=True, max_length=…`) as
    `minItems`/`maxItems`, which it leaves out."""

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if is_list_serializer(field) and schema and schema.get("type") == "array":
            if field.min_length is not None:
                schema["minItems"] = field.min_length
            if field.max_length is not None:
                schema["maxItems"] = field.max_length
        return schema


IDEMPOTENCY_KEY = "Idempotency-Key"
IDEMPOTENCY_RULES = (
    "Makes a retry safe (a UUID per operation is a good key). Keys are per user: two people "
    "may use the same key. The same key again with the same method, path and a byte-identical "
    "body (for uploads: the same parts and file bytes) returns the first answer, whatever its "
    "status, 2xx or 4xx, with `Idempotent-Replay: true` and without doing anything again; a "
    "5xx is not kept, so its retry runs for real. The same key with another body is a 422; "
    "a retry sent while the first call is still running waits for it and replays its answer "
    "(if the first call's server died, the retry runs it). At most 255 characters (longer is a "
    "400). "
    "Keys do not expire: never reuse one for a different operation."
)
# Statuses any call may meet besides those its view declares, and what each says.
COMMON_ERRORS = {
    "405": "The path does not take this method; `Allow` lists those it does.",
    "406": "`Accept` excludes application/json, the only answer there is.",
    "500": "Server error; nothing was changed (safe to retry with the same Idempotency-Key).",
}
BODY_ERRORS = {
    "400": "Invalid fields, named; an unknown field is named too.",
    "413": "The body is larger than the server takes.",
    "415": "The body is not of a media type this operation takes.",
}
POST_ERRORS = {
    "400": "Invalid fields, named, or an Idempotency-Key longer than 255 characters.",
    "409": "Not allowed now, or a stale version.",
    "422": "This Idempotency-Key was used with a different request.",
}
INTEGER = {"type": "integer", "minimum": 0}
HEADERS = {
    "Allow": {"description": "The methods the path takes.", "schema": {"type": "string"}},
    "Retry-After": {
        "description": "Seconds until the throttle lets the next call through.",
        "required": True,
        "schema": INTEGER,
    },
    "ETag": {
        "description": 'The request\'s `version`, quoted (`"7"`): send it as `If-Match`.',
        "required": True,
        "schema": {"type": "string", "pattern": '^"[0-9]+"$'},
    },
    "Location": {
        "description": "Where the new request lives.",
        "required": True,
        "schema": {"type": "string"},
    },
}

# Tags, one per resource; the life-cycle actions are a resource of their own.
TAGS = [
    ("requests", "Priority-support requests: list, file a draft, read one, change a draft."),
    ("actions", "The life cycle (DESIGN §4): one POST per transition, answering the request."),
    ("comments", "A request's comments (shared, or internal to one nation)."),
    ("attachments", "A request's files: list, upload, download."),
    ("links", "Typed links between requests."),
    ("events", "A request's audit trail, as its reader may see it."),
    ("nations", "Nations and their calendars."),
    ("suppliers", "Firms, with their Code of Conduct record and response ledger."),
    ("arrangements", "Arrangements between nations, and their posture."),
    ("webhooks", "An agency's webhooks and their delivery log."),
    ("tokens", "The caller's own API tokens."),
    ("account", "Who the caller is."),
]
REQUEST_PARTS = {"comments", "attachments", "links", "events"}
ACTION_PATHS = {transition.url_name: name for name, transition in TRANSITIONS.items()}
# Readable operation ids (what a generated client names its functions). An operation not listed
# keeps drf-spectacular's id without its `v1_` prefix; an action is named by its transition.
OPERATION_IDS = {
    ("get", "requests"): "list_requests",
    ("post", "requests"): "create_request",
    ("get", "requests/{reference}"): "get_request",
    ("patch", "requests/{reference}"): "update_draft",
    ("get", "requests/{reference}/comments"): "list_comments",
    ("post", "requests/{reference}/comments"): "add_comment",
    ("get", "requests/{reference}/attachments"): "list_attachments",
    ("post", "requests/{reference}/attachments"): "add_attachment",
    ("get", "requests/{reference}/attachments/{attachment_id}"): "download_attachment",
    ("get", "requests/{reference}/links"): "list_links",
    ("post", "requests/{reference}/links"): "add_link",
    ("get", "requests/{reference}/events"): "list_events",
    ("get", "events"): "list_event_feed",
    ("get", "nations"): "list_nations",
    ("get", "nations/{code}"): "get_nation",
    ("get", "suppliers"): "list_suppliers",
    ("get", "suppliers/{id}"): "get_supplier",
    ("get", "arrangements"): "list_arrangements",
    ("get", "me"): "get_me",
    ("get", "ping"): "ping",
    ("get", "tokens"): "list_tokens",
    ("post", "tokens"): "create_token",
    ("get", "tokens/{id}"): "get_token",
    ("delete", "tokens/{id}"): "revoke_token",
    ("post", "tokens/{id}/rotate"): "rotate_token",
    ("get", "webhooks"): "list_webhooks",
    ("post", "webhooks"): "create_webhook",
    ("get", "webhooks/{id}"): "get_webhook",
    ("delete", "webhooks/{id}"): "delete_webhook",
    ("get", "webhooks/{id}/deliveries"): "list_webhook_deliveries",
}
METHODS = {"get", "put", "post", "delete", "patch"}
PREFIX = "/api/v1/"


def _route(path: str) -> str:
    return path.removeprefix(PREFIX).strip("/")


def _tag(route: str) -> str:
    parts = route.split("/")
    if parts[0] == "requests" and len(parts) > 2:
        if parts[2] in REQUEST_PARTS:
            return parts[2]
        if parts[2] in ACTION_PATHS:
            return "actions"
    if parts[0] in ("me", "ping"):
        return "account"
    return parts[0]


def _operation_id(method: str, route: str, current: str) -> str:
    parts = route.split("/")
    if method == "post" and len(parts) == 3 and parts[0] == "requests" and parts[2] in ACTION_PATHS:
        return ACTION_PATHS[parts[2]]
    return OPERATION_IDS.get((method, route), current.removeprefix("v1_"))


def _error(description: str) -> dict:
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/Errors"}}}
    return {"description": description, "content": content}


def _json_schema(response: dict) -> dict:
    return response.get("content", {}).get("application/json", {}).get("schema", {})


def _complete(method: str, operation: dict) -> None:
    responses = operation["responses"]
    wanted = dict(COMMON_ERRORS)
    if "requestBody" in operation:
        wanted |= BODY_ERRORS
    if method == "post":
        wanted |= POST_ERRORS
        operation.setdefault("parameters", []).append(
            {
                "in": "header",
                "name": IDEMPOTENCY_KEY,
                "required": False,
                "description": IDEMPOTENCY_RULES,
                "schema": {"type": "string", "minLength": 1, "maxLength": 255},
            }
        )
    for status, description in wanted.items():
        responses.setdefault(status, _error(description))
    responses["405"].setdefault("headers", {"Allow": HEADERS["Allow"]})
    if "429" in responses:
        responses["429"].setdefault("headers", {"Retry-After": HEADERS["Retry-After"]})
    if "412" in responses:
        responses["412"].setdefault("headers", {"ETag": HEADERS["ETag"]})
    for status in ("200", "201"):
        if _json_schema(responses.get(status, {})) == {"$ref": "#/components/schemas/Request"}:
            headers = responses[status].setdefault("headers", {})
            headers["ETag"] = HEADERS["ETag"]
            if status == "201":
                headers["Location"] = HEADERS["Location"]


def _null_as_a_type(node) -> None:
    """OpenAPI 3.1 has no `nullable`: a schema written by hand with it (the pagination's
    `next`) says `type: [..., "null"]` instead, as drf-spectacular's own schemas do."""
    if isinstance(node, dict):
        if isinstance(node.get("nullable"), bool):
            if node["nullable"] and isinstance(node.get("type"), str):
                node["type"] = [node["type"], "null"]
            del node["nullable"]
        for value in node.values():
            _null_as_a_type(value)
    elif isinstance(node, list):
        for value in node:
            _null_as_a_type(value)


def complete_the_contract(result: dict, generator, request, public) -> dict:
    """drf-spectacular postprocessing hook (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"])."""
    _null_as_a_type(result)
    used: set[str] = set()
    for path, item in result.get("paths", {}).items():
        route = _route(path)
        for method, operation in item.items():
            if method not in METHODS:
                continue
            operation["tags"] = [_tag(route)]
            operation["operationId"] = _operation_id(method, route, operation["operationId"])
            used.add(operation["tags"][0])
            _complete(method, operation)
    known = [{"name": name, "description": text} for name, text in TAGS if name in used]
    others = sorted(used - {name for name, _ in TAGS})
    result["tags"] = known + [{"name": name} for name in others]
    return result
