"""The liaison officer's queue views (issue 16 point 2): "Needs us now" — what the officer's
nation must act on — and the other saved views, each a filter on the visible open requests;
their counts in one statement.

"Needs us now" for a nation: its own requests to endorse, the requests it answers that wait to
be triaged or forwarded, and any request overdue at a stage this nation must act on (its
requester's answer, or the responding side's determination, authorisation or supplier). The
stage's acting nation is the one whose working days its clock counts (`deadlines`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ..choices import State
from ..deadlines import ROUTE_SLA
from ..models import PriorityRequest, Watch
from . import dues
from .cursors import after_position

StrOrPromise = str | Promise
# Open states whose clock counts the requesting nation's days: that nation's move.
REQUESTING_SIDE_STATES = sorted(
    {
        state
        for table in ROUTE_SLA.values()
        for state, rule in table.items()
        if rule.requesting_calendar
    }
)


def needs_nation_q(nation_id: int, now: dt.datetime) -> Q:
    endorse = Q(state=State.AWAITING_ENDORSEMENT, requesting_nation_id=nation_id)
    triage_or_forward = Q(
        state__in=[State.SUBMITTED, State.APPROVED], responding_nation_id=nation_id
    )
    acting = Q(state__in=REQUESTING_SIDE_STATES, requesting_nation_id=nation_id) | (
        ~Q(state__in=REQUESTING_SIDE_STATES) & Q(responding_nation_id=nation_id)
    )
    return endorse | triage_or_forward | (dues.overdue_q(now) & acting)


@dataclass(frozen=True)
class QueueView:
    key: str
    label: StrOrPromise
    description: StrOrPromise


VIEWS = (
    QueueView(
        "needs_us",
        _("Needs us now"),
        _("What your nation must act on: to endorse, triage or forward, or overdue with you."),
    ),
    QueueView("all", _("All open"), _("Every open request you can see.")),
    QueueView("awaiting_triage", _("Awaiting triage"), _("Submitted, not yet accepted.")),
    QueueView("overdue", _("Overdue"), _("Past their due time, whoever must act.")),
    QueueView("escalated", _("Escalated"), _("Escalated to the second level.")),
    QueueView("mine", _("Assigned to me"), _("Requests assigned to you.")),
    QueueView("watching", _("Watching"), _("Requests you chose to watch.")),
)
VIEW_KEYS = {view.key for view in VIEWS}
DEFAULT_VIEW = "needs_us"


def apply_view(requests, key: str, *, user, nation_id: int | None, now: dt.datetime):
    """`requests` (the visible open ones) narrowed to the view `key`."""
    if key == "needs_us":
        return requests if nation_id is None else requests.filter(needs_nation_q(nation_id, now))
    if key == "awaiting_triage":
        return requests.filter(state=State.SUBMITTED)
    if key == "overdue":
        return requests.filter(dues.overdue_q(now))
    if key == "escalated":
        return requests.filter(dues.ESCALATED_Q)
    if key == "mine":
        return requests.filter(assignee_id=user.pk)
    if key == "watching":
        return requests.filter(
            Exists(Watch.objects.filter(user_id=user.pk, request=OuterRef("pk")))
        )
    return requests


def bounded_counts(named: dict[str, object], count_limit: int) -> dict[str, int | None]:
    """How many rows each queryset matches, none counted past `count_limit` (None: more), all in
    one statement: a bounded COUNT per queryset as a scalar subquery."""
    if not named:
        return {}
    parts, params = [], []
    for rows in named.values():
        sql, values = (
            rows.order_by().values("pk")[: count_limit + 1].query.sql_with_params()  # type: ignore[attr-defined]
        )
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS counted)")
        params.extend(values)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        row = cursor.fetchone()
    return {
        name: (found if found <= count_limit else None)
        for name, found in zip(named, row, strict=True)
    }


def first_needing(user, nation_id: int, now: dt.datetime, *, after: PriorityRequest | None):
    """The request "Next in queue" opens: the next one needing the nation in priority order
    after `after`'s place, else the first; never `after` itself. None: nothing needs it."""
    needing = (
        PriorityRequest.objects.visible_to(user)
        .open()
        .filter(needs_nation_q(nation_id, now))
        .by_priority()
        .only("reference")
    )
    if after is not None:
        needing = needing.exclude(pk=after.pk)
        position = [after.priority_rank, after.due_at, after.pk]
        following = needing.filter(after_position("priority", position)).first()
        if following is not None:
            return following
    return needing.first()
