"""Internal comments stay with officials (DESIGN §2): checked channel by channel — the request
page, the API's comments and events, the queue CSV, notification e-mails and webhooks."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from requests_app import services
from requests_app.models import Notification, PriorityRequest, WebhookDelivery
from requests_app.outbox import webhooks
from requests_app.outbox.notices import render_email
from requests_app.services.sweep import sweep_deadlines
from requests_app.services.webhooks import register as register_webhook
from tests.helpers import client_for, sign_in, support

INTERNAL = "Internal: Acme is under a DCSA review, keep this between officials."
SHARED = "Shared: please confirm the NSN of the gimbal."
# After the forward: the supplier's part of the history starts there (issue 17, point 6).
SHARED_WITH_SUPPLIER = "Shared: Acme, the drawings are in the attachments."
READERS_WITHOUT = ["requester_in", "supplier_us"]
OFFICIALS = ["liaison_us", "reviewer_us"]


@pytest.fixture
def thread(people, make_request) -> PriorityRequest:
    """An India→US request forwarded to Acme, with an internal comment by liaison.us and a
    shared one by requester.in, and the notices and webhook deliveries of its life so far:
    a question answered, assignment, rating, forwarding and a deadline sweep."""
    for person in (people.requester_in, people.reviewer_us):
        register_webhook(
            agency=person.profile.agency,
            url=f"https://hooks.example.org/{person.username}",
            event_kinds=[],
            by=person,
        )
    request = make_request("submitted")
    request = services.request_info(request, by=people.liaison_us, question="Which tail numbers?")
    services.add_comment(request, by=people.liaison_us, body=INTERNAL, visibility="internal")
    services.add_comment(request, by=people.requester_in, body=SHARED, visibility="shared")
    request = services.answer(request, by=people.requester_in, answer="KH2001 to KH2008.")
    request = services.triage(request, by=people.liaison_us, assignee=people.reviewer_us)
    request = support(
        request, by=people.reviewer_us, rating="DX", program_symbol="A1", note="Supports G2."
    )
    request = services.forward(request, by=people.liaison_us, supplier=people.company_us)
    services.add_comment(
        request, by=people.liaison_us, body=SHARED_WITH_SUPPLIER, visibility="shared"
    )
    sweep_deadlines(now=timezone.now() + dt.timedelta(days=90))
    return PriorityRequest.objects.get(pk=request.pk)


def page_client(user) -> Client:
    client = Client()
    sign_in(client, user)
    return client


def api_url(request: PriorityRequest, tail: str = "") -> str:
    return f"/api/v1/requests/{request.reference}/{tail}"


# --- the request page ---------------------------------------------------------------------------


@pytest.mark.parametrize("reader", READERS_WITHOUT)
def test_the_request_page_never_shows_an_internal_comment_to_requesters_or_suppliers(
    people, thread, reader
):
    response = page_client(getattr(people, reader)).get(f"/requests/{thread.reference}/")

    assert response.status_code == 200
    assert SHARED_WITH_SUPPLIER in response.content.decode()
    assert (SHARED in response.content.decode()) == (reader != "supplier_us")
    assert INTERNAL not in response.content.decode()


@pytest.mark.parametrize("reader", OFFICIALS)
def test_the_request_page_shows_internal_comments_to_officials(people, thread, reader):
    response = page_client(getattr(people, reader)).get(f"/requests/{thread.reference}/")

    assert response.status_code == 200
    assert INTERNAL in response.content.decode()
    assert SHARED in response.content.decode()


# --- the API ------------------------------------------------------------------------------------


@pytest.mark.parametrize("reader", READERS_WITHOUT)
def test_the_api_never_gives_an_internal_comment_to_requesters_or_suppliers(people, thread, reader):
    client = client_for(getattr(people, reader))

    comments = client.get(api_url(thread, "comments/"))
    events = client.get(api_url(thread, "events/"))
    detail = client.get(api_url(thread))

    assert comments.status_code == events.status_code == detail.status_code == 200
    assert SHARED_WITH_SUPPLIER in [comment["body"] for comment in comments.json()]
    assert {comment["visibility"] for comment in comments.json()} == {"shared"}
    assert {
        event["data"].get("visibility") for event in events.json() if event["action"] == "comment"
    } == {"shared"}
    for response in (comments, events, detail):
        assert INTERNAL not in response.content.decode()


@pytest.mark.parametrize("reader", OFFICIALS)
def test_the_api_gives_internal_comments_to_officials(people, thread, reader):
    client = client_for(getattr(people, reader))

    comments = client.get(api_url(thread, "comments/")).json()
    events = client.get(api_url(thread, "events/")).json()

    assert {INTERNAL, SHARED} <= {comment["body"] for comment in comments}
    assert {e["data"]["visibility"] for e in events if e["action"] == "comment"} == {
        "internal",
        "shared",
    }


# --- the queue CSV ------------------------------------------------------------------------------


def test_the_queue_csv_carries_no_comment_at_all(people, thread):
    response = page_client(people.liaison_us).get("/queue/", {"view": "all", "format": "csv"})
    csv_text = b"".join(response.streaming_content).decode()

    assert response.status_code == 200
    assert thread.reference in csv_text
    assert INTERNAL not in csv_text
    assert SHARED not in csv_text


@pytest.mark.parametrize("reader", READERS_WITHOUT)
def test_the_queue_csv_is_not_there_for_requesters_or_suppliers(people, thread, reader):
    response = page_client(getattr(people, reader)).get("/queue/", {"view": "all", "format": "csv"})

    assert response.status_code == 404
    assert thread.reference not in response.content.decode()


# --- notification e-mails -----------------------------------------------------------------------


def test_no_notification_email_carries_an_internal_comment(people, thread):
    notices = list(Notification.objects.filter(request=thread).select_related("recipient"))
    recipients = {notice.recipient for notice in notices}
    kinds = {notice.kind for notice in notices}

    # Not vacuous: requester.in and supplier.us heard of actions, and the sweep wrote notices.
    assert {people.requester_in, people.supplier_us} <= recipients
    assert kinds & {"due_soon", "overdue", "escalated"}
    for notice in notices:
        subject, text, html = render_email(notice)
        for part in (subject, text, html):
            assert INTERNAL not in part, (notice.kind, notice.recipient.username)
            assert SHARED not in part, (notice.kind, notice.recipient.username)


# --- webhooks -----------------------------------------------------------------------------------


def test_no_webhook_delivery_carries_an_internal_comment(thread):
    deliveries = list(WebhookDelivery.objects.filter(event__request=thread).select_related("event"))
    comments = [d for d in deliveries if d.event.action == "comment"]

    assert {d.webhook.agency.nation.code for d in deliveries} == {"IN", "US"}
    assert comments, "the shared comment goes out (the control)"
    assert {d.event.data["visibility"] for d in comments} == {"shared"}
    assert {d.payload["data"]["body"] for d in comments} == {SHARED, SHARED_WITH_SUPPLIER}
    for delivery in deliveries:
        assert INTERNAL not in webhooks.encode(delivery.payload).decode()
        assert INTERNAL not in json.dumps(delivery.event.data)


def test_the_delivery_log_over_the_api_carries_no_internal_comment(people, thread):
    webhook = WebhookDelivery.objects.filter(event__request=thread).first().webhook
    owner = people.requester_in if webhook.agency.nation.code == "IN" else people.reviewer_us

    response = client_for(owner).get(f"/api/v1/webhooks/{webhook.pk}/deliveries/")

    assert response.status_code == 200
    assert SHARED in response.content.decode()
    assert INTERNAL not in response.content.decode()
