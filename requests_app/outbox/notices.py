"""E-mail notices: one `Notification` row per recipient, rendered in their time zone and their
language (`Profile.language`, which the language switch keeps; blank: the portal's)."""

from __future__ import annotations

import datetime as dt
import smtplib
from collections.abc import Iterable
from functools import partial
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import OuterRef, Q, Subquery
from django.template.loader import render_to_string
from django.utils import translation

from partners.models import Posture, Profile
from partners.people import language_of

from ..choices import NoticeDelivery, State
from ..deadlines import waiting_stage
from ..models import ALARM_KINDS, Notification, NotificationPreference, PriorityRequest
from ..moments import acting_side, due_time, moment_text
from ..notice_wording import (
    notice_explanation,
    notice_kind_label,
    notice_line,
    notice_standing,
    posture_title,
)
from . import engine


def render_email(notice: Notification) -> tuple[str, str, str]:
    """Subject, text body and HTML body, in the recipient's language, with the due time in
    their time zone."""
    zone, language = _recipient_zone_and_language(notice.recipient)
    with translation.override(language):
        return _render_email(notice, zone)


def _render_email(notice: Notification, zone: str) -> tuple[str, str, str]:
    payload = notice.payload
    due_at = payload.get("due_at")
    due_local = _due_text(notice, dt.datetime.fromisoformat(due_at), zone) if due_at else ""
    context = {
        "notice": notice,
        "payload": payload,
        "kind_label": notice_kind_label(notice.kind),
        "line": notice_line(notice, quote=False),  # who did what; never a comment's text
        "state_label": State(payload["state"]).label if payload.get("state") else "",
        "due_local": due_local,
        # What the payload froze in words, said again in the recipient's language.
        "title": posture_title(payload) if notice.kind == "posture" else payload.get("title", ""),
        "standing": notice_standing(payload),
        "explanation": "" if notice.kind == "posture" else notice_explanation(payload),
        "posture_label": _posture_label(payload.get("posture")),
        "previous_label": _posture_label(payload.get("previous") or Posture.PEACETIME),
        "recipient": notice.recipient,
        "url": settings.SITE_URL.rstrip("/")
        + (payload.get("path") or f"/requests/{payload.get('reference', '')}/"),
    }
    subject = " ".join(
        render_to_string(
            [f"emails/{notice.kind}_subject.txt", "emails/notice_subject.txt"], context
        ).split()
    )
    text = render_to_string([f"emails/{notice.kind}_body.txt", "emails/notice_body.txt"], context)
    html = render_to_string([f"emails/{notice.kind}_body.html", "emails/notice_body.html"], context)
    return subject, text, html


def _due_text(notice: Notification, due_at: dt.datetime, zone: str) -> str:
    """As the pages write it (moments.due_time): in the terms of the nation that must act, the
    recipient's own time beside it where it differs."""
    request = (
        PriorityRequest.objects.select_related("requesting_nation", "responding_nation")
        .only("state", "route", "requesting_nation", "responding_nation")
        .filter(pk=notice.request_id)
        .first()
        if notice.request_id is not None
        else None
    )
    if request is None:  # not about one request: the recipient's own time
        return moment_text(due_at, zone)
    stage = notice.payload.get("stage") or waiting_stage(request.state, request.route)
    nation = getattr(request, f"{acting_side(stage)}_nation")
    return str(due_time(due_at, nation_code=nation.code, zone=nation.time_zone, reader_zone=zone))


def _recipient_zone_and_language(user) -> tuple[str, str]:
    profile = Profile.objects.filter(user=user).select_related("nation").first()
    zone = profile.effective_time_zone if profile else settings.TIME_ZONE
    return zone, language_of(profile)


def _posture_label(posture: str | None) -> str:
    """ "emergency": a posture as the posture e-mail names it in its sentence."""
    if posture not in Posture.values:
        return posture or ""
    return str(Posture(posture).label).lower()


def message_id(notice: Notification) -> str:
    """The notice's `Message-ID`, the same on every attempt: a mail sent twice (its worker died
    before recording it) is recognisably one message."""
    host = urlsplit(settings.SITE_URL).hostname or "sosa-portal"
    return f"<notice-{notice.pk}@{host}>"


def send_email(notice: Notification) -> None:
    subject, text, html = render_email(notice)
    message = EmailMultiAlternatives(
        subject,
        text,
        settings.DEFAULT_FROM_EMAIL,
        [notice.recipient.email],
        headers={"Message-ID": message_id(notice)},
    )
    message.attach_alternative(html, "text/html")
    message.send()


def _smtp_label(exc: Exception) -> str | None:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "recipient refused"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"smtp {exc.smtp_code}"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return "connection lost"
    return "smtp error" if isinstance(exc, smtplib.SMTPException) else None


# The recipient's choice for the notice's kind, read with the notice (None: e-mail now).
PREFERENCE = Subquery(
    NotificationPreference.objects.filter(user=OuterRef("recipient"), kind=OuterRef("kind")).values(
        "delivery"
    )[:1]
)


def delivery_of(notice: Notification) -> str:
    """How this notice reaches its recipient: as they chose for its kind, but an alarm
    (overdue, escalated) is e-mailed at once, always."""
    if notice.kind in ALARM_KINDS:
        return NoticeDelivery.EMAIL_NOW
    return getattr(notice, "preferred_delivery", None) or NoticeDelivery.EMAIL_NOW


def _hold_for_digest(notice: Notification, now: dt.datetime) -> dict | None:
    if delivery_of(notice) == NoticeDelivery.DIGEST:
        return {"held_for_digest_at": now}
    return None


def _attempt(notice: Notification) -> engine.Outcome:
    # Without an address, or by the person's choice, the in-app list is the delivery: the row
    # is recorded as out, so nothing retries it.
    if not notice.recipient.email or delivery_of(notice) == NoticeDelivery.IN_APP:
        return engine.Outcome("in-app only")
    try:
        send_email(notice)
    except Exception as exc:  # any transport error: retry later, then give up visibly
        label = _smtp_label(exc) or engine.failure_label(exc)
        return engine.Outcome(label, error=f"{type(exc).__name__}: {exc}")
    return engine.Outcome(engine.DELIVERED)


NOTICES = engine.Channel(
    name="notices",
    model=Notification,
    done_field="sent_at",
    attempt_of="notification",
    task="requests_app.tasks.send_notifications",
    related=("recipient", "event__actor"),
    attempt=_attempt,
    set_aside=_hold_for_digest,
    scope=Q(held_for_digest_at__isnull=True),  # a held notice goes out in its digest
    annotations={"preferred_delivery": PREFERENCE},
)
MAX_ATTEMPTS = engine.MAX_ATTEMPTS
deliver_one = partial(engine.deliver_one, NOTICES)
deliver_for_events = partial(engine.deliver_for_events, NOTICES)
deliver_due = partial(engine.deliver_due, NOTICES)
oldest_unsent = partial(engine.oldest_unsent, NOTICES)


def enqueue_sending(event_ids: list[int]) -> bool:
    return engine.enqueue_sending(NOTICES, event_ids)


def after_commit_send(*, event_ids: Iterable[int]) -> None:
    """Once the transaction commits, ask a worker to send the notices of these events."""
    # Looked up when the hook runs, so a test or a benchmark can swap `enqueue_sending`.
    engine.on_commit_send(event_ids, lambda ids: enqueue_sending(ids))
