"""What a viewer may read of a request's history: its comments and events under the one
`readable_by` rule for internal comments, and the timeline that merges them for the page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from partners.models import Role
from partners.people import person, person_label

from ..choices import Visibility
from ..models import Comment, Event, PriorityRequest
from ..permissions import is_admin, profile_of, sees_internal, supplier_of
from ..wording import describe


def readable_by(user) -> tuple[Q, Q]:
    """The rule, once: (comments, events) this user may read, for one request or across many
    (DESIGN §2). Internal comments (and the events that record them) are for officials only. A
    supplier reads only its own part of a request's history: from the request's first forward
    to it onward, and nothing about another firm asked before or beside it (whose forward,
    refusal, reasons and dates are events naming that firm)."""
    if is_admin(user):
        return Q(), Q()
    if sees_internal(user):
        # A national comment (and its event) is for the officials of its author's nation.
        profile = profile_of(user)
        nation = profile.nation_id if profile else None
        comments = ~Q(visibility=Visibility.NATIONAL) | Q(author__profile__nation_id=nation)
        # `has_key` first: an event without the key is FALSE here, not NULL (which NOT keeps NULL).
        national = Q(action="comment", data__has_key="visibility") & Q(
            data__visibility=Visibility.NATIONAL
        )
        events = ~national | Q(actor__profile__nation_id=nation)
        return comments, events
    comments = Q(visibility=Visibility.SHARED)
    events = ~Q(action="comment") | Q(data__visibility=Visibility.SHARED)
    firm = supplier_of(user)
    if firm is not None:
        comments &= Q(created_at__gte=_first_forward_to(firm))
        events &= Q(created_at__gte=_first_forward_to(firm)) & (
            ~Q(data__has_key="supplier") | Q(data__supplier=firm)
        )
    return comments, events


def _first_forward_to(firm: int) -> Subquery:
    """When the request (of the outer comment or event) was first forwarded to `firm`."""
    forwards = Event.objects.filter(
        request=OuterRef("request"), action="forward", data__supplier=firm
    )
    return Subquery(forwards.order_by("created_at", "id").values("created_at")[:1])


def readable_comments(row: PriorityRequest, user) -> QuerySet:
    comments, _events = readable_by(user)
    return Comment.objects.filter(comments, request=row)


def readable_events(row: PriorityRequest, user) -> QuerySet:
    _comments, events = readable_by(user)
    return Event.objects.filter(events, request=row)


# Event data that names another request: a follow-on, the request split from, a link.
REFERENCE_KEYS = ("follow_on", "split_from", "reference")


def mask_unseen_references(events, user) -> list[Event]:
    """The events, with any other request this user may not see named only as "another
    request" (DESIGN §4a: only requests the viewer can see are shown). In memory only."""
    events = list(events)
    named = {
        event.data[key]
        for event in events
        for key in REFERENCE_KEYS
        if isinstance(event.data, dict) and isinstance(event.data.get(key), str)
    }
    if not named:
        return events
    seen = set(
        PriorityRequest.objects.visible_to(user)
        .filter(reference__in=named)
        .values_list("reference", flat=True)
    )
    for event in events:
        hidden = {
            key: str(_("another request"))
            for key in REFERENCE_KEYS
            if isinstance(event.data, dict) and event.data.get(key) in named - seen
        }
        if hidden:
            event.data = {**event.data, **hidden}
    return events


@dataclass
class Entry:
    at: dt.datetime
    who: str
    text: str
    body: str = ""
    kind: str = "event"  # event, comment, internal, escalate


def timeline(row: PriorityRequest, user) -> list[Entry]:
    """Events and the comments this user may read, in time order, each comment shown once."""
    comments = readable_comments(row, user).select_related("author")
    by_id = {comment.pk: comment for comment in comments}
    shown: set[int] = set()
    entries: list[Entry] = []
    events = readable_events(row, user).select_related("actor").order_by("created_at", "id")
    for event in mask_unseen_references(events, user):
        if event.action == "comment":
            continue  # the comment itself is the entry (when this user may read it)
        comment = by_id.get((event.data or {}).get("comment_id"))
        if comment is not None:
            shown.add(comment.pk)
        entries.append(
            Entry(
                at=event.created_at,
                who=person_label(event.actor) if event.actor else _("System"),
                text=describe(event),
                body=comment.body if comment else (event.data or {}).get("reason", ""),
                kind="escalate" if event.action == "escalate" else "event",
            )
        )
    for comment in by_id.values():
        if comment.pk in shown:
            continue
        internal = comment.visibility != Visibility.SHARED
        entries.append(
            Entry(
                at=comment.created_at,
                who=person_label(comment.author),
                text=COMMENT_TEXT[comment.visibility](),
                body=comment.body,
                kind="internal" if internal else "comment",
            )
        )
    entries.sort(key=lambda entry: entry.at)  # stable: events before comments of the same time
    return entries


@dataclass(frozen=True)
class OpenQuestion:
    """The question a request waits on (state `needs_info`): who asked, as what, and the text."""

    asker: str  # "Sarah Whitman (liaison.us)"
    role: str  # "US liaison officer"
    text: str
    asked_at: dt.datetime


def open_question(row: PriorityRequest) -> OpenQuestion | None:
    """The latest `request_info` of a request that needs information (None otherwise). The
    question is a shared comment, so everyone who sees the request may read it."""
    if row.state != "needs_info":
        return None
    asked = (
        Event.objects.filter(request=row, action="request_info")
        .select_related("actor")
        .order_by("-created_at", "-id")
        .first()
    )
    if asked is None:
        return None
    return OpenQuestion(
        asker=person_label(asked.actor) if asked.actor else _("The portal"),
        role=role_of(asked.actor),
        text=str(asked.data.get("question", "")),
        asked_at=asked.created_at,
    )


def role_of(user) -> str:
    """ "US liaison officer", "US reviewer": the asker's nation and role, as people know them."""
    if user is None:
        return ""
    who = person(user)
    role = str(Role(who.role).label).lower() if who.role in Role.values else ""
    nation = who.profile.nation.code if who.profile else ""
    return f"{nation} {role}".strip()


COMMENT_TEXT = {
    Visibility.SHARED: lambda: _("commented"),
    Visibility.INTERNAL: lambda: _("added an internal comment"),
    Visibility.NATIONAL: lambda: _("added a national comment (its nation's officials only)"),
}
