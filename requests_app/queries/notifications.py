"""The notifications page's reads: a person's notices, filtered as its URL says, each with what
its line needs (its request, its event's actor) in the same query."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from ..choices import MENTION
from ..models import ALARM_KINDS, Notification

# `?show=`: all notices, the alarms (overdue, escalated, the requester's overdue answer), or
# the comments that name the person.
SHOWS: dict[str, Q] = {
    "": Q(),
    "overdue": Q(kind__in=sorted(ALARM_KINDS)),
    "mentions": Q(kind=MENTION),
}


def notices_of(user, *, show: str = "", unread: bool = False) -> QuerySet[Notification]:
    """The person's notices, newest first: those `show` names (an unknown name: all), only
    the unread ones when `unread`."""
    rows = Notification.objects.filter(SHOWS.get(show, Q()), recipient=user)
    if unread:
        rows = rows.filter(read_at__isnull=True)
    return rows.select_related("request", "event__actor").order_by("-created_at", "-id")
