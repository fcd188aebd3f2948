"""One claim/backoff/deliver engine for every outbox row (notices and webhook deliveries)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
SEND_CHUNK = 200


@dataclass(frozen=True)
class Channel:
    """One kind of outbox row and how to send it."""

    name: str  # for logs: "notices", "webhook deliveries"
    model: Any  # a model class with the outbox columns (attempts, failed_at, next_attempt_at…)
    done_field: str  # the time it went out: sent_at / delivered_at
    task: str  # the Celery task that sends the rows of some events
    related: tuple[str, ...]  # select_related of a claimed row
    # Send one claimed row: "" when it went out, else the error (the row may note more fields).
    attempt: Callable[[Any], str]
    # A reason never to send this row (a deactivated webhook), checked before each attempt.
    refuse: Callable[[Any], str | None] = lambda row: None
    extra_fields: tuple[str, ...] = ()  # fields `attempt` writes besides the engine's own


def backoff(attempts: int) -> dt.timedelta:
    """1, 2, 4, 8 … minutes between attempts, capped at an hour."""
    return dt.timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


def pending(channel: Channel, now: dt.datetime):
    """Rows not yet out nor given up, whose (retry) time has come."""
    return channel.model.objects.filter(
        **{f"{channel.done_field}__isnull": True}, failed_at__isnull=True
    ).filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))


def deliver_one(channel: Channel, pk: int, *, now: dt.datetime | None = None) -> bool:
    """Send one row unless another worker holds it or it is done. True when it went out."""
    with transaction.atomic():
        row = (
            channel.model.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related(*channel.related)
            .filter(pk=pk, **{f"{channel.done_field}__isnull": True}, failed_at__isnull=True)
            .first()
        )
        if row is None:
            return False
        now = now or timezone.now()
        refusal = channel.refuse(row)
        if refusal:
            row.failed_at, row.last_error = now, refusal
            row.save(update_fields=["failed_at", "last_error"])
            return False
        row.attempts += 1
        row.last_error = channel.attempt(row)[:2000]
        if not row.last_error:
            setattr(row, channel.done_field, now)
            row.next_attempt_at = None
        elif row.attempts >= MAX_ATTEMPTS:
            row.failed_at, row.next_attempt_at = now, None
        else:
            row.next_attempt_at = now + backoff(row.attempts)
        fields = ["attempts", "last_error", channel.done_field, "failed_at", "next_attempt_at"]
        row.save(update_fields=[*fields, *channel.extra_fields])
        return getattr(row, channel.done_field) is not None


def deliver_for_events(
    channel: Channel, event_ids: Iterable[int], *, now: dt.datetime | None = None
) -> int:
    """Send the pending rows of these events whose (retry) time has come."""
    now = now or timezone.now()
    pks = list(
        pending(channel, now)
        .filter(event_id__in=list(event_ids))
        .order_by("id")
        .values_list("pk", flat=True)
    )
    return sum(deliver_one(channel, pk, now=now) for pk in pks)


def deliver_due(
    channel: Channel,
    *,
    now: dt.datetime | None = None,
    limit: int = 500,
    grace_seconds: int | None = None,
) -> int:
    """The periodic re-send: pending rows older than the grace period whose time came."""
    now = now or timezone.now()
    if grace_seconds is None:
        grace_seconds = settings.SOSA_OUTBOX_GRACE_SECONDS
    pks = list(
        pending(channel, now)
        .filter(created_at__lte=now - dt.timedelta(seconds=grace_seconds))
        .order_by("created_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(deliver_one(channel, pk, now=now) for pk in pks)


def on_commit_send(event_ids: Iterable[int], send: Callable[[list[int]], bool]) -> None:
    """Once the transaction commits, `send` the ids of these events (none: nothing to do)."""
    ids = [pk for pk in event_ids if pk]
    if ids:
        transaction.on_commit(lambda: send(ids))


def enqueue_sending(channel: Channel, event_ids: list[int]) -> bool:
    """Queue the channel's send task, by name; with the broker down the outbox keeps the rows
    and the periodic re-send delivers them later, so a failure here is logged, never raised."""
    try:
        task = current_app.tasks[channel.task]
        for start in range(0, len(event_ids), SEND_CHUNK):
            task.delay(event_ids[start : start + SEND_CHUNK])
        return True
    except Exception:  # broker unreachable: nothing is lost, the outbox holds the rows
        logger.warning(
            "Broker unreachable; %d events' %s left to the re-send", len(event_ids), channel.name
        )
        return False
