"""Schemathesis against the live OpenAPI schema (issue 4: item 8 and the Tests section).

The schema is loaded in process from `/api/schema/`, and every operation in it is called with
bounded, derandomized examples (the coverage phase's boundary and invalid values, then 15 fuzzed
ones), authenticated with a real token of a person who may take the operation, against a request
seeded in the state the operation acts on. Checks: no 5xx; status code, content type and body as
the schema documents them; and no 2xx without a valid token.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
import zlib
from dataclasses import dataclass, field

import pytest
import schemathesis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    response_schema_conformance,
    status_code_conformance,
)

from partners.accounts.tokens import issue_token
from requests_app import services
from requests_app.api.openapi import IDEMPOTENCY_KEY
from requests_app.models import Event, Webhook, WebhookDelivery

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    ignored_auth,
]

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())

REQUEST_PATH = "/api/v1/requests/{reference}/"
# What follows `{reference}/` → who calls it, and the state of the India→US request it acts on.
# Each person may take the action in that state, so valid examples really move the request.
ON_A_REQUEST = {
    "": ("requester_in", "draft"),  # retrieve, PATCH a draft
    "submit": ("requester_in", "draft"),
    "request-info": ("liaison_us", "submitted"),
    "answer": ("requester_in", "needs_info"),
    "triage": ("liaison_us", "submitted"),
    "endorse": ("liaison_in", "awaiting_endorsement"),
    "determine": ("reviewer_us", "in_review"),
    "authorise": ("authority_us", "awaiting_authorisation"),
    "approve": ("reviewer_in", "coc_in_review"),  # a US→India request
    "decline": ("liaison_us", "submitted"),
    "forward": ("liaison_us", "approved"),
    "supplier-accept": ("supplier_us", "with_supplier"),
    "supplier-reject": ("supplier_us", "with_supplier"),
    "report-delay": ("supplier_us", "accepted"),
    "record-delivery": ("requester_in", "accepted"),
    "fulfil": ("requester_in", "accepted"),
    "split": ("liaison_us", "partly_accepted"),
    "links": ("liaison_us", "submitted"),
    "close-unfulfilled": ("liaison_us", "approved"),
    "withdraw": ("requester_in", "submitted"),
    "comments": ("liaison_us", "submitted"),
    "attachments": ("liaison_us", "submitted"),
    "attachments/{attachment_id}": ("liaison_us", "submitted"),
    "events": ("liaison_us", "submitted"),
}
WEBHOOK_PATH = "/api/v1/webhooks/"
TOKEN_PATH = "/api/v1/tokens/"
# Everything else (the list, create, nations, suppliers, me, webhooks) is called by this person.
ELSEWHERE = "requester_in"

# A generated value shaped like a reference or an id (not one of the malformed values the
# coverage phase sends to prove that they are refused).
WELL_FORMED = re.compile(r"[A-Za-z0-9-]{1,20}")


@dataclass
class Seeded:
    """What one operation's examples are pointed at."""

    headers: dict[str, str]
    path: dict[str, str] = field(default_factory=dict)
    body: dict[str, object] = field(default_factory=dict)
    successes: int = 0  # 2xx answers to the operation's own method
    failed: bool = False

    def aim(self, case) -> None:
        """Point three examples in four at seeded rows; left alone, nearly every generated
        reference is a 404 and every nation, supplier or user a 400. The fourth keeps its own
        values, so unknown ones are still tried."""
        key = (case.headers or {}).get(IDEMPOTENCY_KEY)
        if isinstance(key, str) and len(key) <= 255:
            # Each example its own key: a key generated twice with two bodies is a 422 (as
            # documented), which would leave too few examples that act at all.
            case.headers[IDEMPOTENCY_KEY] = (uuid.uuid4().hex + key)[:255]
        if zlib.crc32(repr((case.path_parameters, case.body)).encode()) % 4 == 0:
            return
        for name, value in (case.path_parameters or {}).items():
            well_formed = isinstance(value, str | int) and not isinstance(value, bool)
            if name in self.path and well_formed and WELL_FORMED.fullmatch(str(value)):
                case.path_parameters[name] = self.path[name]
        if isinstance(case.body, dict):
            for name, real in self.body.items():
                if name in case.body and type(case.body[name]) is type(real):
                    case.body[name] = real


def seed_request(make_request, make_coc_request, people, state: str):
    """An India→US request in `state` (needs_info is one question after submitted), or a
    US→India one for `coc_<state>`."""
    if state.startswith("coc_"):
        return make_coc_request(state.removeprefix("coc_"))
    if state == "needs_info":
        request = make_request("submitted")
        return services.request_info(request, by=people.liaison_us, question="Which variant?")
    return make_request(state)


@pytest.fixture
def _no_connection_closing():
    """The WSGI app sends request_started/finished, whose close_old_connections would close
    the test transaction's connection on PostgreSQL (`connection already closed`)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def seeded(request, people, make_request, make_coc_request, _no_connection_closing):
    """Seed what the operation under test acts on, and a real token of who may call it."""
    _method, path = request.node.operation_label.split(" ", 1)
    body = {
        "responding_nation": people.us.code,
        "requesting_agency": people.requester_in.profile.agency_id,
        "assignee": people.reviewer_us.username,
        "supplier": people.company_us.pk,
    }
    if path.startswith(REQUEST_PATH):
        tail = path.removeprefix(REQUEST_PATH).strip("/")
        actor, state = ON_A_REQUEST.get(tail, ("liaison_us", "submitted"))
        user = getattr(people, actor)
        row = seed_request(make_request, make_coc_request, people, state)
        targets = {"reference": row.reference}
        items = list(row.items.order_by("id"))
        body |= {  # a delivery of part of the first item, the rejected ones, a link
            "item": items[0].pk,
            "quantity": 1,
            "delivered_on": (dt.date.today() - dt.timedelta(days=1)).isoformat(),
            "items": [item.pk for item in items if item.response == "rejected"],
        }
        if tail == "links":
            body |= {"reference": make_request("submitted").reference, "kind": "related"}
        if "{attachment_id}" in path:
            upload = SimpleUploadedFile("drawing.pdf", b"%PDF-1.4\n% seeded\n")
            attachment = services.add_attachment(row, by=user, uploaded=upload)
            targets["attachment_id"] = str(attachment.pk)
    else:
        user = getattr(people, ELSEWHERE)
        # Something to list: a request with a running clock and an untouched draft.
        accepted = make_request("accepted")
        make_request("draft")
        targets = {"code": people.us.code, "id": str(people.company_us.pk)}
        if path.startswith(WEBHOOK_PATH):
            webhook = Webhook.objects.create(
                agency=user.profile.agency, url="https://erp.example.org/sosa", created_by=user
            )
            event = Event.objects.filter(request=accepted).last()
            WebhookDelivery.objects.create(webhook=webhook, event=event, payload={"id": event.pk})
            targets["id"] = str(webhook.pk)
        if path.startswith(TOKEN_PATH):  # a spare token: revoking it keeps the caller's key
            spare, _ = issue_token(user, name="spare", expires_at=None)
            targets["id"] = str(spare.pk)
    _, key = issue_token(user, name="schemathesis")
    seeded = Seeded(headers={"Authorization": f"Token {key}"}, path=targets, body=body)
    yield seeded
    # Guard against a run that only ever meets 404s and 400s and so proves little.
    if not seeded.failed:
        assert seeded.successes, f"no example of {path} succeeded against the seeded rows"


@schema.parametrize()
@settings(
    max_examples=15,
    derandomize=True,
    deadline=None,
    database=None,
    # The seeded rows are function-scoped on purpose: each operation starts from fresh data.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_matches_its_schema(case, seeded):
    seeded.aim(case)
    try:
        response = case.call_and_validate(headers=seeded.headers, checks=CHECKS)
    except BaseException:
        seeded.failed = True
        raise
    if response.request.method == case.method.upper() and 200 <= response.status_code < 300:
        seeded.successes += 1
