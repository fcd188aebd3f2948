"""The outbox: who hears of what. Rows are written in the acting transaction, sent after commit."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy

from partners.models import Profile, Role

from .models import Event, Notification, PriorityRequest, State

logger = logging.getLogger(__name__)

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
    "close_unfulfilled": ("creator", "assignee", "supplier"),
    "withdraw": ("assignee", "responding_liaisons", "supplier"),
}


class AudienceIndex:
    """Who plays which part for a set of requests, read in up to three queries (sweeps batch
    this); only the parts that `parties` name (all by default) are read."""

    def __init__(self, requests: Iterable[PriorityRequest], parties: Iterable[str] | None = None):
        requests = list(requests)
        wanted = None if parties is None else set(parties)
        nation_ids = {r.requesting_nation_id for r in requests} | {
            r.responding_nation_id for r in requests
        }
        supplier_ids = {r.supplier_id for r in requests if r.supplier_id}
        self.liaisons: dict[tuple[int, int], set[int]] = defaultdict(set)
        self.seniors: dict[int, set[int]] = defaultdict(set)
        self.suppliers: dict[int, set[int]] = defaultdict(set)
        active = Q(user__is_active=True)
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

    def users(self, request: PriorityRequest, parties: Iterable[str]) -> set[int]:
        """User ids for the named parties of a request."""
        req, resp = request.requesting_nation_id, request.responding_nation_id
        found: set[int] = set()
        for party in parties:
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
    parties = ACTION_AUDIENCE.get(event.action, ())
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
    after_commit_send(event_ids=[event.pk])


# --- delivery --------------------------------------------------------------------------------

MAX_ATTEMPTS = 5
SEND_CHUNK = 200


def notice_payload(request: PriorityRequest, *, kind: str, clock=None) -> dict:
    """What a notice says, frozen at the time it was written."""
    payload = {
        "kind": kind,
        "reference": request.reference,
        "title": request.title,
        "state": request.state,
        "rating": request.rating_display,
    }
    if clock is not None:
        payload |= {
            "stage": clock.stage,
            "due_at": clock.due_at.isoformat(),
            "explanation": clock.explanation,
        }
    elif request.due_at:
        payload["due_at"] = request.due_at.isoformat()
    return payload


def backoff(attempts: int) -> dt.timedelta:
    """1, 2, 4, 8 … minutes between attempts, capped at an hour."""
    return dt.timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


def after_commit_send(*, event_ids: Iterable[int]) -> None:
    """Once the transaction commits, ask a worker to send the notices of these events."""
    ids = [pk for pk in event_ids if pk]
    if ids:
        transaction.on_commit(lambda: enqueue_sending(ids))


def enqueue_sending(event_ids: list[int]) -> bool:
    """Queue send tasks; with the broker down the outbox keeps the rows and the periodic
    `resend_unsent` delivers them later, so a failure here is logged, never raised."""
    from .tasks import send_notifications

    try:
        for start in range(0, len(event_ids), SEND_CHUNK):
            send_notifications.delay(event_ids[start : start + SEND_CHUNK])
        return True
    except Exception:  # broker unreachable: nothing is lost, the outbox holds the rows
        logger.warning("Broker unreachable; %d events left to the outbox re-send", len(event_ids))
        return False


def render_email(notice: Notification) -> tuple[str, str, str]:
    """Subject, text body and HTML body, with the due time in the recipient's time zone."""
    payload = notice.payload
    zone = _recipient_zone(notice.recipient)
    due_at = payload.get("due_at")
    due_local = (
        dt.datetime.fromisoformat(due_at)
        .astimezone(ZoneInfo(zone))
        .strftime("%a %d %b %Y %H:%M %Z")
        if due_at
        else ""
    )
    context = {
        "notice": notice,
        "payload": payload,
        "kind_label": kind_label(notice.kind),
        "state_label": State(payload["state"]).label if payload.get("state") else "",
        "due_local": due_local,
        "recipient": notice.recipient,
        "url": f"{settings.SITE_URL.rstrip('/')}/requests/{payload.get('reference', '')}/",
    }
    subject = " ".join(
        render_to_string(
            [f"emails/{notice.kind}_subject.txt", "emails/notice_subject.txt"], context
        ).split()
    )
    text = render_to_string([f"emails/{notice.kind}_body.txt", "emails/notice_body.txt"], context)
    html = render_to_string([f"emails/{notice.kind}_body.html", "emails/notice_body.html"], context)
    return subject, text, html


def _recipient_zone(user) -> str:
    profile = Profile.objects.filter(user=user).select_related("nation").first()
    return profile.effective_time_zone if profile else settings.TIME_ZONE


def send_email(notice: Notification) -> None:
    subject, text, html = render_email(notice)
    message = EmailMultiAlternatives(
        subject, text, settings.DEFAULT_FROM_EMAIL, [notice.recipient.email]
    )
    message.attach_alternative(html, "text/html")
    message.send()


def deliver_one(pk: int, *, now: dt.datetime | None = None) -> bool:
    """Send one notice unless another worker holds it or it is already sent. True when sent."""
    with transaction.atomic():
        notice = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient")
            .filter(pk=pk, sent_at__isnull=True, failed_at__isnull=True)
            .first()
        )
        if notice is None:
            return False
        now = now or timezone.now()
        notice.attempts += 1
        try:
            if notice.recipient.email:
                send_email(notice)
            notice.sent_at = now  # without an address the in-app list is the delivery
        except Exception as exc:  # any transport error: retry later, then give up visibly
            notice.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if notice.attempts >= MAX_ATTEMPTS:
                notice.failed_at = now
            else:
                notice.next_attempt_at = now + backoff(notice.attempts)
        notice.save(
            update_fields=["attempts", "sent_at", "last_error", "failed_at", "next_attempt_at"]
        )
        return notice.sent_at is not None


def deliver_for_events(event_ids: Iterable[int]) -> int:
    pks = list(
        Notification.objects.filter(
            event_id__in=list(event_ids), sent_at__isnull=True, failed_at__isnull=True
        ).values_list("pk", flat=True)
    )
    return sum(deliver_one(pk) for pk in pks)


def deliver_due(
    *, now: dt.datetime | None = None, limit: int = 500, grace_seconds: int | None = None
) -> int:
    """The periodic re-send: unsent notices older than the grace period whose retry time came."""
    now = now or timezone.now()
    if grace_seconds is None:
        grace_seconds = settings.SOSA_OUTBOX_GRACE_SECONDS
    pks = list(
        Notification.objects.filter(
            sent_at__isnull=True,
            failed_at__isnull=True,
            created_at__lte=now - dt.timedelta(seconds=grace_seconds),
        )
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("created_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(deliver_one(pk, now=now) for pk in pks)


# What each kind of notice says, for people (actions of DESIGN §4 and rungs of §5).
KIND_LABELS = {
    "submit": gettext_lazy("Submitted"),
    "request_info": gettext_lazy("Information requested"),
    "answer": gettext_lazy("Answered"),
    "triage": gettext_lazy("Assigned to you"),
    "rate": gettext_lazy("Rated"),
    "decline": gettext_lazy("Declined"),
    "forward": gettext_lazy("Forwarded to supplier"),
    "supplier_accept": gettext_lazy("Accepted by supplier"),
    "supplier_reject": gettext_lazy("Rejected by supplier"),
    "report_delay": gettext_lazy("Delivery delayed"),
    "fulfil": gettext_lazy("Fulfilled"),
    "close_unfulfilled": gettext_lazy("Closed unfulfilled"),
    "withdraw": gettext_lazy("Withdrawn"),
    "due_soon": gettext_lazy("Due soon"),
    "overdue": gettext_lazy("Overdue"),
    "escalated": gettext_lazy("Escalated"),
    "reminder": gettext_lazy("Reminder: your answer is due soon"),
    "reminder_overdue": gettext_lazy("Reminder: your answer is overdue"),
}


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind) or kind.replace("_", " ").capitalize()
