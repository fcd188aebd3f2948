"""Who hears of what: `record_events` turns saved events into notices for people and webhook
deliveries for agency systems, in the acting transaction, sent by `requests_app.outbox` after
commit. Actions, the sweep and the admin all call it; nothing else writes outbox rows.

Internal comments never leave the portal; a webhook hears only of requests both its agency's
nation and the person who registered it may see (`permissions.webhook_visibility_filter`, the
tenant rule itself, evaluated when the event is queued, in the same query).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Protocol

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils import translation

from partners.models import Agency, Profile, Role
from sosa_portal.lib.bulk import insert_rows

from ..choices import State, Visibility
from ..models import Comment, Event, Notification, PriorityRequest, Webhook, WebhookDelivery
from ..outbox import notices
from ..outbox import webhooks as webhook_outbox
from ..permissions import webhook_visibility_filter
from ..transitions import TRANSITIONS
from ..wording import standing

# A notice row as the sweep writes it in bulk (the database has no defaults for attempts,
# last_error).
NOTICE_FIELDS = [
    "recipient_id",
    "kind",
    "request_id",
    "event_id",
    "payload",
    "created_at",
    "attempts",
    "last_error",
]


EVENT_FIELDS = ["request_id", "actor_id", "action", "from_state", "to_state", "data", "created_at"]


def save_events(events: Sequence[Event]) -> None:
    """Insert many new events in one statement (no model save per row) and give each its id,
    as bulk_create would."""
    ids = insert_rows(
        Event,
        EVENT_FIELDS,
        [tuple(getattr(event, name) for name in EVENT_FIELDS) for event in events],
    )
    for event, pk in zip(events, ids, strict=True):
        event.pk = pk
        event._state.adding, event._state.db = False, connection.alias


def record_events(events: Sequence[Event], *, notice_rows: Sequence[tuple] = ()) -> None:
    """Fan saved events out: the notices of each action's audience (plus `notice_rows`,
    NOTICE_FIELDS tuples a caller worked out itself, as the sweep does for its rungs) and the
    deliveries of every webhook that may see the request; all sent after commit."""
    for event in events:
        if event.action in TRANSITIONS:
            queue_for_action(event.request, event)
    if notice_rows:
        insert_rows(Notification, NOTICE_FIELDS, list(notice_rows), ignore_conflicts=True)
        notices.after_commit_send(event_ids=sorted({row[3] for row in notice_rows}))
    queue_webhook_deliveries(events)


# --- notices -----------------------------------------------------------------------------------


# Parties on the responding side (or on both): only their requesting-side part hears of a
# request the responding nation has not received yet.
RESPONDING_PARTIES = frozenset(
    {"assignee", "responding_liaisons", "liaisons", "supplier", "senior", "rating_authority"}
)


class AudienceSubject(Protocol):
    """What the audience of a request is worked out from (the sweep passes light rows)."""

    @property
    def requesting_nation_id(self) -> int: ...
    @property
    def responding_nation_id(self) -> int: ...
    @property
    def supplier_id(self) -> int | None: ...
    @property
    def submitted_at(self) -> dt.datetime | None: ...
    @property
    def created_by_id(self) -> int: ...
    @property
    def assignee_id(self) -> int | None: ...


class AudienceIndex:
    """Who plays which part for a set of requests, read in up to three queries (sweeps batch
    this); only the parts that `parties` name (all by default) are read."""

    def __init__(self, requests: Iterable[AudienceSubject], parties: Iterable[str] | None = None):
        requests = list(requests)
        wanted = None if parties is None else set(parties)
        nation_ids = {r.requesting_nation_id for r in requests} | {
            r.responding_nation_id for r in requests
        }
        supplier_ids = {r.supplier_id for r in requests if r.supplier_id}
        self.liaisons: dict[tuple[int, int], set[int]] = defaultdict(set)
        self.seniors: dict[int, set[int]] = defaultdict(set)
        self.suppliers: dict[int, set[int]] = defaultdict(set)
        self.rating_authorities: dict[int, set[int]] = defaultdict(set)
        active = Q(user__is_active=True)
        if wanted is None or "rating_authority" in wanted:
            for user_id, nation_id in Profile.objects.filter(
                active,
                nation_id__in=nation_ids,
                user__groups__name=Role.REVIEWER,
                agency__kind=Agency.Kind.RATING_AUTHORITY,
            ).values_list("user_id", "nation_id"):
                self.rating_authorities[nation_id].add(user_id)
        if wanted is None or not wanted.isdisjoint(("responding_liaisons", "liaisons")):
            for user_id, nation_id, served_id in Profile.objects.filter(
                active,
                nation_id__in=nation_ids,
                user__groups__name=Role.LIAISON,
                served_nations__in=nation_ids,
            ).values_list("user_id", "nation_id", "served_nations"):
                self.liaisons[(nation_id, served_id)].add(user_id)
        if wanted is None or "senior" in wanted:
            for user_id, nation_id in Profile.objects.filter(
                active, nation_id__in=nation_ids, is_senior_contact=True
            ).values_list("user_id", "nation_id"):
                self.seniors[nation_id].add(user_id)
        if supplier_ids and (wanted is None or "supplier" in wanted):
            for user_id, supplier_id in Profile.objects.filter(
                active, supplier_id__in=supplier_ids, user__groups__name=Role.SUPPLIER
            ).values_list("user_id", "supplier_id"):
                self.suppliers[supplier_id].add(user_id)

    def users(self, request: AudienceSubject, parties: Iterable[str]) -> set[int]:
        """User ids for the named parties of a request."""
        req, resp = request.requesting_nation_id, request.responding_nation_id
        # Before endorsement the responding nation does not know the request exists.
        received = request.submitted_at is not None
        found: set[int] = set()
        for party in parties:
            if not received and party in RESPONDING_PARTIES:
                if party == "liaisons":
                    found |= self.liaisons[(req, resp)]
                elif party == "senior":
                    found |= self.seniors[req]
                continue
            if party in ("creator", "requester"):
                found.add(request.created_by_id)
            elif party == "assignee" and request.assignee_id:
                found.add(request.assignee_id)
            elif party == "responding_liaisons":
                found |= self.liaisons[(resp, req)]
            elif party == "liaisons":
                found |= self.liaisons[(resp, req)] | self.liaisons[(req, resp)]
            elif party == "supplier" and request.supplier_id:
                found |= self.suppliers[request.supplier_id]
            elif party == "senior":
                found |= self.seniors[req] | self.seniors[resp]
            elif party == "rating_authority":
                found |= self.rating_authorities[resp]
        return found


def audience(request: PriorityRequest, parties: Iterable[str]) -> set[int]:
    """User ids for the named parties of one request."""
    parties = tuple(parties)
    return AudienceIndex([request], parties).users(request, parties)


def queue(
    *,
    request: PriorityRequest,
    event: Event | None,
    kind: str,
    user_ids: Iterable[int],
    payload: dict,
) -> list[Notification]:
    """Write outbox rows (idempotent per event + recipient + kind)."""
    active = set(
        get_user_model()
        .objects.filter(pk__in=set(user_ids), is_active=True)
        .values_list("pk", flat=True)
    )
    rows = [
        Notification(recipient_id=uid, kind=kind, request=request, event=event, payload=payload)
        for uid in sorted(active)
    ]
    return Notification.objects.bulk_create(rows, ignore_conflicts=True)


def queue_for_action(request: PriorityRequest, event: Event) -> None:
    """The notices of one action's event: its audience (DESIGN §4's table), never the actor."""
    transition = TRANSITIONS.get(event.action)
    parties = transition.audience if transition else ()
    user_ids = audience(request, parties) - {event.actor_id}
    if not user_ids:
        return
    queue(
        request=request,
        event=event,
        kind=event.action,
        user_ids=user_ids,
        payload=notice_payload(request, kind=event.action),
    )
    notices.after_commit_send(event_ids=[event.pk])


def notice_payload(request: PriorityRequest, *, kind: str, clock=None) -> dict:
    """What a notice says, frozen at the time it was written."""
    if clock is not None:
        return deadline_payload(
            request,
            kind=kind,
            stage=clock.stage,
            due_at=clock.due_at,
            explanation=clock.explanation,
            explanation_words=clock.explanation_words,
            item_description=clock.item.description if clock.item_id is not None else None,
        )
    payload = _payload_head(request, kind)
    # An action's notice says what the approved request is; a deadline notice's explanation
    # already does (and the sweep reads no more of the request than it needs).
    if request.approved_at is not None and request.state != State.RESOLVED:
        nation = request.responding_nation
        facts = {
            "route": request.route,
            "rating": request.rating_display,
            "bis_case_number": request.bis_case_number,
            "nation": nation.name,
            "conduct_days": nation.conduct_response_working_days,
        }
        # The facts, for each recipient's language (`notice_wording.notice_standing`); the
        # sentence kept beside them is the portal's, whatever language the actor reads.
        payload["standing_of"] = facts
        with translation.override(settings.LANGUAGE_CODE):
            payload["standing"] = str(
                standing(
                    route=request.route,
                    rating_label=request.rating_display,
                    bis_case_number=request.bis_case_number,
                    nation_name=nation.name,
                    conduct_days=nation.conduct_response_working_days,
                )
            )
    if request.due_at:
        payload["due_at"] = request.due_at.isoformat()
    return payload


class NoticeSubject(Protocol):
    """What a deadline notice reads of its request (the sweep passes light rows)."""

    reference: str
    title: str
    state: str

    @property
    def rating_display(self) -> str: ...


def deadline_payload(
    request: NoticeSubject,
    *,
    kind: str,
    stage: str,
    due_at: dt.datetime,
    explanation: str,
    item_description: str | None,
    explanation_words=None,
) -> dict:
    """A deadline notice: the clock's stage, due time and its explanation (as words too, for
    each recipient's language); for one item's delivery clock (DESIGN §4a) the item."""
    payload = _payload_head(request, kind) | {
        "stage": stage,
        "due_at": due_at.isoformat(),
        "explanation": explanation,
    }
    if explanation_words:
        payload["explanation_words"] = explanation_words
    if item_description is not None:
        payload["item"] = item_description
    return payload


def _payload_head(request: NoticeSubject, kind: str) -> dict:
    return {
        "kind": kind,
        "reference": request.reference,
        "title": request.title,
        "state": request.state,
        "rating": request.rating_display,
    }


# --- webhook deliveries ------------------------------------------------------------------------


def leaves_the_portal(event: Event) -> bool:
    """Internal comments never leave in a webhook (only shared ones do), nor anything about a
    draft: no agency sees drafts (the tenant rule), so there is no webhook to look for."""
    if event.request.state == State.DRAFT:
        return False
    return event.action != "comment" or event.data.get("visibility") == Visibility.SHARED


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
            "body": comment_bodies.get(comment_id) if comment_id is not None else None,
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


def reader_of(webhook: Webhook) -> tuple[int, int | None]:
    """Webhooks that read the same requests: the same agency, registered by the same person."""
    return webhook.agency_id, webhook.created_by_id


def queue_webhook_deliveries(events: Sequence[Event]) -> int:
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
        ).select_related("agency", "created_by")
        if any(webhook.wants(event.action) for event in events)
    ]
    if not webhooks:
        return 0
    # The tenant rule itself, evaluated now: one boolean column per distinct reader (the
    # agency's nation, narrowed to what the person who registered the webhook may see).
    readers = {reader_of(webhook): webhook for webhook in webhooks}
    columns = {key: f"seen_by_{n}" for n, key in enumerate(readers)}
    rows = {
        row["pk"]: row
        for row in PriorityRequest.objects.filter(pk__in={event.request_id for event in events})
        .annotate(
            **{
                columns[key]: ExpressionWrapper(
                    webhook_visibility_filter(webhook), output_field=BooleanField()
                )
                for key, webhook in readers.items()
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
            if webhook.wants(event.action) and row[columns[reader_of(webhook)]]:
                payload = payload or event_payload(event, row, bodies)
                deliveries.append(WebhookDelivery(webhook=webhook, event=event, payload=payload))
    WebhookDelivery.objects.bulk_create(deliveries, ignore_conflicts=True)
    webhook_outbox.after_commit_send(
        event_ids=sorted({delivery.event_id for delivery in deliveries})
    )
    return len(deliveries)
