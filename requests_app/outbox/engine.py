"""One claim/backoff/deliver engine for every outbox row (notices and webhook deliveries).

A send never happens inside a transaction. Each attempt is three steps:

1. **claim**, committed: one conditional `UPDATE` counts the attempt and takes a lease on the
   row (`attempts + 1`, `claimed_until`) only if it is still pending, due, unclaimed and
   unchanged since it was read; an `OutboxAttempt` row logs the attempt. Exactly one claimer
   wins, on PostgreSQL and on SQLite (where `SELECT … FOR UPDATE` does nothing).
2. **send**, outside any transaction, under the row's stable id (the notice's `Message-ID`,
   the delivery's `X-SOSA-Delivery`).
3. **record**, in a second short transaction: the outcome (done, or the error and the next
   retry), the lease cleared.

A worker that dies between 1 and 3 leaves the row claimed and counted; once the lease runs out
another worker tries again. So every row goes out at least once, a duplicate can only be a row
that was in flight when its worker died, and the receiver recognises it by the same id.
"""

from __future__ import annotations

import datetime as dt
import logging
import socket
import ssl
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import structlog
from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from sosa_portal.lib.net import AddressRefused

from ..models import OutboxAttempt

logger = logging.getLogger(__name__)
events = structlog.get_logger("sosa.outbox")  # docs/ops/logging.md

MAX_ATTEMPTS = 5
SEND_CHUNK = 200
# The outcomes of the attempt log the engine writes itself; the channels add their own.
SENDING = "sending"
INTERRUPTED = "interrupted"
DELIVERED = "delivered"


@dataclass(frozen=True)
class Outcome:
    """What one send came to."""

    label: str  # coarse, for the attempt log: "delivered", "timeout", "http 500"…
    error: str = ""  # the detail kept in `last_error`; "" when the row went out
    fields: dict[str, Any] = field(default_factory=dict)  # channel columns (response_status)

    @property
    def went_out(self) -> bool:
        return not self.error


@dataclass(frozen=True)
class Channel:
    """One kind of outbox row and how to send it."""

    name: str  # for logs: "notices", "webhook deliveries"
    model: Any  # a model class with the outbox columns (attempts, claimed_until, failed_at…)
    done_field: str  # the time it went out: sent_at / delivered_at
    attempt_of: str  # the OutboxAttempt field naming a row of this channel
    task: str  # the Celery task that sends the rows of some events
    related: tuple[str, ...]  # select_related of a row to send
    attempt: Callable[[Any], Outcome]  # send one claimed row; never raises
    # A reason never to send this row (a deactivated webhook), checked before each attempt.
    refuse: Callable[[Any], str | None] = lambda row: None
    # A time to try again instead of now (a destination resting after failures, too many in
    # flight): the row is put off without an attempt being counted.
    hold: Callable[[Any, dt.datetime], dt.datetime | None] = lambda row, now: None
    # Columns that hand the row over to another sender instead of this one (a notice held for
    # its person's digest), written like a refusal; `scope` then leaves such rows out.
    set_aside: Callable[[Any, dt.datetime], dict[str, Any] | None] = lambda row, now: None
    scope: Q = field(default_factory=Q)
    # Values read with the row to send, in the same query (a notice's delivery preference).
    annotations: dict[str, Any] = field(default_factory=dict)
    # How long a claim holds: longer than any send takes, or a live worker's row is re-sent.
    lease: dt.timedelta = dt.timedelta(minutes=5)


def backoff(attempts: int) -> dt.timedelta:
    """1, 2, 4, 8 … minutes between attempts, capped at an hour."""
    return dt.timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


def failure_label(exc: BaseException) -> str:
    """A coarse name for a transport error, for the attempt log (never the raw text)."""
    reason = getattr(exc, "reason", None)  # urllib's URLError wraps the socket error
    if isinstance(reason, BaseException):
        exc = reason
    if isinstance(exc, AddressRefused):
        return "refused: not a public address"
    if isinstance(exc, TimeoutError):
        return "timeout"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, socket.gaierror):
        return "unknown host"
    if isinstance(exc, ssl.SSLError):
        return "tls error"
    if isinstance(exc, ConnectionError):
        return "connection lost"
    return "network error" if isinstance(exc, OSError) else "error"


def pending(channel: Channel, now: dt.datetime):
    """Rows not yet out nor given up, whose (retry) time has come and that no live worker
    holds: the rows a worker may claim."""
    return channel.model.objects.filter(
        channel.scope,
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
        Q(claimed_until__isnull=True) | Q(claimed_until__lte=now),
        **{f"{channel.done_field}__isnull": True},
        failed_at__isnull=True,
        attempts__lt=MAX_ATTEMPTS,
    )


def oldest_unsent(channel: Channel) -> dt.datetime | None:
    """When the oldest row still to go out was written (None: nothing waits), retries and rows
    put off included: how far the outbox lags. Given-up rows and rows handed to another sender
    (a digest) are not waiting on this one."""
    return (
        channel.model.objects.filter(
            channel.scope, **{f"{channel.done_field}__isnull": True}, failed_at__isnull=True
        )
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )


def deliver_one(channel: Channel, pk: int, *, now: dt.datetime | None = None) -> bool:
    """Send one row unless it is out, given up, not yet due or held by another worker; True
    when this call got it out. Call it outside a transaction: the claim commits before the
    send and the outcome after it, so a worker that dies mid-send is visible and retried."""
    now = now or timezone.now()
    row = (
        pending(channel, now)
        .select_related(*channel.related)
        .annotate(**channel.annotations)
        .filter(pk=pk)
        .first()
    )
    if row is None:
        return False
    # Each of these writes only while the row is pending and nobody claimed it since the read.
    unclaimed = pending(channel, now).filter(pk=pk, attempts=row.attempts)
    refusal = channel.refuse(row)
    if refusal:
        unclaimed.update(failed_at=now, last_error=refusal)
        return False
    later = channel.hold(row, now)
    if later is not None:
        unclaimed.update(next_attempt_at=later)
        return False
    aside = channel.set_aside(row, now)
    if aside:
        unclaimed.update(**aside)
        return False
    attempt = _claim(channel, row, now)
    if attempt is None:
        return False
    return _record(channel, row, attempt, channel.attempt(row), now)


def _claim(channel: Channel, row: Any, now: dt.datetime) -> OutboxAttempt | None:
    """Count the attempt and take the lease, committed, or None when another worker did."""
    lease = channel.lease
    if settings.SOSA_OUTBOX_LEASE_SECONDS:  # the operator's, for every channel
        lease = dt.timedelta(seconds=settings.SOSA_OUTBOX_LEASE_SECONDS)
    lease_until = max(now, timezone.now()) + lease
    with transaction.atomic():
        # `attempts` unchanged since the read: nobody claimed (or recorded) in between.
        won = (
            pending(channel, now)
            .filter(pk=row.pk, attempts=row.attempts)
            .update(attempts=F("attempts") + 1, claimed_until=lease_until)
        )
        if not won:
            return None
        if row.claimed_until is not None:  # the lease of a worker that stopped ran out
            OutboxAttempt.objects.filter(**{channel.attempt_of: row.pk}, outcome=SENDING).update(
                outcome=INTERRUPTED
            )
        row.attempts += 1
        row.claimed_until = lease_until
        return OutboxAttempt.objects.create(
            **{channel.attempt_of: row}, number=row.attempts, started_at=now, outcome=SENDING
        )


def _record(
    channel: Channel, row: Any, attempt: OutboxAttempt, outcome: Outcome, now: dt.datetime
) -> bool:
    """Write what the attempt came to and release the row; True when it went out."""
    went = _write_outcome(channel, row, attempt, outcome, now)
    events.info(
        "outbox.sent" if went else "outbox.failed",
        channel=channel.name,
        row=row.pk,
        attempt=row.attempts,
        outcome=outcome.label[:40],
        given_up=not went and row.attempts >= MAX_ATTEMPTS,
    )
    return went


def _write_outcome(
    channel: Channel, row: Any, attempt: OutboxAttempt, outcome: Outcome, now: dt.datetime
) -> bool:
    model, done = channel.model, channel.done_field
    unsent = model.objects.filter(pk=row.pk, **{f"{done}__isnull": True})
    mine = model.objects.filter(pk=row.pk, attempts=row.attempts)  # no one claimed it since
    with transaction.atomic():
        OutboxAttempt.objects.filter(pk=attempt.pk).update(
            outcome=outcome.label[:40], finished_at=max(now, timezone.now())
        )
        if outcome.went_out:
            went_out = {
                done: now,
                "failed_at": None,
                "next_attempt_at": None,
                "last_error": "",
                **outcome.fields,
            }
            # Out is out, even when the lease ran out mid-send and another worker retries.
            if not unsent.filter(attempts=row.attempts).update(**went_out, claimed_until=None):
                unsent.update(**went_out)
                mine.update(claimed_until=None)
            return True
        failed = row.attempts >= MAX_ATTEMPTS
        if not unsent.filter(attempts=row.attempts).update(
            last_error=outcome.error[:2000],
            failed_at=now if failed else None,
            next_attempt_at=None if failed else now + backoff(row.attempts),
            claimed_until=None,
            **outcome.fields,
        ):
            mine.update(claimed_until=None)
        return False


def give_up_interrupted(channel: Channel, now: dt.datetime) -> int:
    """Fail the rows whose last allowed attempt never reported (its worker stopped)."""
    stopped = channel.model.objects.filter(
        **{f"{channel.done_field}__isnull": True},
        failed_at__isnull=True,
        attempts__gte=MAX_ATTEMPTS,
        claimed_until__lte=now,
    )
    pks = list(stopped.values_list("pk", flat=True))
    if not pks:
        return 0
    with transaction.atomic():
        given_up = stopped.filter(pk__in=pks).update(
            failed_at=now,
            claimed_until=None,
            last_error="The last attempt was interrupted: its worker stopped mid-send.",
        )
        OutboxAttempt.objects.filter(
            **{f"{channel.attempt_of}__in": pks, f"{channel.attempt_of}__failed_at__isnull": False},
            outcome=SENDING,
        ).update(outcome=INTERRUPTED)
    return given_up


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
    """The periodic re-send: pending rows older than the grace period whose time came, and
    rows whose worker stopped mid-send once their lease ran out."""
    now = now or timezone.now()
    give_up_interrupted(channel, now)
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
