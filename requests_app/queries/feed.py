"""The cross-request event feed an agency system polls (`GET /api/v1/events/?after=…`): every
event of the requests the caller may see, under the same reading rule as a request's own
events, in an order a poller can follow without missing or repeating one.

Ids are handed out when a row is inserted, not when its transaction commits, so "after id N"
can skip an event that commits late with a lower id. The feed therefore reads in the order of
the writing transaction, then id — `(tx, id)` — and on PostgreSQL only up to the oldest
transaction still running (`pg_snapshot_xmin`): every transaction below it has finished, and any
that commits later has a higher `tx`, so it sorts after every cursor already handed out. On
SQLite writers run one at a time (IMMEDIATE transactions), `tx` is 0 and id order is commit order.
The horizon is the whole PostgreSQL cluster's: a long transaction (in any of its databases)
holds the feed back until it ends; it never makes it skip.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass

from django.db import connection
from django.db.models import BigIntegerField, Q, QuerySet
from django.db.models.expressions import RawSQL

from ..models import Event, PriorityRequest
from .cursors import after as after_position
from .timeline import mask_unseen_references, readable_by

FEED_ORDERING = "feed"
HORIZON_SQL = "pg_snapshot_xmin(pg_current_snapshot())::text::bigint"
# The reader's own transaction, if it wrote anything (never so for an API read; a test that
# writes and reads in one transaction sees its own events).
OWN_TX_SQL = "pg_current_xact_id_if_assigned()::text::bigint"


class InvalidFeedCursor(ValueError):
    """A cursor this feed did not make."""


@dataclass
class FeedPage:
    events: list[Event]
    cursor: str  # where the next poll starts: after the last event here, or where this one did
    has_more: bool


def encode(tx: int, pk: int) -> str:
    raw = json.dumps([tx, pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(raw: str) -> tuple[int, int]:
    try:
        tx, pk = json.loads(base64.urlsafe_b64decode(raw.encode() + b"=" * (-len(raw) % 4)))
    except (ValueError, TypeError):
        raise InvalidFeedCursor("Invalid cursor.") from None
    if not all(type(v) is int and 0 <= v < 2**63 for v in (tx, pk)):
        raise InvalidFeedCursor("Invalid cursor.")
    return tx, pk


def readable_events(user) -> QuerySet:
    """Every event this user may read, of every request they may see (DESIGN §2)."""
    _comments, events = readable_by(user)
    return Event.objects.filter(events, request__in=PriorityRequest.objects.visible_to(user))


def settled(events: QuerySet) -> QuerySet:
    """Only events no later commit can come before (see the module's docstring)."""
    if connection.vendor != "postgresql":
        return events
    number = BigIntegerField()
    return events.filter(
        Q(tx__lt=RawSQL(HORIZON_SQL, [], output_field=number))
        | Q(tx=RawSQL(OWN_TX_SQL, [], output_field=number))
    )


def page(user, *, after: str | None, size: int) -> FeedPage:
    """Up to `size` events after the cursor `after` (from the beginning without one)."""
    events = settled(readable_events(user)).select_related("actor", "request")
    if after:
        tx, pk = decode(after)
        events = events.filter(_after(tx, pk))
    rows = list(events.order_by("tx", "id")[: size + 1])
    shown = mask_unseen_references(rows[:size], user)
    cursor = encode(shown[-1].tx, shown[-1].pk) if shown else (after or encode(0, 0))
    return FeedPage(events=shown, cursor=cursor, has_more=len(rows) > size)


def _after(tx: int, pk: int):
    return after_position(Event, FEED_ORDERING, [tx, pk])
