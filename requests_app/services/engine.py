"""The one transactional engine every action of DESIGN §4 runs through (`actions.py`).

`act` locks the row the user may see (else `NotVisible`), checks the role (`NotAllowed`), the
`version` (`StaleVersion`) and the state (`InvalidTransition`), lets the action validate its
fields (`InvalidInput`) and say what changes, saves, writes an `Event` (fanned out to notices
and webhooks by `record_events`), and applies the action's clock effect from `transitions.py`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import structlog
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sosa_portal.lib import metrics

from ..exceptions import (
    DomainError,
    InvalidInput,
    InvalidTransition,
    NotAllowed,
    NotVisible,
    StaleVersion,
)
from ..models import Comment, PriorityRequest, State, Visibility
from ..permissions import check_may_take
from ..transitions import ITEMS, PAUSE, RESUME, STAGE_TIMESTAMP, TRANSITIONS
from ..wording import action_verb
from . import clocks, search
from .common import Change, check_version, lock_visible, write_event


def _sync_due(locked: PriorityRequest) -> None:
    """Copy the running clock's due time and level onto the request for lists and filters:
    the first due of the item clocks, and the highest level any of them reached."""
    running = clocks.running_clocks(locked)
    locked.due_at = running[0].due_at if running else None
    levels = [clock.level for clock in running if clock.level is not None]
    locked.escalation_level = max(levels) if levels else None
    if locked.state == State.RESOLVED:
        locked.escalated_at = None


def _move_clocks(locked: PriorityRequest, transition, *, at: dt.datetime, actor_id) -> None:
    """The action's clock effect (transitions.py): pause, resume or restart the stage clocks,
    or follow the items; each counted in the calendar of the nation that must act."""
    base = {"at": at, "actor_id": actor_id}
    open_now = clocks.open_clocks(locked)

    def of(clock) -> dict:
        return {**base, "request": locked, "calendar": clocks.stage_calendar(locked, clock.stage)}

    if transition.clock == ITEMS:
        # A delivery, a moved date, a split: only the item clocks it touches change.
        _open_for(locked, State.ACCEPTED, transition.action, base)
    elif transition.clock == PAUSE:
        for clock in open_now:
            clocks.pause_clock(clock, reason="info requested", **of(clock))
        _open_for(locked, State.NEEDS_INFO, "info requested", base)
    elif transition.clock == RESUME:
        # The answer clock stops before a paused one runs again.
        for clock in [clock for clock in open_now if clock.paused_at is None]:
            clocks.stop_clock(clock, at=at, reason="answered")
        paused = [clock for clock in open_now if clock.paused_at is not None]
        for clock in paused:
            clocks.resume_clock(clock, reason="answered", **of(clock))
        if not paused:
            _open_for(locked, locked.state, "answered", base)
    else:
        for clock in open_now:
            clocks.stop_clock(clock, at=at, reason=transition.action)
        if locked.state != State.RESOLVED:
            _open_for(locked, locked.state, transition.action, base)


def _open_for(locked: PriorityRequest, state: str, reason: str, base: dict) -> None:
    """Open the clock of `state` (one per item owed in `accepted`; none when it is untimed)."""
    calendar = clocks.state_calendar(locked, state)
    if calendar is None:
        return
    if state == State.ACCEPTED:
        clocks.sync_item_clocks(locked, reason=reason, calendar=calendar, **base)
    else:
        clocks.open_clock(locked, state, reason=reason, calendar=calendar, **base)


events = structlog.get_logger("sosa.actions")  # docs/ops/logging.md
REFUSALS: dict[type, str] = {
    NotVisible: "not_visible",
    NotAllowed: "not_allowed",
    InvalidTransition: "invalid_transition",
    StaleVersion: "stale_version",
    InvalidInput: "invalid_input",
}


def act(
    action: str,
    request: PriorityRequest | int,
    *,
    by,
    version: int | None,
    now: dt.datetime | None,
    apply: Callable[[PriorityRequest, dt.datetime], Change],
) -> PriorityRequest:
    """Run one action; `sosa_actions_total` counts it as done once it commits, or by the kind
    of refusal (not_visible, not_allowed, invalid_transition, stale_version, invalid_input)."""
    try:
        done = _act(action, request, by=by, version=version, now=now, apply=apply)
    except DomainError as error:
        outcome = REFUSALS.get(type(error), "refused")
        metrics.ACTIONS.labels(action, outcome).inc()
        events.info("action.refused", action=action, outcome=outcome, actor=by.get_username())
        raise

    def counted() -> None:
        metrics.ACTIONS.labels(action, "done").inc()
        events.info(
            "action.done",
            action=action,
            reference=done.reference,
            state=done.state,
            actor=by.get_username(),
        )

    transaction.on_commit(counted)
    return done


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
        check_may_take(by, locked, transition)
        check_version(locked, version)
        if locked.state not in transition.sources:
            raise InvalidTransition(
                _("Cannot %(action)s %(reference)s: it is %(state)s.")
                % {
                    "action": action_verb(action),
                    "reference": locked.reference,
                    "state": locked.get_state_display().lower(),
                },
                {
                    "state": [
                        _("'%(action)s' is not allowed in state '%(state)s'.")
                        % {"action": action, "state": locked.state}
                    ]
                },
            )
        change = apply(locked, now)
        from_state = locked.state
        for name, value in change.fields.items():
            setattr(locked, name, value)
        if change.fields.get("supplier") is not None:
            search.add_words(locked, change.fields["supplier"].name)
        locked.state = (
            change.target or transition.target or locked.info_requested_in or State.SUBMITTED
        )
        if action == "request_info":
            locked.info_requested_in = from_state
        else:  # answered or withdrawn: no longer waiting for information
            locked.info_requested_in = ""
        locked.resolution = (
            transition.resolution if change.resolution is None else change.resolution
        )
        # An answer returns to a stage already entered: keep the time it was first entered.
        stamp = STAGE_TIMESTAMP.get(locked.state) if transition.target else None
        if stamp and from_state != locked.state:
            setattr(locked, stamp, now)
        if change.comment:
            comment = Comment.objects.create(
                request=locked,
                author=by,
                body=change.comment,
                visibility=Visibility.SHARED,
                created_at=now,
            )
            change.data["comment_id"] = comment.pk
            search.add_words(locked, change.comment)
        if change.after is not None:
            change.after()  # the item rows first: the clocks follow their dates
        _move_clocks(locked, transition, at=now, actor_id=by.pk)
        _sync_due(locked)
        locked.version += 1  # the row is locked: no one else can have moved it on
        locked.save()
        if "rating" in change.fields:
            locked.refresh_from_db(fields=["priority_rank"])  # computed by the database
        write_event(locked, by=by, action=action, from_state=from_state, data=change.data, at=now)
    return locked
