"""Every change of a request's state, one function per action of DESIGN §4.

Each action, in one transaction: locks the row the user may see (else `NotVisible`), checks the
role (`NotAllowed`), the `version` (`StaleVersion`) and the state (`InvalidTransition`), validates
its fields (`InvalidInput`), saves, writes an `Event` (fanned out to notices and webhooks by
`record_events`), and applies the action's clock effect from `transitions.py`. Pages, API and
tasks call these functions; nothing else sets `state`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from partners.filing import filing_refusal
from partners.models import Supplier

from ..exceptions import InvalidTransition, NotAllowed
from ..models import PROGRAM_SYMBOLS, Comment, PriorityRequest, Rating, State, Visibility
from ..permissions import assignable_people, eligible_suppliers, may_take
from ..transitions import PAUSE, RESUME, TRANSITIONS
from . import clocks
from .common import (
    REQUIRED,
    Change,
    check_version,
    lock_visible,
    raise_if,
    require_date,
    require_text,
    today_in,
    write_event,
)

User = get_user_model()


def _sync_due(locked: PriorityRequest) -> None:
    """Copy the running clock's due time and level onto the request for lists and filters."""
    running = clocks.running_clock(locked)
    locked.due_at = running.due_at if running else None
    locked.escalation_level = running.level if running else None
    if locked.state == State.RESOLVED:
        locked.escalated_at = None


def _move_clocks(locked: PriorityRequest, transition, *, at: dt.datetime, actor_id) -> None:
    """The action's clock effect (transitions.py): pause, resume or restart the stage clocks."""
    calendar = clocks.request_calendar(locked)
    kwargs = {"at": at, "actor_id": actor_id, "calendar": calendar}
    open_now = clocks.open_clocks(locked)
    if transition.clock == PAUSE:
        for clock in open_now:
            clocks.pause_clock(clock, reason="info requested", **kwargs)
        clocks.open_clock(locked, State.NEEDS_INFO, reason="info requested", **kwargs)
        return
    if transition.clock == RESUME:
        paused = [clock for clock in open_now if clock.paused_at is not None]
        for clock in open_now:
            if clock.paused_at is None:
                clocks.stop_clock(clock, at=at, reason="answered")
        for clock in paused:
            clocks.resume_clock(clock, reason="answered", **kwargs)
        if not paused:
            clocks.open_clock(locked, locked.state, reason="answered", **kwargs)
        return
    for clock in open_now:
        clocks.stop_clock(clock, at=at, reason=transition.action)
    if locked.state != State.RESOLVED:
        clocks.open_clock(locked, locked.state, reason=transition.action, **kwargs)


def _act(
    action: str,
    request: PriorityRequest | int,
    *,
    by,
    version: int | None,
    now: dt.datetime | None,
    apply: Callable[[PriorityRequest, dt.datetime], Change],
) -> PriorityRequest:
    transition = TRANSITIONS[action]
    now = now or timezone.now()
    with transaction.atomic():
        locked = lock_visible(request, by)
        if not may_take(by, locked, transition):
            raise NotAllowed(f"Your role may not {action.replace('_', ' ')} this request.")
        check_version(locked, version)
        if locked.state not in transition.sources:
            raise InvalidTransition(
                f"Cannot {action.replace('_', ' ')} {locked.reference}: it is "
                f"{locked.get_state_display().lower()}.",
                {"state": [f"'{action}' is not allowed in state '{locked.state}'."]},
            )
        change = apply(locked, now)
        from_state = locked.state
        for name, value in change.fields.items():
            setattr(locked, name, value)
        locked.state = transition.target or locked.info_requested_in or State.SUBMITTED
        if action == "request_info":
            locked.info_requested_in = from_state
        else:  # answered or withdrawn: no longer waiting for information
            locked.info_requested_in = ""
        locked.resolution = transition.resolution
        # An answer returns to a stage already entered: keep the time it was first entered.
        if transition.stamp and from_state != locked.state:
            setattr(locked, transition.stamp, now)
        if change.comment:
            comment = Comment.objects.create(
                request=locked,
                author=by,
                body=change.comment,
                visibility=Visibility.SHARED,
                created_at=now,
            )
            change.data["comment_id"] = comment.pk
        _move_clocks(locked, transition, at=now, actor_id=by.pk)
        _sync_due(locked)
        locked.version += 1  # the row is locked: no one else can have moved it on
        locked.save()
        if "rating" in change.fields:
            locked.refresh_from_db(fields=["priority_rank"])  # computed by the database
        write_event(locked, by=by, action=action, from_state=from_state, data=change.data, at=now)
    return locked


# --- the actions of DESIGN §4 ---------------------------------------------------------------


def submit(request, *, by, version: int | None = None, now=None) -> PriorityRequest:
    """Send a complete draft to the responding nation; opens the triage clock."""

    def apply(locked: PriorityRequest, at: dt.datetime) -> Change:
        errors: dict[str, list[str]] = {}
        require_text(errors, "title", locked.title)
        require_text(errors, "justification", locked.justification)
        if locked.required_delivery_date is None:
            errors["required_delivery_date"] = [REQUIRED]
        elif locked.required_delivery_date <= today_in(locked.requesting_nation, at):
            errors["required_delivery_date"] = ["The required delivery date must be in the future."]
        if not locked.items.exists():
            errors["items"] = ["Add at least one item."]
        refusal = filing_refusal(locked.requesting_nation, locked.responding_nation)
        if refusal:
            errors["responding_nation"] = [refusal]
        raise_if(errors)
        return Change()

    return _act("submit", request, by=by, version=version, now=now, apply=apply)


def request_info(request, *, by, question: str, version=None, now=None) -> PriorityRequest:
    """Ask the requester a shared question; pauses the running clock."""

    def apply(locked, at) -> Change:
        errors: dict[str, list[str]] = {}
        text = require_text(errors, "question", question)
        raise_if(errors)
        return Change(comment=text, data={"question": text})

    return _act("request_info", request, by=by, version=version, now=now, apply=apply)


def answer(request, *, by, answer: str, version=None, now=None) -> PriorityRequest:
    """Answer the question; the paused clock resumes with the working days it had left."""

    def apply(locked, at) -> Change:
        errors: dict[str, list[str]] = {}
        text = require_text(errors, "answer", answer)
        raise_if(errors)
        return Change(comment=text, data={"answer": text})

    return _act("answer", request, by=by, version=version, now=now, apply=apply)


def triage(request, *, by, assignee, version=None, now=None) -> PriorityRequest:
    """Accept a submitted request for review and assign a reviewer or liaison officer."""

    def apply(locked, at) -> Change:
        errors: dict[str, list[str]] = {}
        if not assignee:
            errors["assignee"] = [REQUIRED]
        elif not assignable_people(locked.responding_nation_id).filter(pk=assignee.pk).exists():
            errors["assignee"] = ["Assign a reviewer or liaison officer of the responding nation."]
        raise_if(errors)
        return Change(fields={"assignee": assignee}, data={"assignee": assignee.get_username()})

    return _act("triage", request, by=by, version=version, now=now, apply=apply)


def rate(
    request,
    *,
    by,
    rating: str,
    program_symbol: str,
    note: str,
    authorisation_ref: str = "",
    version=None,
    now=None,
) -> PriorityRequest:
    """Record the program determination and rating (DO/DX + program symbol)."""

    def apply(locked, at) -> Change:
        errors: dict[str, list[str]] = {}
        if not rating:
            errors["rating"] = [REQUIRED]
        elif rating not in Rating.values:
            errors["rating"] = ["Choose DO or DX."]
        if not program_symbol:
            errors["program_symbol"] = [REQUIRED]
        elif program_symbol not in PROGRAM_SYMBOLS:
            errors["program_symbol"] = [f"Unknown program symbol '{program_symbol}'."]
        text = require_text(errors, "note", note)
        raise_if(errors)
        return Change(
            fields={
                "rating": rating,
                "program_symbol": program_symbol,
                "determination_note": text,
                "rating_authorisation_ref": (authorisation_ref or "").strip(),
            },
            data={"rating": f"{rating}-{program_symbol}"},
        )

    return _act("rate", request, by=by, version=version, now=now, apply=apply)


def _reason_change(reason: str, **extra_fields) -> Change:
    errors: dict[str, list[str]] = {}
    text = require_text(errors, "reason", reason)
    raise_if(errors)
    return Change(fields={"resolution_reason": text, **extra_fields}, data={"reason": text})


def decline(request, *, by, reason: str, version=None, now=None) -> PriorityRequest:
    """Refuse the request (no program determination or rating)."""
    return _act(
        "decline",
        request,
        by=by,
        version=version,
        now=now,
        apply=lambda locked, at: _reason_change(reason),
    )


def forward(request, *, by, supplier: Supplier | None, version=None, now=None) -> PriorityRequest:
    """Send the rated order to a supplier; opens the DPAS accept/reject clock."""

    def apply(locked, at) -> Change:
        errors: dict[str, list[str]] = {}
        if supplier is None:
            errors["supplier"] = [REQUIRED]
        elif not eligible_suppliers(locked).filter(pk=supplier.pk).exists():
            errors["supplier"] = [
                "Choose a supplier of the responding nation."
                if supplier.nation_id != locked.responding_nation_id
                else "This supplier has not signed the Code of Conduct."
            ]
        raise_if(errors)
        return Change(
            fields={"supplier": supplier},
            data={"supplier": supplier.pk, "supplier_name": supplier.name},
        )

    return _act("forward", request, by=by, version=version, now=now, apply=apply)


def _future_date(errors, name, value, locked, at) -> dt.date | None:
    day = require_date(errors, name, value)
    # A supplier's commitment is judged in the responding nation, where the supplier is.
    if day is not None and day < today_in(locked.responding_nation, at):
        errors.setdefault(name, []).append("The date cannot be in the past.")
    return day


def supplier_accept(
    request, *, by, committed_delivery_date: dt.date, version=None, now=None
) -> PriorityRequest:
    """The supplier accepts the rated order with a committed delivery date."""

    def apply(locked, at) -> Change:
        errors: dict[str, list[str]] = {}
        day = _future_date(errors, "committed_delivery_date", committed_delivery_date, locked, at)
        raise_if(errors)
        return Change(
            fields={"committed_delivery_date": day},
            data={"committed_delivery_date": day.isoformat(), "supplier": locked.supplier_id},
        )

    return _act("supplier_accept", request, by=by, version=version, now=now, apply=apply)


def supplier_reject(
    request, *, by, reason: str, earliest_date: dt.date, version=None, now=None
) -> PriorityRequest:
    """The supplier rejects, with reasons and the earliest date it could meet; it is cleared."""

    def apply(locked, at) -> Change:
        errors: dict[str, list[str]] = {}
        text = require_text(errors, "reason", reason)
        day = _future_date(errors, "earliest_date", earliest_date, locked, at)
        raise_if(errors)
        return Change(
            fields={"supplier": None},
            data={
                "reason": text,
                "earliest_date": day.isoformat(),
                "supplier": locked.supplier_id,
            },
        )

    return _act("supplier_reject", request, by=by, version=version, now=now, apply=apply)


def report_delay(
    request, *, by, reason: str, committed_delivery_date: dt.date, version=None, now=None
) -> PriorityRequest:
    """Record a delay after acceptance: the delivery clock moves to the new date."""

    def apply(locked, at) -> Change:
        errors: dict[str, list[str]] = {}
        text = require_text(errors, "reason", reason)
        day = _future_date(errors, "committed_delivery_date", committed_delivery_date, locked, at)
        raise_if(errors)
        previous = locked.committed_delivery_date
        return Change(
            fields={"committed_delivery_date": day},
            data={
                "reason": text,
                "previous_date": previous.isoformat() if previous else None,
                "committed_delivery_date": day.isoformat(),
            },
        )

    return _act("report_delay", request, by=by, version=version, now=now, apply=apply)


def fulfil(request, *, by, delivered_on: dt.date, version=None, now=None) -> PriorityRequest:
    """Record delivery: the request is resolved as fulfilled."""

    def apply(locked, at) -> Change:
        errors: dict[str, list[str]] = {}
        day = require_date(errors, "delivered_on", delivered_on)
        # A delivery is judged in the requesting nation, where it arrives.
        if day is not None and day > today_in(locked.requesting_nation, at):
            errors["delivered_on"] = ["The delivery date cannot be in the future."]
        raise_if(errors)
        return Change(fields={"delivered_on": day}, data={"delivered_on": day.isoformat()})

    return _act("fulfil", request, by=by, version=version, now=now, apply=apply)


def close_unfulfilled(request, *, by, reason: str, version=None, now=None) -> PriorityRequest:
    """Close a rated request that will not be delivered."""
    return _act(
        "close_unfulfilled",
        request,
        by=by,
        version=version,
        now=now,
        apply=lambda locked, at: _reason_change(reason),
    )


def withdraw(request, *, by, reason: str, version=None, now=None) -> PriorityRequest:
    """The requesting nation withdraws its request."""
    return _act(
        "withdraw",
        request,
        by=by,
        version=version,
        now=now,
        apply=lambda locked, at: _reason_change(reason),
    )


ACTIONS: dict[str, Callable[..., PriorityRequest]] = {
    "submit": submit,
    "request_info": request_info,
    "answer": answer,
    "triage": triage,
    "rate": rate,
    "decline": decline,
    "forward": forward,
    "supplier_accept": supplier_accept,
    "supplier_reject": supplier_reject,
    "report_delay": report_delay,
    "fulfil": fulfil,
    "close_unfulfilled": close_unfulfilled,
    "withdraw": withdraw,
}
assert set(ACTIONS) == set(TRANSITIONS), "every transition has its service function"
