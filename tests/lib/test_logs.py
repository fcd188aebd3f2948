"""Structured logs (issue 18 point 2): JSON lines with a request id (the caller's or a new one,
sent back), the actor, the route and the reference; no secret in any line."""

from __future__ import annotations

import io
import json
import logging

import pytest
import structlog

from requests_app import services
from sosa_portal.lib import logs
from tests.helpers import sign_in


@pytest.fixture
def lines():
    """What the root logger writes while the test runs, as parsed JSON lines."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logs.formatter())
    root = logging.getLogger()
    root.addHandler(handler)

    def read() -> list[dict]:
        return [json.loads(line) for line in out.getvalue().splitlines() if line.strip()]

    yield read
    root.removeHandler(handler)


def test_secrets_never_reach_a_line():
    event = logs.redact(
        None,
        "info",
        {
            "event": "x",
            "password": "sosa-demo-pass",
            "api_token": "abc",
            "comment_body": "Only for India's eyes",
            "status_code": 403,
            "path": "/account/two-factor/invite/Z2F8-K1Q9-MMX4/ and sosa_" + "q" * 40,
        },
    )
    assert event["password"] == event["api_token"] == event["comment_body"] == "[redacted]"
    assert event["status_code"] == 403
    assert event["path"] == "/account/two-factor/invite/[redacted]/ and sosa_[redacted]"


@pytest.mark.django_db
def test_each_request_gets_an_id_and_one_line_with_route_actor_and_reference(
    client, people, make_request, lines
):
    request = make_request("submitted")
    sign_in(client, people.liaison_us)

    given = client.get(f"/requests/{request.reference}/", HTTP_X_REQUEST_ID="caller-id-0001")
    made = client.get("/requests/")

    assert given["X-Request-ID"] == "caller-id-0001"
    assert len(made["X-Request-ID"]) == 32  # a new one
    found = [line for line in lines() if line["event"] == "http.request"]
    assert found[0] | {"duration_ms": 0, "time": ""} == {
        "event": "http.request",
        "request_id": "caller-id-0001",
        "method": "GET",
        "route": "requests/<str:reference>/",
        "status": 200,
        "duration_ms": 0,
        "actor": "liaison.us",
        "reference": request.reference,
        "level": "info",
        "logger": "sosa",
        "time": "",
    }
    assert found[1]["request_id"] == made["X-Request-ID"]
    assert "reference" not in found[1]


@pytest.mark.django_db
def test_an_action_logs_who_did_what_under_the_request_id(
    client, people, make_request, lines, django_capture_on_commit_callbacks
):
    request = make_request("submitted")
    sign_in(client, people.liaison_us)

    with (
        structlog.contextvars.bound_contextvars(request_id="outer-0001"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.triage(request, by=people.liaison_us, assignee=people.reviewer_us)
    client.post("/accounts/login/", {"username": "someone", "password": "sosa-demo-pass"})

    events = {line["event"]: line for line in lines()}
    assert events["action.done"]["action"] == "triage"
    assert events["action.done"]["actor"] == "liaison.us"
    assert events["action.done"]["reference"] == request.reference
    assert events["action.done"]["request_id"] == "outer-0001"
    assert "someone" not in json.dumps(events["sign_in.failure"])  # a name may be a password
    assert "sosa-demo-pass" not in json.dumps(lines())
