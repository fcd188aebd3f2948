"""What every write shares: input checks, the row lock of a visible request, the version check
and the event each change writes (fanned out by `record_events`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..exceptions import InvalidInput, NotVisible, StaleVersion
from ..models import Event, PriorityRequest
from .events import record_events

REQUIRED = gettext_lazy("This field is required.")  # str() it where it goes into a list


@dataclass
class Change:
    """What an action does beyond the state: field values, event data, a shared comment."""

    fields: dict[str, Any] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    comment: str = ""
    # Where the action leads when it is not the table's target ('' the table's).
    target: str = ""
    # The resolution it leads to when that is not the table's (None: the table's).
    resolution: str | None = None
    # Rows beside the request the action writes (its items), run before the clocks move.
    after: Callable[[], None] | None = None


def raise_if(errors: dict[str, list[str]]) -> None:
    if errors:
        raise InvalidInput(_("Some fields are not valid."), errors)


def require_text(errors: dict, name: str, value: Any) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else str(value)
    if not text:
        errors.setdefault(name, []).append(str(REQUIRED))
    return text


def require_date(errors: dict, name: str, value: Any) -> dt.date | None:
    if value in (None, ""):
        errors.setdefault(name, []).append(str(REQUIRED))
        return None
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        errors.setdefault(name, []).append(_("Enter a valid date (YYYY-MM-DD)."))
        return None
    return value


def today_in(nation, now: dt.datetime) -> dt.date:
    """Today where `nation` is (DESIGN §4 "Dates people type"): a date a person types is judged
    in the calendar of the place it describes, so an agency system in UTC and an official in
    Delhi can both record today's delivery at any hour."""
    return now.astimezone(ZoneInfo(nation.time_zone)).date()


def lock_visible(request: PriorityRequest | int, by) -> PriorityRequest:
    pk = request.pk if isinstance(request, PriorityRequest) else request
    try:
        return (
            PriorityRequest.objects.visible_to(by)
            .select_for_update(of=("self",))
            .select_related("responding_nation", "requesting_nation")
            .with_posture()
            .get(pk=pk)
        )
    except PriorityRequest.DoesNotExist:
        raise NotVisible(_("Request not found.")) from None


def check_version(locked: PriorityRequest, version: int | None) -> None:
    if version is not None and int(version) != locked.version:
        numbers = {"reference": locked.reference, "current": locked.version, "yours": version}
        raise StaleVersion(
            _(
                "%(reference)s was changed by someone else (version %(current)s, you had "
                "%(yours)s). Reload it and try again."
            )
            % numbers,
            {
                "version": [
                    _("Stale version %(yours)s; the current version is %(current)s.") % numbers
                ]
            },
        )


def write_event(
    locked: PriorityRequest, *, by, action: str, from_state: str, data: dict, at: dt.datetime
) -> Event:
    event = Event.objects.create(
        request=locked,
        actor=by if by and by.is_authenticated else None,
        action=action,
        from_state=from_state,
        to_state=locked.state,
        data=data,
        created_at=at,
    )
    record_events([event])
    return event


def future_date(errors, name, value, locked, at) -> dt.date | None:
    """A date a supplier commits to, not in the past: judged in the responding nation, where
    the supplier is."""
    day = require_date(errors, name, value)
    if day is not None and day < today_in(locked.responding_nation, at):
        errors.setdefault(name, []).append(_("The date cannot be in the past."))
    return day
