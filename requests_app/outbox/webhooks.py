"""Webhook deliveries: the event's payload POSTed, signed, to an agency's URL."""

from __future__ import annotations

import hashlib
import hmac
import json
import urllib.error
import urllib.request
from collections.abc import Iterable
from functools import partial

from ..models import WebhookDelivery
from . import engine

TIMEOUT_SECONDS = 5
USER_AGENT = "SOSA-Portal-Webhooks/1"


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


def _attempt(delivery: WebhookDelivery) -> str:
    delivery.response_status, error = post(delivery)
    return error


def _refuse(delivery: WebhookDelivery) -> str | None:
    return None if delivery.webhook.is_active else "The webhook was deactivated."


WEBHOOKS = engine.Channel(
    name="webhook deliveries",
    model=WebhookDelivery,
    done_field="delivered_at",
    task="requests_app.tasks.send_webhooks",
    related=("webhook",),
    attempt=_attempt,
    refuse=_refuse,
    extra_fields=("response_status",),
)
MAX_ATTEMPTS = engine.MAX_ATTEMPTS
deliver_one = partial(engine.deliver_one, WEBHOOKS)
deliver_for_events = partial(engine.deliver_for_events, WEBHOOKS)
deliver_due = partial(engine.deliver_due, WEBHOOKS)


def enqueue_sending(event_ids: list[int]) -> bool:
    return engine.enqueue_sending(WEBHOOKS, event_ids)


def after_commit_send(*, event_ids: Iterable[int]) -> None:
    """Once the transaction commits, ask a worker to POST the deliveries of these events."""
    # Looked up when the hook runs, so a test or a benchmark can swap `enqueue_sending`.
    engine.on_commit_send(event_ids, lambda ids: enqueue_sending(ids))
