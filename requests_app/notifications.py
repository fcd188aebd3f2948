"""The outbox: who hears of what. Rows are written in the acting transaction, sent after commit."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db.models import Q

from partners.models import Profile, Role

from .models import Event, Notification, PriorityRequest

# Who hears of each action (the actor never notifies themselves).
ACTION_AUDIENCE: dict[str, tuple[str, ...]] = {
    "submit": ("responding_liaisons",),
    "request_info": ("creator",),
    "answer": ("assignee", "responding_liaisons"),
    "triage": ("assignee",),
    "rate": ("responding_liaisons",),
    "decline": ("creator",),
    "forward": ("supplier",),
    "supplier_accept": ("creator", "assignee", "responding_liaisons"),
    "supplier_reject": ("creator", "assignee", "responding_liaisons"),
    "report_delay": ("creator", "assignee", "responding_liaisons"),
    "fulfil": ("creator", "assignee", "responding_liaisons"),
    "close_unfulfilled": ("creator", "assignee"),
    "withdraw": ("assignee", "responding_liaisons"),
}


def _liaisons(nation_id: int, partner_id: int) -> Q:
    return Q(nation_id=nation_id, served_nations=partner_id, user__groups__name=Role.LIAISON)


def audience(request: PriorityRequest, parties: Iterable[str]) -> set[int]:
    """User ids for the named parties of a request."""
    user_ids: set[int] = set()
    profile_filter = Q(pk__in=[])
    req, resp = request.requesting_nation_id, request.responding_nation_id
    for party in parties:
        if party in ("creator", "requester"):
            user_ids.add(request.created_by_id)
        elif party == "assignee" and request.assignee_id:
            user_ids.add(request.assignee_id)
        elif party == "responding_liaisons":
            profile_filter |= _liaisons(resp, req)
        elif party == "liaisons":
            profile_filter |= _liaisons(resp, req) | _liaisons(req, resp)
        elif party == "supplier" and request.supplier_id:
            profile_filter |= Q(supplier_id=request.supplier_id, user__groups__name=Role.SUPPLIER)
        elif party == "senior":
            profile_filter |= Q(is_senior_contact=True, nation_id__in=[req, resp])
    if profile_filter != Q(pk__in=[]):
        user_ids |= set(
            Profile.objects.filter(profile_filter, user__is_active=True).values_list(
                "user_id", flat=True
            )
        )
    return user_ids


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
    parties = ACTION_AUDIENCE.get(event.action, ())
    user_ids = audience(request, parties) - {event.actor_id}
    if not user_ids:
        return
    queue(
        request=request,
        event=event,
        kind=event.action,
        user_ids=user_ids,
        payload={
            "reference": request.reference,
            "title": request.title,
            "action": event.action,
            "state": event.to_state,
        },
    )
