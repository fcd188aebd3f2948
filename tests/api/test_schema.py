"""The OpenAPI document at /api/schema/ and the docs UI at /api/docs/ (issue 4, item 8)."""

from __future__ import annotations

import json
import re
from io import StringIO
from urllib.parse import urlsplit

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client

from requests_app.transitions import TRANSITIONS

pytestmark = pytest.mark.django_db

# DESIGN §7, with each action's URL name spelled with `-` (DESIGN §4 has one per transition).
ACTIONS = [
    "submit",
    "request-info",
    "answer",
    "endorse",
    "triage",
    "determine",
    "authorise",
    "approve",
    "decline",
    "forward",
    "supplier-accept",
    "supplier-reject",
    "report-delay",
    "record-delivery",
    "fulfil",
    "split",
    "close-unfulfilled",
    "withdraw",
]
REQUEST = "/api/v1/requests/{reference}/"
DESIGN_PATHS = {
    "/api/v1/requests/": {"get", "post"},
    REQUEST: {"get", "patch"},
    **{f"{REQUEST}{action}/": {"post"} for action in ACTIONS},
    f"{REQUEST}comments/": {"get", "post"},
    f"{REQUEST}attachments/": {"get", "post"},
    f"{REQUEST}events/": {"get"},
    "/api/v1/nations/": {"get"},
    "/api/v1/arrangements/": {"get"},
    "/api/v1/suppliers/": {"get"},
    "/api/v1/me/": {"get"},
}
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield path, method, operation


@pytest.fixture(scope="module")
def document(django_db_blocker):
    with django_db_blocker.unblock():
        response = Client().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    return json.loads(response.content)


def test_schema_is_openapi_3_in_json_and_yaml(document):
    assert re.fullmatch(r"3\.\d+\.\d+", document["openapi"])
    assert document["info"]["title"] == "SOSA Portal API"

    as_json = Client().get("/api/schema/", HTTP_ACCEPT="application/json")
    assert as_json.status_code == 200
    assert as_json["Content-Type"].startswith("application/json")
    assert json.loads(as_json.content) == document

    as_yaml = Client().get("/api/schema/")  # the default rendering
    assert as_yaml.status_code == 200
    assert yaml.safe_load(as_yaml.content) == document


def test_schema_lists_every_path_of_design_section_7(document):
    listed = {
        path: {m for m in item if m in HTTP_METHODS} for path, item in document["paths"].items()
    }
    for path, methods in DESIGN_PATHS.items():
        assert path in listed, f"{path} is missing from the schema"
        assert methods <= listed[path], f"{path}: {sorted(methods - listed[path])} missing"
    # One action path per transition, named with `-`; no `_` in any URL.
    assert {t.url_name for t in TRANSITIONS.values()} == set(ACTIONS)
    assert not [path for path in listed if "_" in path.replace("{attachment_id}", "")]
    assert all(path.startswith("/api/v1/") for path in listed)


def test_schema_documents_the_token_scheme_on_every_operation(document):
    schemes = document["components"]["securitySchemes"]
    token = [
        name
        for name, scheme in schemes.items()
        if scheme == {**scheme, "type": "apiKey", "in": "header", "name": "Authorization"}
    ]
    assert len(token) == 1, schemes
    assert "Token <key>" in schemes[token[0]]["description"]
    for path, method, operation in operations(document):
        allowed = [name for requirement in operation["security"] for name in requirement]
        assert token[0] in allowed, f"{method.upper()} {path} does not accept the token"
        assert {} not in operation["security"], f"{method.upper()} {path} allows anonymous calls"


def test_schema_documents_the_errors_of_section_7(document):
    """401 and 429 everywhere; 404 wherever a path names a row; an action may also be a 400,
    403 or 409. Each as `{"errors": {field: [messages]}}`."""
    errors = document["components"]["schemas"]["Errors"]
    assert errors["required"] == ["errors"]
    for path, method, operation in operations(document):
        documented = set(operation["responses"])
        expected = {"401", "429"}
        if "{" in path:
            expected.add("404")
        if path.startswith(REQUEST) and method in ("post", "patch"):
            expected |= {"400", "403", "404"}
        if path.removeprefix(REQUEST).strip("/") in ACTIONS or (path, method) == (REQUEST, "patch"):
            expected.add("409")
        label = f"{method.upper()} {path}"
        assert expected <= documented, f"{label}: {sorted(expected - documented)} undocumented"
        for status in documented - {"200", "201", "204"}:
            content = operation["responses"][status]["content"]["application/json"]
            assert content["schema"] == {"$ref": "#/components/schemas/Errors"}, label


def test_spectacular_validates_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    stderr = StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out), stderr=stderr)
    assert "Warning" not in stderr.getvalue() and "Error" not in stderr.getvalue()
    assert yaml.safe_load(out.read_text())["paths"]


@pytest.fixture
def signed_in(django_user_model, settings):
    # DEBUG is off in tests, and WhiteNoise only looks in STATIC_ROOT (filled by collectstatic
    # in the image): let it find files where `runserver` and collectstatic do.
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    client = Client()
    client.force_login(django_user_model.objects.create_user("docs.reader", password="x"))
    return client


def test_docs_load_swagger_ui_from_this_site_only(signed_in, settings):
    response = signed_in.get("/api/docs/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()

    urls = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    urls += re.findall(r"""\burl\s*:\s*["']([^"']+)["']""", html)  # SwaggerUIBundle({url: …})
    assert urls
    for url in urls:
        parts = urlsplit(url)
        assert not parts.scheme and not parts.netloc, f"{url} is not on this site"
    assert not re.search(r"https?://|//cdn|jsdelivr|unpkg|cdnjs", html)

    assets = [url for url in urls if url.startswith(f"/{settings.STATIC_URL.strip('/')}/")]
    sidecar = f"/{settings.STATIC_URL.strip('/')}/drf_spectacular_sidecar/swagger-ui-dist/"
    assert f"{sidecar}swagger-ui-bundle.js" in assets
    assert f"{sidecar}swagger-ui.css" in assets
    assert "/api/schema/" in urls


@pytest.mark.parametrize(
    ("asset", "content_type", "marker"),
    [
        ("swagger-ui-bundle.js", "text/javascript", b"SwaggerUIBundle"),
        ("swagger-ui-standalone-preset.js", "text/javascript", b"SwaggerUIStandalonePreset"),
        ("swagger-ui.css", "text/css", b".swagger-ui"),
    ],
)
def test_swagger_ui_assets_are_served_by_this_site(
    signed_in, settings, asset, content_type, marker
):
    name = f"drf_spectacular_sidecar/swagger-ui-dist/{asset}"
    assert finders.find(name), f"{name} is not among the static files"
    response = signed_in.get(f"/{settings.STATIC_URL.strip('/')}/{name}")
    assert response.status_code == 200
    assert response["Content-Type"].split(";")[0] == content_type
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert marker in body
