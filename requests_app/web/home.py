"""Home page for the signed-in role (DESIGN §8): what this person should look at first.

Everything is read through `PriorityRequest.objects.visible_to(user)` (the tenant rule); counts
come from one grouped or aggregate query, lists from one query each.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from partners.models import Role, calendar_for

from ..models import PriorityRequest, State
from ..permissions import is_admin, key_of, profile_of, user_role
from ..queries import dues
from ..queries.lists import delivery_progress_by_request
from ..queries.queue import needs_nation_q
from ..wording import delivered_text
from .request_display import with_due

# A requester's groups, in the order they read them: what waits for them first.
REQUESTER_ORDER = [
    State.NEEDS_INFO,
    State.DRAFT,
    State.AWAITING_ENDORSEMENT,
    State.SUBMITTED,
    State.IN_REVIEW,
    State.AWAITING_AUTHORISATION,
    State.APPROVED,
    State.WITH_SUPPLIER,
    State.ACCEPTED,
]
PER_GROUP = 10
TOP_OF_QUEUE = 10


@dataclass
class StateGroup:
    state: str
    label: str
    count: int
    requests: list[PriorityRequest]

    @property
    def more(self) -> int:
        return self.count - len(self.requests)

    @property
    def list_url(self) -> str:
        return "/requests/?" + urlencode({"state": self.state})


def _with_parties(requests: QuerySet) -> QuerySet:
    return requests.select_related(
        "requesting_nation", "responding_nation", "supplier", "assignee", "created_by"
    )


def _counts_by_state(visible: QuerySet) -> dict[str, int]:
    """One grouped query: state → number of requests."""
    rows = visible.order_by().values_list("state").annotate(n=Count("id"))
    return dict(rows)


def _state_tiles(counts: dict[str, int]) -> list[dict]:
    return [
        {
            "state": state,
            "label": label,
            "count": counts.get(state, 0),
            "url": "/requests/?" + urlencode({"state": state}),
        }
        for state, label in State.choices
        if state != State.DRAFT or counts.get(state)
    ]


def _requester(user, visible: QuerySet, now: dt.datetime) -> dict:
    counts = _counts_by_state(visible)
    # The first PER_GROUP of each open state in one query (a window per state).
    ranked = _with_parties(
        visible.exclude(state=State.RESOLVED)
        .annotate(
            place=Window(
                RowNumber(),
                partition_by=[F("state")],
                order_by=[F("due_at").asc(nulls_last=True), F("created_at").desc(), F("id")],
            )
        )
        .filter(place__lte=PER_GROUP)
        .order_by("state", "place")
    )
    by_state: dict[str, list[PriorityRequest]] = {}
    for request in with_due(ranked, now):
        by_state.setdefault(request.state, []).append(request)
    accepted = by_state.get(State.ACCEPTED, [])
    progress = delivery_progress_by_request([request.pk for request in accepted])
    for request in accepted:
        request.delivered_text = delivered_text(progress.get(request.pk))
    labels = dict(State.choices)
    groups = [
        StateGroup(state, labels[state], counts.get(state, 0), by_state.get(state, []))
        for state in REQUESTER_ORDER
        if counts.get(state)
    ]
    return {
        "needs_answer": next((g for g in groups if g.state == State.NEEDS_INFO), None),
        "groups": [g for g in groups if g.state != State.NEEDS_INFO],
        "resolved_count": counts.get(State.RESOLVED, 0),
        "open_count": sum(n for state, n in counts.items() if state != State.RESOLVED),
    }


def _liaison(user, visible: QuerySet, now: dt.datetime) -> dict:
    open_requests = visible.exclude(state=State.RESOLVED)
    stats = open_requests.aggregate(
        to_endorse=Count("id", filter=Q(state=State.AWAITING_ENDORSEMENT)),
        new=Count("id", filter=Q(state=State.SUBMITTED)),
        due_soon=Count("id", filter=dues.due_soon_q(now)),
        overdue=Count("id", filter=dues.overdue_q(now)),
        escalated=Count("id", filter=dues.ESCALATED_Q),
        open=Count("id"),
    )
    profile = profile_of(user)
    endorses = bool(profile and profile.nation.requires_endorsement)
    tiles = [
        *([("to_endorse", "view=all&state=awaiting_endorsement", "")] if endorses else []),
        ("new", "view=awaiting_triage", ""),
        ("due_soon", "view=all&due_soon=true", "warn"),
        ("overdue", "view=overdue", "bad"),
        ("escalated", "view=escalated", "bad"),
    ]
    # The queue's "Needs us now" rows: what the officer's nation must act on first.
    needing = (
        open_requests.filter(needs_nation_q(profile.nation_id, now)) if profile else open_requests
    )
    return {
        "stats": stats,
        "queue_tiles": [
            {"key": key, "count": stats[key], "url": f"/queue/?{query}", "tone": tone}
            for key, query, tone in tiles
        ],
        "top": with_due(_with_parties(needing.by_priority())[:TOP_OF_QUEUE], now),
    }


def _reviewer(user, visible: QuerySet, now: dt.datetime) -> dict:
    """A reviewer's work: Commerce authorises what waits for its key (nobody is assigned to
    it); the DoD determines, and a partner's MoD reviews, what is assigned to them."""
    key = key_of(user)
    if key == "authorisation":
        waiting = mine = visible.filter(state=State.AWAITING_AUTHORISATION)
    else:
        mine = visible.filter(assignee=user).exclude(state=State.RESOLVED)
        waiting = mine.filter(state=State.IN_REVIEW)
    stats = mine.aggregate(
        in_review=Count("id", filter=Q(pk__in=waiting.values("pk"))),
        overdue=Count("id", filter=Q(pk__in=waiting.values("pk")) & dues.overdue_q(now)),
        waiting_answer=Count("id", filter=Q(state=State.NEEDS_INFO)),
    )
    return {
        "stats": stats,
        "key": key,
        "assigned": with_due(_with_parties(waiting.by_priority()), now),
    }


def _working_days_left(request: PriorityRequest, now: dt.datetime, calendars: dict) -> int | None:
    """Working days of the responding nation from today until the due day (negative: late)."""
    if request.due_at is None:
        return None
    nation = request.responding_nation
    if nation.pk not in calendars:
        calendars[nation.pk] = calendar_for(nation)
    calendar = calendars[nation.pk]
    return calendar.working_days_between(
        calendar.local_date(now), calendar.local_date(request.due_at)
    )


def _supplier(user, visible: QuerySet, now: dt.datetime) -> dict:
    profile = profile_of(user)
    ours = visible.filter(supplier_id=profile.supplier_id if profile else None)
    stats = ours.aggregate(
        awaiting=Count("id", filter=Q(state=State.WITH_SUPPLIER)),
        overdue=Count("id", filter=Q(state=State.WITH_SUPPLIER) & dues.overdue_q(now)),
        accepted=Count("id", filter=Q(state=State.ACCEPTED)),
    )
    calendars: dict = {}
    nation = profile.nation if profile else None
    conduct = nation if nation and nation.relies_on_code_of_conduct else None
    awaiting = with_due(_with_parties(ours.filter(state=State.WITH_SUPPLIER).by_priority()), now)
    for request in awaiting:
        request.working_days_left = _working_days_left(request, now, calendars)
    committed = list(
        _with_parties(ours.filter(state=State.ACCEPTED)).order_by(
            F("committed_delivery_date").asc(nulls_last=True), "id"
        )[:PER_GROUP]
    )
    return {"stats": stats, "awaiting": awaiting, "committed": committed, "conduct": conduct}


def _overview(user, visible: QuerySet, now: dt.datetime) -> dict:
    counts = _counts_by_state(visible)
    return {"state_tiles": _state_tiles(counts), "total": sum(counts.values())}


BY_ROLE = {
    Role.REQUESTER: _requester,
    Role.LIAISON: _liaison,
    Role.REVIEWER: _reviewer,
    Role.SUPPLIER: _supplier,
    Role.OBSERVER: _overview,
}


@login_required
def home(request):
    user, now = request.user, timezone.now()
    role = user_role(user)
    build = BY_ROLE.get(role) or (_overview if is_admin(user) else None)
    context = {"home_role": role, "is_admin": is_admin(user), "now": now}
    if build is not None and (profile_of(user) is not None or is_admin(user)):
        visible = PriorityRequest.objects.visible_to(user)
        context |= {"view": build.__name__.strip("_"), **build(user, visible, now)}
    return render(request, "requests/home.html", context)


urlpatterns = [path("", home, name="home")]
