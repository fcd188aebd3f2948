"""What one notice says in a line, for the notifications page and the daily digest: who did
what, and where the request stands now — "Sarah Whitman (liaison.us) accepted it for review and
assigned it to reviewer.us. Now: In review." Built from the notice's event (its actor and data,
phrased by `wording.describe`, the timeline's own words) and its payload (the state then)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy, pgettext

from partners.models import Posture
from partners.people import person_label

from . import explained
from .choices import MENTION, POSTURE, State, Visibility
from .wording import describe, kind_label, standing

MENTION_LABEL = gettext_lazy("Mentioned you")
EXCERPT_CHARS = 280  # of a comment's text, kept in its mention notice


def notice_kind_label(kind: str) -> str:
    """The badge of a notice: `wording.kind_label`, and a mention's."""
    return str(MENTION_LABEL) if kind == MENTION else str(kind_label(kind))


def excerpt(text: str) -> str:
    """The start of a comment, on one line, as a mention notice keeps it."""
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT_CHARS else flat[: EXCERPT_CHARS - 1].rstrip() + "…"


def notice_line(notice, *, quote: bool = True) -> str:
    """Who did what, and the state it left the request in. `quote`: a mention quotes the
    comment (the page, read by the person it names; never an e-mail, which carries no comment).
    Reads `notice.event.actor`: select them with the notices."""
    payload = notice.payload or {}
    if notice.kind == POSTURE:
        reason = payload.get("explanation") or ""
        title = posture_title(payload)
        return _sentence(f"{title}: {reason}" if reason else title)
    event = notice.event if notice.event_id else None
    who = person_label(event.actor) if event is not None and event.actor_id else ""
    if notice.kind == MENTION:
        mentioned_in: dict[str, object] = {
            Visibility.INTERNAL: gettext_lazy("mentioned you in an internal comment"),
            Visibility.NATIONAL: gettext_lazy("mentioned you in a national comment"),
        }
        did = str(
            mentioned_in.get(
                str(payload.get("visibility")), gettext_lazy("mentioned you in a comment")
            )
        )
        said = payload.get("excerpt") if quote else ""
        return _sentence(f"{who} {did}: “{said}”" if said else f"{who} {did}")
    did = describe(event) if event is not None else notice_kind_label(notice.kind)
    line = _sentence(f"{who} {did}" if who else did[:1].upper() + did[1:])
    now = _state_now(payload.get("state"))
    return f"{line} {now}" if now else line


def posture_title(payload: dict) -> str:
    """ "US–IN: Emergency posture": a posture notice's title, in the active language (the one
    its payload froze, when it lacks the posture)."""
    posture, arrangement = payload.get("posture"), payload.get("arrangement")
    if posture not in Posture.values or not arrangement:
        return payload.get("title", "")
    return str(
        gettext_lazy("%(arrangement)s: %(posture)s posture")
        % {"arrangement": arrangement, "posture": Posture(posture).label}
    )


def notice_explanation(payload: dict) -> str:
    """How a deadline notice's due time was counted, in the active language (the sentence it
    froze, when it kept no words)."""
    return explained.text(payload.get("explanation_words"), payload.get("explanation") or "")


def notice_standing(payload: dict) -> str:
    """What the approved request is (`wording.standing`), from what an action's notice froze
    of it, in the active language; the frozen sentence of a notice written before that."""
    facts = payload.get("standing_of")
    if not isinstance(facts, dict):
        return payload.get("standing", "")
    return str(
        standing(
            route=facts.get("route", ""),
            rating_label=facts.get("rating", ""),
            bis_case_number=facts.get("bis_case_number", ""),
            nation_name=facts.get("nation", ""),
            conduct_days=facts.get("conduct_days"),
        )
    )


@dataclass
class NoticeGroup:
    """The notices of one request under its reference and title (a posture change's, under its
    arrangement), in the order given."""

    key: str  # "request-42", "arrangement-United States – India"
    reference: str
    title: str
    path: str
    notices: list[Any] = field(default_factory=list)

    @property
    def unread(self) -> int:
        return sum(notice.read_at is None for notice in self.notices)


def by_request(notices: Iterable[Any]) -> list[NoticeGroup]:
    """Notices, newest first, gathered under their request: each group where its newest notice
    came, so the newest group comes first. Reads `notice.request`: select it with them."""
    groups: dict[str, NoticeGroup] = {}
    for notice in notices:
        payload = notice.payload or {}
        if notice.request_id is not None:
            reference, title = notice.request.reference, notice.request.title
            key, path = f"request-{notice.request_id}", f"/requests/{reference}/"
        else:
            reference = payload.get("arrangement") or notice_kind_label(notice.kind)
            title, path = str(gettext_lazy("Posture changes")), payload.get("path", "")
            key = f"arrangement-{reference}"
        group = groups.setdefault(key, NoticeGroup(key, reference, title, path))
        group.notices.append(notice)
    return list(groups.values())


def _state_now(state: str | None) -> str:
    if state not in State.values:
        return ""
    return str(gettext_lazy("Now: %(state)s.") % {"state": State(state).label})


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return ""
    if text.endswith((".", "…", "”", "!", "?", "।")):
        return text
    return text + pgettext("the end of a sentence", ".")
