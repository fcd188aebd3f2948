"""A person's notices: read on opening their request, how each kind reaches them (e-mail now, a
daily digest, in the portal only), and the notices of a comment that names them ("@liaison.us").
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.people import profile_of, remember_language

from ..choices import MENTION, NoticeDelivery, Visibility
from ..exceptions import InvalidInput
from ..models import (
    ALARM_KINDS,
    NOTICE_KINDS,
    Comment,
    Event,
    Notification,
    NotificationDigest,
    NotificationPreference,
    PriorityRequest,
)
from ..notice_wording import excerpt
from ..outbox import notices
from ..outbox.digest import digest_slot
from ..permissions import sees_internal
from .events import notice_payload, queue

# The kinds a person chooses for: every kind but the alarms, which are always e-mailed at once.
CHOOSABLE_KINDS = NOTICE_KINDS - ALARM_KINDS
MAX_MENTIONS = 20  # people one comment may name
# "@reviewer.us", not an e-mail address ("name@host") nor "@" alone; a trailing "." ends it.
MENTION_PATTERN = re.compile(r"(?<![\w.@+-])@([\w.+-]*\w)")


def mark_request_read(user, request: PriorityRequest, *, now: dt.datetime | None = None) -> int:
    """Mark read the person's unread notices about this request (they opened it), in one
    UPDATE; the number marked."""
    return Notification.objects.filter(
        recipient=user, request=request, read_at__isnull=True
    ).update(read_at=now or timezone.now())


def deliveries_of(user) -> dict[str, str]:
    """The person's choice for each kind they may choose for (unset: e-mail now)."""
    chosen = dict(
        NotificationPreference.objects.filter(user=user, kind__in=CHOOSABLE_KINDS).values_list(
            "kind", "delivery"
        )
    )
    return {kind: chosen.get(kind, NoticeDelivery.EMAIL_NOW) for kind in sorted(CHOOSABLE_KINDS)}


def set_preferences(
    user,
    *,
    deliveries: Mapping[str, str],
    digest_hour: int,
    language: str = "",
    now: dt.datetime | None = None,
) -> None:
    """Record how each kind of notice reaches the person and their digest hour (local), and
    the language their e-mails are written in ('' keeps it). Kinds left out keep their choice;
    alarms cannot be chosen. Notices already held for a digest go out in it. A new digest hour
    counts from now: no digest for an hour already past today."""
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    for kind, delivery in deliveries.items():
        if kind not in CHOOSABLE_KINDS:
            errors.setdefault(kind, []).append(
                _("Overdue and escalated notices are always e-mailed.")
            )
        elif delivery not in NoticeDelivery.values:
            errors.setdefault(kind, []).append(_("Choose e-mail now, daily digest or in-app only."))
    if not 0 <= digest_hour <= 23:
        errors["digest_hour"] = [_("Choose an hour from 0 to 23.")]
    if language and language not in dict(settings.LANGUAGES):
        errors["language"] = [_("Choose one of the languages offered.")]
    if errors:
        raise InvalidInput(_("Some choices are not valid."), errors)
    chosen = dict(deliveries)
    with transaction.atomic():
        # No row is the default: only the kinds not e-mailed at once are kept.
        NotificationPreference.objects.filter(user=user, kind__in=list(chosen)).delete()
        NotificationPreference.objects.bulk_create(
            NotificationPreference(user=user, kind=kind, delivery=delivery)
            for kind, delivery in sorted(chosen.items())
            if delivery != NoticeDelivery.EMAIL_NOW
        )
        digest, _created = NotificationDigest.objects.select_for_update().get_or_create(user=user)
        slot = digest_slot(now, _zone_of(user), digest_hour)
        if digest.hour != digest_hour or digest.last_slot_at is None:
            digest.hour = digest_hour
            digest.last_slot_at = max(filter(None, (digest.last_slot_at, slot)))
            digest.save(update_fields=["hour", "last_slot_at"])
        if language:
            remember_language(user, language)


def _zone_of(user) -> ZoneInfo:
    profile = profile_of(user)
    return ZoneInfo(profile.effective_time_zone if profile else settings.TIME_ZONE)


# --- mentions -----------------------------------------------------------------------------------


def mentioned_usernames(text: str) -> list[str]:
    """The usernames a comment names with "@", in order, each once (at most MAX_MENTIONS)."""
    names: list[str] = []
    for match in MENTION_PATTERN.finditer(text):
        name = match.group(1)
        if name not in names:
            names.append(name)
    return names[:MAX_MENTIONS]


def notify_mentions(request: PriorityRequest, comment: Comment, event: Event) -> list[int]:
    """A notice to each active person the comment names who may read it (sees the request; an
    internal comment: an official), never its author; the ids of the people told."""
    names = mentioned_usernames(comment.body)
    if not names:
        return []
    internal = comment.visibility != Visibility.SHARED
    national = comment.visibility == Visibility.NATIONAL
    author_nation = getattr(profile_of(comment.author), "nation_id", None) if national else None
    readers = [
        person.pk
        for person in get_user_model().objects.filter(username__in=names, is_active=True)
        if person.pk != comment.author_id
        and (not internal or sees_internal(person))
        and (not national or getattr(profile_of(person), "nation_id", None) == author_nation)
        and PriorityRequest.objects.visible_to(person).filter(pk=request.pk).exists()
    ]
    if not readers:
        return []
    payload = notice_payload(request, kind=MENTION) | {
        "comment_id": comment.pk,
        "visibility": comment.visibility,
        "excerpt": excerpt(comment.body),
    }
    queue(request=request, event=event, kind=MENTION, user_ids=readers, payload=payload)
    notices.after_commit_send(event_ids=[event.pk])
    return readers
