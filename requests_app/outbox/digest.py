"""The daily digest: one e-mail per person, once their local digest hour has come, listing the
notices the outbox held for it (`notices.NOTICES.set_aside`, the person's preference for those
kinds), which are then marked sent. Beat runs `send_due_digests` every 15 minutes.

A digest is claimed like an outbox row (`engine.py`): one conditional `UPDATE` of the person's
`NotificationDigest` — unchanged since it was read, its slot not yet sent, no live lease —
counts the attempt and takes a lease, committed before the send; after the send one short
transaction marks the listed notices sent and records the slot. Of two runs exactly one sends a
digest. A worker that dies mid-send leaves the lease to run out and the next run sends it again,
under the same `Message-ID`; a failed send rests (1, 2, 4 … minutes) and is tried again, keeping
every notice held. A notice held while its digest is being sent waits for the next one.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Min, Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.dateformat import format as date_format
from django.utils.translation import ngettext

from partners.models import Profile

from ..models import Notification, NotificationDigest
from ..notice_wording import by_request, notice_kind_label, notice_line
from . import engine

logger = logging.getLogger(__name__)

LISTED = 100  # notices a digest lists one by one; it counts the rest
LEASE = dt.timedelta(minutes=5)


def digest_slot(now: dt.datetime, zone: ZoneInfo, hour: int) -> dt.datetime:
    """The last moment, at or before `now`, when the clock in `zone` struck `hour`:00 (UTC)."""
    local = now.astimezone(zone)
    slot = dt.datetime.combine(local.date(), dt.time(hour), tzinfo=zone)
    if slot > local:
        slot = dt.datetime.combine(local.date() - dt.timedelta(days=1), dt.time(hour), tzinfo=zone)
    return slot.astimezone(dt.UTC)


def held(user_id: int | None = None) -> QuerySet[Notification]:
    """Notices the outbox set aside for a digest and that have not gone out yet."""
    rows = Notification.objects.filter(
        held_for_digest_at__isnull=False, sent_at__isnull=True, failed_at__isnull=True
    )
    return rows if user_id is None else rows.filter(recipient_id=user_id)


def zones_of(user_ids: list[int]) -> dict[int, tuple[ZoneInfo, str]]:
    """Each person's time zone (their own, else their nation's) and language (theirs, else
    the portal's), in one query."""
    languages = dict(settings.LANGUAGES)
    return {
        user_id: (
            ZoneInfo(own or nation_zone),
            language if language in languages else settings.LANGUAGE_CODE,
        )
        for user_id, own, nation_zone, language in Profile.objects.filter(
            user_id__in=user_ids
        ).values_list("user_id", "time_zone", "nation__time_zone", "language")
    }


@dataclass(frozen=True)
class DueDigest:
    digest: NotificationDigest
    zone: ZoneInfo
    slot: dt.datetime  # the digest hour it goes out for
    language: str = settings.LANGUAGE_CODE  # the person's: the digest is written in it


def due_digests(now: dt.datetime) -> list[DueDigest]:
    """The digests to send now: of people with a notice held since before their last digest
    hour, which has not been sent yet, and that no worker holds (or that rest after a
    failure). A notice held at 14:00 waits for tomorrow's hour, however long the last quiet
    spell was."""
    first_held = dict(
        held()
        .order_by()
        .values("recipient_id")
        .annotate(first=Min("held_for_digest_at"))
        .values_list("recipient_id", "first")
    )
    user_ids = list(first_held)
    if not user_ids:
        return []
    digests = NotificationDigest.objects.filter(user_id__in=user_ids).select_related("user")
    missing = set(user_ids) - {digest.user_id for digest in digests}
    if missing:  # a preference written without the settings page (a shell): the default hour
        NotificationDigest.objects.bulk_create(
            [NotificationDigest(user_id=pk) for pk in sorted(missing)], ignore_conflicts=True
        )
        digests = digests.all()
    zones = zones_of(user_ids)
    due = []
    for digest in digests:
        if digest.claimed_until is not None and digest.claimed_until > now:
            continue
        zone, language = zones.get(digest.user_id) or (
            ZoneInfo(settings.TIME_ZONE),
            settings.LANGUAGE_CODE,
        )
        slot = digest_slot(now, zone, digest.hour)
        unsent = digest.last_slot_at is None or digest.last_slot_at < slot
        if unsent and first_held[digest.user_id] <= slot:
            due.append(DueDigest(digest, zone, slot, language))
    return due


def send_due_digests(*, now: dt.datetime | None = None) -> int:
    """Send every digest whose hour has come; the number that went out by e-mail."""
    now = now or timezone.now()
    return sum(send_digest(due, now=now) for due in due_digests(now))


def send_digest(due: DueDigest, *, now: dt.datetime) -> bool:
    """Claim this person's digest, send it and record it; True when an e-mail went out."""
    digest = due.digest
    if not _claim(digest, now):
        return False
    ids = list(held(digest.user_id).values_list("pk", flat=True))
    unread = list(
        Notification.objects.filter(pk__in=ids, read_at__isnull=True)
        .select_related("request", "event__actor")
        .order_by("-created_at", "-id")[:LISTED]
    )
    # Notices read in the portal meanwhile are not listed again; none unread: no e-mail.
    if unread and digest.user.email:
        try:
            send_email(digest, unread, total=_unread_count(ids), due=due)
        except Exception as exc:  # any transport error: rest, then try again; nothing is lost
            label = engine.failure_label(exc)
            logger.warning("Digest of user %s not sent (%s)", digest.user_id, label)
            NotificationDigest.objects.filter(pk=digest.pk, attempts=digest.attempts).update(
                claimed_until=now + engine.backoff(digest.attempts),
                last_error=f"{type(exc).__name__}: {exc}"[:2000],
            )
            return False
    with transaction.atomic():
        Notification.objects.filter(pk__in=ids, sent_at__isnull=True).update(sent_at=now)
        _unsent_slot(digest).filter(pk=digest.pk).update(
            last_slot_at=due.slot, claimed_until=None, attempts=0, last_error=""
        )
    return bool(unread and digest.user.email)


def _unsent_slot(digest: NotificationDigest) -> QuerySet[NotificationDigest]:
    """The person's digest while the slot read with it is still the last one sent."""
    if digest.last_slot_at is None:
        return NotificationDigest.objects.filter(last_slot_at__isnull=True)
    return NotificationDigest.objects.filter(last_slot_at=digest.last_slot_at)


def _claim(digest: NotificationDigest, now: dt.datetime) -> bool:
    """Count the attempt and take the lease, committed; False when another run did."""
    lease_until = max(now, timezone.now()) + LEASE
    with transaction.atomic():
        won = (
            _unsent_slot(digest)
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lte=now))
            .filter(pk=digest.pk, attempts=digest.attempts)
            .update(attempts=F("attempts") + 1, claimed_until=lease_until)
        )
    if won:
        digest.attempts += 1
        digest.claimed_until = lease_until
    return bool(won)


def _unread_count(ids: list[int]) -> int:
    return Notification.objects.filter(pk__in=ids, read_at__isnull=True).count()


def message_id(digest: NotificationDigest, slot: dt.datetime) -> str:
    """The same on every attempt at one digest: a digest sent twice is recognisably one."""
    host = urlsplit(settings.SITE_URL).hostname or "sosa-portal"
    return f"<digest-{digest.user_id}-{slot:%Y%m%d%H%M}@{host}>"


def render_digest(digest: NotificationDigest, notices: list, *, total: int, due: DueDigest):
    """Subject, text and HTML of one digest, in the person's language: its notices under their
    requests, newest first."""
    with translation.override(due.language):
        return _render_digest(digest, notices, total=total, due=due)


def _render_digest(digest: NotificationDigest, notices: list, *, total: int, due: DueDigest):
    site = settings.SITE_URL.rstrip("/")
    for notice in notices:
        notice.label = notice_kind_label(notice.kind)
        notice.line = notice_line(notice, quote=False)  # an e-mail carries no comment text
        local = notice.created_at.astimezone(due.zone)
        notice.local_time = f"{date_format(local, 'D d M')} {local:%H:%M}"
    context = {
        "recipient": digest.user,
        "site": site,
        "groups": by_request(notices),
        "listed": len(notices),
        "more": total - len(notices),
        "summary": ngettext(
            "%(count)d notice since your last digest",
            "%(count)d notices since your last digest",
            total,
        )
        % {"count": total},
        "url": f"{site}/notifications/?unread=1",
        "settings_url": f"{site}/notifications/settings/",
        "hour": f"{digest.hour:02d}:00",
        "zone": str(due.zone),
    }
    subject = " ".join(render_to_string("emails/digest_subject.txt", context).split())
    text = render_to_string("emails/digest_body.txt", context)
    html = render_to_string("emails/digest_body.html", context)
    return subject, text, html


def send_email(digest: NotificationDigest, notices: list, *, total: int, due: DueDigest) -> None:
    subject, text, html = render_digest(digest, notices, total=total, due=due)
    message = EmailMultiAlternatives(
        subject,
        text,
        settings.DEFAULT_FROM_EMAIL,
        [digest.user.email],
        headers={"Message-ID": message_id(digest, due.slot)},
    )
    message.attach_alternative(html, "text/html")
    message.send()
