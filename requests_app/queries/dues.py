"""The one definition of "due soon", "overdue" and "escalated" (DESIGN §5), for every list,
filter, count, badge and page — as a database filter and as a test on values already read.

- overdue: the request's due time has passed (`due_at < now`);
- due soon: the ladder's level 0 (one working day before due) was reached and it is not overdue;
- escalated: level 2 reached (the sweep sets both; `escalated_at` stays until resolved).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import Q

if TYPE_CHECKING:
    from ..models import PriorityRequestQuerySet as Requests

ESCALATED_Q = Q(escalation_level=2) | Q(escalated_at__isnull=False)


def overdue_q(now: dt.datetime) -> Q:
    return Q(due_at__lt=now)


def due_soon_q(now: dt.datetime) -> Q:
    return Q(escalation_level=0, due_at__gte=now)


def is_overdue(due_at: dt.datetime | None, now: dt.datetime) -> bool:
    return due_at is not None and due_at < now


def is_due_soon(*, level: int | None, due_at: dt.datetime | None, now: dt.datetime) -> bool:
    return level == 0 and due_at is not None and not is_overdue(due_at, now)


def is_escalated(*, level: int | None, escalated_at: dt.datetime | None) -> bool:
    return level == 2 or escalated_at is not None


def overdue(requests: Requests, now: dt.datetime) -> Requests:
    """Open requests whose due time has passed."""
    return requests.open().filter(overdue_q(now))


def due_soon(requests: Requests, now: dt.datetime) -> Requests:
    return requests.open().filter(due_soon_q(now))


def escalated(requests: Requests) -> Requests:
    return requests.open().filter(ESCALATED_Q)
