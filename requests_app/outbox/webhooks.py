"""Webhook deliveries: the event's payload POSTed, signed, to an agency's URL."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from functools import partial

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from sosa_portal.lib import net

from ..models import Webhook, WebhookDelivery
from . import engine

# Short: a destination that does not answer must not hold a worker (its deliveries also run
# on their own queue, CELERY_WEBHOOK_QUEUE, so they never wait in line before notices).
CONNECT_TIMEOUT_SECONDS = 3
TIMEOUT_SECONDS = 5  # each read
USER_AGENT = "SOSA-Portal-Webhooks/1"


def encode(payload: dict) -> bytes:
    """The exact body bytes that are sent and signed (stable across attempts)."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def signature(secret: str, body: bytes, timestamp: int) -> str:
    """`t=<unix time>,v1=<hex HMAC-SHA256 of "<t>." + body>`, the value of `X-SOSA-Signature`:
    the time is signed with the body, so a receiver that checks it is recent (README: within
    five minutes) refuses a recorded delivery replayed later."""
    signed = f"{timestamp}.".encode() + body
    return f"t={timestamp},v1={hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()}"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A redirect is a failed delivery: the signed body is never re-posted elsewhere.
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def _opener() -> urllib.request.OpenerDirector:
    """Public addresses only (or SOSA_WEBHOOK_ALLOWED_NETWORKS), checked on the address
    connected to at each attempt (DNS rebinding); never a redirect."""
    return net.public_opener(
        net.networks(settings.SOSA_WEBHOOK_ALLOWED_NETWORKS),
        _NoRedirects,
        connect_timeout=CONNECT_TIMEOUT_SECONDS,
    )


def attempt(delivery: WebhookDelivery) -> engine.Outcome:
    """POST it and let the destination's circuit breaker know how it went."""
    outcome = post(delivery)
    _note_outcome(delivery.webhook, outcome, timezone.now())
    return outcome


def post(delivery: WebhookDelivery) -> engine.Outcome:
    """POST one delivery, under its id (`X-SOSA-Delivery`, the same on every attempt, so a
    receiver recognises a repeat); what it came to, with the HTTP status (None: no answer)."""
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
            "X-SOSA-Signature": signature(webhook.secret, body, int(time.time())),
        },
    )
    try:
        with _opener().open(request, timeout=TIMEOUT_SECONDS) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        exc.close()
        status = exc.code
    except Exception as exc:  # refused, timed out, bad TLS, bad host…
        # The log (which the owner reads over the API) says what kind of failure, never the
        # raw error: its text would map ports and hosts inside the network.
        label = engine.failure_label(exc)
        return engine.Outcome(label, error=label, fields={"response_status": None})
    # The response body is not kept: the log must not read back what a URL inside the
    # network answers.
    if 200 <= status < 300:
        return engine.Outcome(engine.DELIVERED, fields={"response_status": status})
    return engine.Outcome(
        f"http {status}", error=f"HTTP {status}", fields={"response_status": status}
    )


def _refuse(delivery: WebhookDelivery) -> str | None:
    return None if delivery.webhook.is_active else "The webhook was deactivated."


def _hold(delivery: WebhookDelivery, now: dt.datetime) -> dt.datetime | None:
    """Put a delivery off while its destination rests (the circuit breaker) or while its
    agency already has as many deliveries in flight as it may."""
    webhook = delivery.webhook
    if webhook.paused_until and webhook.paused_until > now:
        return webhook.paused_until
    in_flight = WebhookDelivery.objects.filter(
        webhook__agency_id=webhook.agency_id,
        delivered_at__isnull=True,
        claimed_until__gt=now,
    ).count()
    if in_flight >= settings.SOSA_WEBHOOK_IN_FLIGHT_PER_AGENCY:
        return now + dt.timedelta(seconds=30)
    return None


def _note_outcome(webhook: Webhook, outcome: engine.Outcome, now: dt.datetime) -> None:
    """The circuit breaker: a delivery resets the count; the Nth failure in a row rests the
    destination for a while (its deliveries wait, counted as no attempt)."""
    rows = Webhook.objects.filter(pk=webhook.pk)
    if outcome.went_out:
        rows.exclude(consecutive_failures=0, paused_until=None).update(
            consecutive_failures=0, paused_until=None
        )
        return
    rows.update(consecutive_failures=F("consecutive_failures") + 1)
    rows.filter(consecutive_failures__gte=settings.SOSA_WEBHOOK_BREAKER_FAILURES).update(
        consecutive_failures=0,
        paused_until=now + dt.timedelta(seconds=settings.SOSA_WEBHOOK_BREAKER_PAUSE_SECONDS),
    )


WEBHOOKS = engine.Channel(
    name="webhook deliveries",
    model=WebhookDelivery,
    done_field="delivered_at",
    attempt_of="delivery",
    task="requests_app.tasks.send_webhooks",
    related=("webhook",),
    attempt=attempt,
    refuse=_refuse,
    hold=_hold,
    # A POST gives up after TIMEOUT_SECONDS without a byte; a minute is far beyond any send.
    lease=dt.timedelta(minutes=1),
)
MAX_ATTEMPTS = engine.MAX_ATTEMPTS
deliver_one = partial(engine.deliver_one, WEBHOOKS)
deliver_for_events = partial(engine.deliver_for_events, WEBHOOKS)
deliver_due = partial(engine.deliver_due, WEBHOOKS)
oldest_unsent = partial(engine.oldest_unsent, WEBHOOKS)


def enqueue_sending(event_ids: list[int]) -> bool:
    return engine.enqueue_sending(WEBHOOKS, event_ids)


def after_commit_send(*, event_ids: Iterable[int]) -> None:
    """Once the transaction commits, ask a worker to POST the deliveries of these events."""
    # Looked up when the hook runs, so a test or a benchmark can swap `enqueue_sending`.
    engine.on_commit_send(event_ids, lambda ids: enqueue_sending(ids))
