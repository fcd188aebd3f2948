"""Webhooks: an agency's systems hear, signed, of every event of the requests its nation sees.

The same outbox as the notices: `queue_for_events` writes one `WebhookDelivery` per event and
matching webhook in the acting transaction; after commit a worker POSTs it (`deliver_one` claims
the row with `SELECT … FOR UPDATE SKIP LOCKED`, so two workers never send the same), retries with
the notices' backoff and gives up after `MAX_ATTEMPTS`; `deliver_due` is the periodic re-send.
Internal comments never leave the portal.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.request
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils import timezone

from .models import Comment, Event, PriorityRequest, State, Visibility, Webhook, WebhookDelivery
from .notifications import MAX_ATTEMPTS, backoff
from .permissions import agency_visibility_filter
from .transitions import check_event_kinds

logger = logging.getLogger(__name__)

# The event actions an agency may subscribe to (drafts' "create" and "edit" never go out).
TIMEOUT_SECONDS = 5
SEND_CHUNK = 200
USER_AGENT = "SOSA-Portal-Webhooks/1"


def leaves_the_portal(event: Event) -> bool:
    """Internal comments never leave in a webhook (only shared ones do), nor anything about a
    draft: no agency sees drafts (the tenant rule), so there is no webhook to look for."""
    if event.request.state == State.DRAFT:
        return False
    return event.action != "comment" or event.data.get("visibility") == Visibility.SHARED


def register(*, agency, url: str, event_kinds: list[str], by) -> Webhook:
    """A new active webhook for `agency`, with a fresh secret (the caller shows it once)."""
    webhook = Webhook(agency=agency, url=url, event_kinds=event_kinds, created_by=by)
    webhook.full_clean()
    webhook.event_kinds = check_event_kinds(event_kinds)
    webhook.save()
    return webhook


# --- queueing --------------------------------------------------------------------------------

REQUEST_FIELDS = (
    "pk",
    "reference",
    "title",
    "state",
    "rating",
    "program_symbol",
    "requesting_nation__code",
    "responding_nation__code",
    "due_at",
)


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def event_payload(event: Event, request_row: dict, comment_bodies: dict[int, str]) -> dict:
    """What a delivery says, frozen when the event is written."""
    data = dict(event.data)
    if event.action == "comment":  # shared only (see leaves_the_portal): its body, nothing else
        comment_id = data.get("comment_id")
        data = {
            "comment_id": comment_id,
            "visibility": Visibility.SHARED.value,
            "body": comment_bodies.get(comment_id),
        }
    rating = request_row["rating"]
    return {
        "id": event.pk,
        "action": event.action,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "created_at": _iso(event.created_at),
        "request": {
            "reference": request_row["reference"],
            "title": request_row["title"],
            "state": request_row["state"],
            "rating": f"{rating}-{request_row['program_symbol']}" if rating else None,
            "requesting_nation": request_row["requesting_nation__code"],
            "responding_nation": request_row["responding_nation__code"],
            "due_at": _iso(request_row["due_at"]),
        },
        "data": data,
    }


def queue_for_events(events: Sequence[Event]) -> int:
    """Write the deliveries of these events, in the caller's transaction, for every active
    webhook whose agency sees the request, and send them after commit. One query finds the
    webhooks of a whole batch; only when there are some, one more reads the requests."""
    events = [event for event in events if event.pk and leaves_the_portal(event)]
    if not events:
        return 0
    nation_ids: set[int] = set()
    for event in events:
        nation_ids |= {event.request.requesting_nation_id, event.request.responding_nation_id}
    webhooks = [
        webhook
        for webhook in Webhook.objects.filter(
            is_active=True, agency__nation_id__in=nation_ids
        ).select_related("agency")
        if any(webhook.wants(event.action) for event in events)
    ]
    if not webhooks:
        return 0
    # The tenant rule itself, one boolean column per nation that has webhooks.
    sees = {webhook.agency.nation_id: webhook.agency for webhook in webhooks}
    columns = {nation_id: f"seen_by_{nation_id}" for nation_id in sees}
    rows = {
        row["pk"]: row
        for row in PriorityRequest.objects.filter(pk__in={event.request_id for event in events})
        .annotate(
            **{
                columns[nation_id]: ExpressionWrapper(
                    agency_visibility_filter(agency), output_field=BooleanField()
                )
                for nation_id, agency in sees.items()
            }
        )
        .values(*REQUEST_FIELDS, *columns.values())
    }
    comment_ids = [event.data.get("comment_id") for event in events if event.action == "comment"]
    bodies = (
        dict(
            Comment.objects.filter(pk__in=comment_ids, visibility=Visibility.SHARED).values_list(
                "pk", "body"
            )
        )
        if comment_ids
        else {}
    )
    deliveries: list[WebhookDelivery] = []
    for event in events:
        row = rows.get(event.request_id)
        if row is None:
            continue
        payload = None
        for webhook in webhooks:
            if webhook.wants(event.action) and row[columns[webhook.agency.nation_id]]:
                payload = payload or event_payload(event, row, bodies)
                deliveries.append(WebhookDelivery(webhook=webhook, event=event, payload=payload))
    WebhookDelivery.objects.bulk_create(deliveries, ignore_conflicts=True)
    after_commit_send(event_ids=sorted({delivery.event_id for delivery in deliveries}))
    return len(deliveries)


def after_commit_send(*, event_ids: list[int]) -> None:
    if event_ids:
        transaction.on_commit(lambda: enqueue_sending(event_ids))


def enqueue_sending(event_ids: list[int]) -> bool:
    """Queue send tasks; with the broker down the periodic re-send delivers later."""
    from .tasks import send_webhooks

    try:
        for start in range(0, len(event_ids), SEND_CHUNK):
            send_webhooks.delay(event_ids[start : start + SEND_CHUNK])
        return True
    except Exception:  # broker unreachable: nothing is lost, the outbox holds the rows
        logger.warning("Broker unreachable; %d webhook events left to the re-send", len(event_ids))
        return False


# --- delivery --------------------------------------------------------------------------------


def encode(payload: dict) -> bytes:
    """The exact body bytes that are sent and signed (stable across attempts)."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def signature(secret: str, body: bytes) -> str:
    """`sha256=<hex HMAC-SHA256 of the body>`, the value of `X-SOSA-Signature`."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A redirect is a failed delivery: the signed body is never re-posted elsewhere.
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def post(delivery: WebhookDelivery) -> tuple[int | None, str]:
    """POST one delivery; its HTTP status (None when no answer) and an error text ('' if 2xx)."""
    webhook = delivery.webhook
    body = encode(delivery.payload)
    request = urllib.request.Request(
        webhook.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-SOSA-Event": delivery.payload.get("action", ""),
            "X-SOSA-Delivery": str(delivery.pk),
            "X-SOSA-Signature": signature(webhook.secret, body),
        },
    )
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        exc.close()
        status = exc.code
    except Exception as exc:  # refused, timed out, bad TLS, bad host…
        return None, f"{type(exc).__name__}: {exc}"[:2000]
    # The response body is not kept: the log must not read back what a URL inside the
    # network answers.
    return status, "" if 200 <= status < 300 else f"HTTP {status}"


def deliver_one(pk: int, *, now: dt.datetime | None = None) -> bool:
    """Send one delivery unless another worker holds it or it is done. True when delivered."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("webhook")
            .filter(pk=pk, delivered_at__isnull=True, failed_at__isnull=True)
            .first()
        )
        if delivery is None:
            return False
        now = now or timezone.now()
        if not delivery.webhook.is_active:
            delivery.failed_at = now
            delivery.last_error = "The webhook was deactivated."
            delivery.save(update_fields=["failed_at", "last_error"])
            return False
        delivery.attempts += 1
        delivery.response_status, delivery.last_error = post(delivery)
        if not delivery.last_error:
            delivery.delivered_at = now
            delivery.next_attempt_at = None
        elif delivery.attempts >= MAX_ATTEMPTS:
            delivery.failed_at = now
            delivery.next_attempt_at = None
        else:
            delivery.next_attempt_at = now + backoff(delivery.attempts)
        delivery.save(
            update_fields=[
                "attempts",
                "response_status",
                "last_error",
                "delivered_at",
                "failed_at",
                "next_attempt_at",
            ]
        )
        return delivery.delivered_at is not None


def _pending(now: dt.datetime):
    return WebhookDelivery.objects.filter(delivered_at__isnull=True, failed_at__isnull=True).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )


def deliver_for_events(event_ids: Iterable[int], *, now: dt.datetime | None = None) -> int:
    """Send the pending deliveries of these events whose (retry) time has come."""
    now = now or timezone.now()
    pks = list(
        _pending(now)
        .filter(event_id__in=list(event_ids))
        .order_by("id")
        .values_list("pk", flat=True)
    )
    return sum(deliver_one(pk, now=now) for pk in pks)


def deliver_due(
    *, now: dt.datetime | None = None, limit: int = 500, grace_seconds: int | None = None
) -> int:
    """The periodic re-send: pending deliveries older than the grace period whose time came."""
    now = now or timezone.now()
    if grace_seconds is None:
        grace_seconds = settings.SOSA_OUTBOX_GRACE_SECONDS
    pks = list(
        _pending(now)
        .filter(created_at__lte=now - dt.timedelta(seconds=grace_seconds))
        .order_by("created_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(deliver_one(pk, now=now) for pk in pks)
