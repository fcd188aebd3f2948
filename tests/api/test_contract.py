"""The contract says what the server does (issue 15, point 4): the OpenAPI document is strict
OpenAPI 3.1, declares what every call may meet, bounds every body, names its media types, its
tags and operations readably, and each example in it is valid; every API response of the test
suite is checked against it (tests/api/contract.py), and that check does catch a lie."""

from __future__ import annotations

from pathlib import Path

import pytest
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import OpenAPIV31SpecValidator

from requests_app.api import reference_views, views
from requests_app.api.openapi import IDEMPOTENCY_KEY
from requests_app.models import Event, Webhook, WebhookDelivery
from requests_app.services.attachments import KINDS
from requests_app.transitions import TRANSITIONS

from . import contract
from .conftest import url
from .test_schema import operations

pytestmark = pytest.mark.django_db
REQUEST_REF = {"$ref": "#/components/schemas/Request"}


@pytest.fixture(scope="module")
def document():
    return contract.document()


def valid(document, schema: dict, value) -> list[str]:
    """The errors of `value` against `schema` (its `$ref`s into the document resolved)."""
    validator = OAS31Validator({**schema, "components": document["components"]})
    return [error.message for error in validator.iter_errors(value)]


def test_the_document_is_strict_openapi_3_1(document):
    assert document["openapi"] == "3.1.0"
    errors = [error.message for error in OpenAPIV31SpecValidator(document).iter_errors()]
    assert errors == []

    def no_nullable(node, where="#"):
        if isinstance(node, dict):
            assert "nullable" not in node, f"{where}: 3.0's `nullable` in a 3.1 document"
            for key, value in node.items():
                no_nullable(value, f"{where}/{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                no_nullable(value, f"{where}/{index}")

    no_nullable(document)


def test_every_post_declares_the_idempotency_key_and_its_rules(document):
    posts = [(path, op) for path, method, op in operations(document) if method == "post"]
    assert len(posts) >= len(TRANSITIONS) + 6
    for path, operation in posts:
        (header,) = [p for p in operation["parameters"] if p["name"] == IDEMPOTENCY_KEY]
        assert header["in"] == "header" and header["required"] is False, path
        assert header["schema"] == {"type": "string", "minLength": 1, "maxLength": 255}
        for rule in ("per user", "byte-identical", "4xx", "5xx", "422", "waits", "255"):
            assert rule in header["description"], f"{path}: the rules do not say {rule!r}"
        assert {"400", "409", "422"} <= set(operation["responses"]), path


def test_every_operation_declares_what_any_call_may_meet(document):
    for path, method, operation in operations(document):
        responses = operation["responses"]
        label = f"{method.upper()} {path}"
        assert {"401", "405", "406", "429", "500"} <= set(responses), label
        assert "Allow" in responses["405"]["headers"], label
        retry_after = responses["429"]["headers"]["Retry-After"]
        assert retry_after["required"] is True and retry_after["schema"]["type"] == "integer"
        if "requestBody" in operation:
            assert {"400", "413", "415"} <= set(responses), label
        for status in ("200", "201"):
            content = responses.get(status, {}).get("content", {})
            if content.get("application/json", {}).get("schema") == REQUEST_REF:
                assert responses[status]["headers"]["ETag"]["required"] is True, label
                assert ("Location" in responses[status]["headers"]) == (status == "201"), label
        if "412" in responses:
            assert "ETag" in responses["412"]["headers"], label


def test_no_value_is_null_unless_the_document_says_so(document):
    schemas = document["components"]["schemas"]
    for name in ("rating", "program_symbol", "rating_label", "supplier", "clock", "assignee"):
        assert valid(document, schemas["Request"]["properties"][name], None) == [], name
    assert valid(document, schemas["Event"]["properties"]["actor"], None) == []
    assert valid(document, schemas["Request"]["properties"]["rating"], "") != []
    assert valid(document, schemas["Request"]["properties"]["title"], None) != []
    assert valid(document, schemas["Request"]["properties"]["supplier"], {"id": 1}) != []


def test_every_body_bounds_its_strings_and_lists(document):
    bodies = {
        content["schema"]["$ref"].rsplit("/", 1)[1]
        for _path, _method, operation in operations(document)
        for content in operation.get("requestBody", {}).get("content", {}).values()
    }
    schemas, seen, unbounded = document["components"]["schemas"], set(), []

    def walk(name):
        if name in seen:
            return
        seen.add(name)
        for field, schema in schemas[name].get("properties", {}).items():
            if schema.get("readOnly"):
                continue
            kinds = schema.get("type")
            kinds = kinds if isinstance(kinds, list) else [kinds]
            plain = not ({"enum", "format", "$ref", "oneOf"} & set(schema))
            if "string" in kinds and plain and "maxLength" not in schema:
                unbounded.append(f"{name}.{field}")
            if "array" in kinds:
                if "maxItems" not in schema:
                    unbounded.append(f"{name}.{field}[]")
                if "$ref" in schema["items"]:
                    walk(schema["items"]["$ref"].rsplit("/", 1)[1])

    for body in bodies:
        walk(body)
    # Slugs of rows (a nation's code, a username) are bounded by the rows they must name.
    assert set(unbounded) <= {
        "DraftRequest.responding_nation",
        "PatchedDraftRequest.responding_nation",
        "TriageRequest.assignee",
    }, unbounded
    for name in ("DraftRequest", "SupplierAcceptRequest"):
        assert schemas[name]["properties"]["items"]["maxItems"] == 200


def test_the_download_names_every_media_type_an_attachment_may_have(document):
    download = document["paths"]["/api/v1/requests/{reference}/attachments/{attachment_id}/"]
    content = download["get"]["responses"]["200"]["content"]
    assert set(content) == {kind.content_type for kind in KINDS}


def test_every_example_is_valid_against_its_schema(document):
    checked = 0
    for path, method, operation in operations(document):
        media = [
            *operation.get("requestBody", {}).get("content", {}).values(),
            *(c for r in operation["responses"].values() for c in r.get("content", {}).values()),
        ]
        for content in media:
            for name, example in content.get("examples", {}).items():
                errors = valid(document, content["schema"], example["value"])
                assert errors == [], f"{method.upper()} {path} example {name}: {errors}"
                checked += 1
    assert checked >= 12
    with_examples = {
        op["operationId"]
        for _p, _m, op in operations(document)
        if "examples" in str(op.get("requestBody", "")) + str(op["responses"])
    }
    assert {"create_request", "get_request", "determine", "supplier_accept"} <= with_examples


def test_operations_have_readable_ids_and_a_tag_per_resource(document):
    ids = [op["operationId"] for _p, _m, op in operations(document)]
    assert len(ids) == len(set(ids))
    for operation_id in ids:
        assert operation_id.replace("_", "").isalpha() and operation_id.islower(), operation_id
        assert not operation_id.startswith("v1_"), operation_id
    by_id = {op["operationId"]: (path, method) for path, method, op in operations(document)}
    for name, transition in TRANSITIONS.items():  # an action is called by its own name
        assert by_id[name] == (f"/api/v1/requests/{{reference}}/{transition.url_name}/", "post")
    assert by_id["create_request"] == ("/api/v1/requests/", "post")
    assert by_id["download_attachment"][0].endswith("{attachment_id}/")

    declared = {tag["name"]: tag for tag in document["tags"]}
    for path, _method, operation in operations(document):
        assert len(operation["tags"]) == 1 and operation["tags"][0] in declared, path
    tag_of = {op["operationId"]: op["tags"][0] for _p, _m, op in operations(document)}
    assert tag_of["submit"] == "actions" and tag_of["list_comments"] == "comments"
    assert tag_of["get_request"] == "requests" and tag_of["rotate_token"] == "tokens"
    assert all(declared[name].get("description") for name in set(tag_of.values()) - {"feed"})


def test_the_list_says_what_q_and_due_soon_mean(document):
    parameters = {p["name"]: p for p in document["paths"]["/api/v1/requests/"]["get"]["parameters"]}
    assert "part number" in parameters["q"]["description"]
    assert parameters["q"]["schema"]["maxLength"] == 100
    assert "one working day before due" in parameters["due_soon"]["description"]
    for name in ("overdue", "escalated", "assignee", "requesting_nation"):
        assert parameters[name]["description"], name


# --- the check every API test goes through --------------------------------------------------


def test_a_response_with_an_undocumented_field_fails_the_test(api, monkeypatch):
    shown = reference_views.MeSerializer.to_representation
    monkeypatch.setattr(
        reference_views.MeSerializer,
        "to_representation",
        lambda self, user: {**shown(self, user), "surprise": 1},
    )
    with pytest.raises(contract.Mismatch, match="surprise"):
        api("requester_in").get("/api/v1/me/")


def test_a_blank_rating_where_the_document_says_null_fails_the_test(api, request_in, monkeypatch):
    draft = request_in("draft")
    real = views.selectors.requests_for_api
    monkeypatch.setattr(
        views.selectors,
        "requests_for_api",
        lambda *args, **kwargs: [{**row, "rating": ""} for row in real(*args, **kwargs)],
    )
    with pytest.raises(contract.Mismatch):
        api("requester_in").get(url(draft.reference))


def test_no_rating_is_null_in_rest_and_in_webhooks_alike(api, people, request_in):
    Webhook.objects.create(
        agency=people.requester_in.profile.agency,
        url="https://erp.example.org/sosa",
        created_by=people.requester_in,
    )
    draft = request_in("draft")
    api("requester_in").post(url(draft.reference, "submit"), {}, format="json")

    shown = api("requester_in").get(url(draft.reference)).json()
    delivery = WebhookDelivery.objects.get(event__request=draft, event__action="submit")

    assert (shown["rating"], shown["program_symbol"], shown["rating_label"]) == (None,) * 3
    assert delivery.payload["request"]["rating"] is None
    assert Event.objects.filter(request=draft, action="submit").exists()


def test_the_readme_spells_each_two_word_action_both_ways():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    for name, transition in TRANSITIONS.items():
        if "_" in name:
            assert f"| `{transition.url_name}` | `{name}` |" in readme, name
        else:
            assert transition.url_name == name
