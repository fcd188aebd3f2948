"""Clock rows: open, pause, resume and stop them, keeping their ledger of intervals.

Called only by `requests_app.services`, inside the service's transaction. The arithmetic comes
from `requests_app.deadlines`; this module stores its results.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from partners.calendars import WorkingCalendar
from partners.models import calendar_for

from ..deadlines import (
    REQUESTING_CALENDAR_STAGES,
    ConductPolicy,
    StageRule,
    around_the_clock,
    ladder_for,
    next_rung,
    open_due,
    remaining_working_days,
    resumed_due,
    sla_rule,
    stage_rule,
)
from ..models import Clock, ItemResponse, PriorityRequest, RequestItem, Stage, State
from ..models.requests import posture_overrides
from ..postures import PEACETIME, PostureRule, posture_rule


def _calendar_of(request: PriorityRequest, nation_field: str) -> WorkingCalendar:
    """A nation's working calendar, read once per request object and nation (an action asks
    for it several times)."""
    nation_id = getattr(request, f"{nation_field}_id")
    cache = request.__dict__.setdefault("_sosa_calendars", {})
    if nation_id not in cache:
        cache[nation_id] = calendar_for(getattr(request, nation_field))
    return cache[nation_id]


def stage_calendar(request: PriorityRequest, stage: str) -> WorkingCalendar:
    """The calendar a stage's clock counts in: the working days of the nation that must act
    (DESIGN §5) — the requesting nation's for endorsement and the requester's answer, the
    responding nation's for the rest."""
    if stage in REQUESTING_CALENDAR_STAGES:
        return _calendar_of(request, "requesting_nation")
    return _calendar_of(request, "responding_nation")


def state_calendar(request: PriorityRequest, state: str) -> WorkingCalendar | None:
    """`stage_calendar` of the clock `state` opens (None when the state is not timed)."""
    rule = sla_rule(state, _overrides(), request.route)
    return None if rule is None else stage_calendar(request, rule.stage)


def _overrides():
    return getattr(settings, "SOSA_SLA_OVERRIDES", None)


def posture_of(request: PriorityRequest) -> PostureRule:
    return request.arrangement_posture


def clock_posture(clock: Clock) -> PostureRule:
    """The posture a clock was counted under (a delivery clock: none, peacetime's rules)."""
    return posture_rule(clock.posture or PEACETIME.posture, overrides=posture_overrides())


def clock_rule(clock: Clock, route: str) -> StageRule:
    return stage_rule(clock.stage, _overrides(), route)


def conduct_policy(request: PriorityRequest) -> ConductPolicy:
    """The responding nation's Code of Conduct response time, for its supplier clock."""
    nation = request.responding_nation
    return ConductPolicy(nation.name, nation.conduct_response_working_days)


def _interval(status: str, at: dt.datetime, reason: str, actor_id: int | None) -> dict:
    return {
        "status": status,
        "from": at.isoformat(),
        "to": None,
        "reason": reason,
        "actor": actor_id,
    }


def _close_interval(clock: Clock, at: dt.datetime) -> None:
    if clock.ledger and clock.ledger[-1]["to"] is None:
        clock.ledger[-1]["to"] = at.isoformat()


def schedule_next(
    clock: Clock, calendar: WorkingCalendar, route: str, posture: PostureRule | None = None
) -> None:
    """When the clock's next rung falls due (counted as its posture counts it)."""
    rule = clock_rule(clock, route)
    found = next_rung(
        ladder_for(rule),
        due_at=clock.due_at,
        level_reached=clock.level,
        calendar=calendar,
        around=around_the_clock(rule, posture or clock_posture(clock)),
    )
    clock.next_escalation_at = found[1] if found else None


def open_clock(
    request: PriorityRequest,
    state: str,
    *,
    at: dt.datetime,
    actor_id: int | None,
    reason: str,
    calendar: WorkingCalendar,
) -> Clock | None:
    """Open the clock of `state` (None when the state is not timed)."""
    rule = sla_rule(state, _overrides(), request.route)
    if rule is None:
        return None
    posture = posture_of(request)
    due = open_due(
        rule,
        started_at=at,
        calendar=calendar,
        rating=request.rating,
        urgency=request.urgency,
        committed_date=request.committed_delivery_date,
        conduct=conduct_policy(request) if rule.conduct_days else None,
        posture=posture,
    )
    clock = Clock(
        request=request,
        stage=rule.stage,
        started_at=at,
        due_at=due.due_at,
        explanation=due.explanation[:2000],
        explanation_words=due.words,
        ledger=[_interval("running", at, reason, actor_id)],
        posture=posture.posture,
        # The firm it waits for, in its response ledger.
        supplier_id=request.supplier_id if rule.stage == Stage.SUPPLIER_RESPONSE else None,
    )
    schedule_next(clock, calendar, request.route, posture)
    clock.save()
    return clock


def sync_item_clocks(
    request: PriorityRequest,
    *,
    at: dt.datetime,
    actor_id: int | None,
    reason: str,
    calendar: WorkingCalendar,
) -> None:
    """The delivery stage's clocks (DESIGN §4a): one per accepted item still owed, due at close
    of business on its committed date in the responding nation. A clock whose item arrived in
    full, or whose date moved, stops; a moved item gets a new clock (its ladder starts again).
    Outside `accepted` every item clock stops."""
    rule = sla_rule(State.ACCEPTED, _overrides(), request.route)
    owed: dict[int, RequestItem] = {}
    if request.state == State.ACCEPTED and rule is not None:
        owed = {
            item.pk: item
            for item in RequestItem.objects.filter(
                request_id=request.pk, response=ItemResponse.ACCEPTED
            )
            if not item.delivered_in_full and item.committed_delivery_date is not None
        }
    for clock in Clock.objects.filter(
        request_id=request.pk, stage=Stage.DELIVERY, stopped_at__isnull=True
    ):
        item = owed.get(clock.item_id) if clock.item_id else None
        day = item.committed_delivery_date if item is not None else None
        if (
            item is not None
            and day is not None
            and clock.due_at == calendar.close_of_business_on(day)
        ):
            del owed[item.pk]  # still owed, same date: it keeps its clock and its levels
        else:
            stop_clock(clock, at=at, reason=reason)
    for item in owed.values():
        assert rule is not None
        due = open_due(
            rule,
            started_at=at,
            calendar=calendar,
            committed_date=item.committed_delivery_date,
            item_description=item.description,
        )
        clock = Clock(
            request=request,
            item=item,
            stage=rule.stage,
            started_at=at,
            due_at=due.due_at,
            explanation=due.explanation[:2000],
            explanation_words=due.words,
            ledger=[_interval("running", at, reason, actor_id)],
            posture="",  # to its committed date, in every posture
            supplier_id=request.supplier_id,
        )
        schedule_next(clock, calendar, request.route, PEACETIME)
        clock.save()


def stop_clock(clock: Clock, *, at: dt.datetime, reason: str) -> None:
    _close_interval(clock, at)
    clock.stopped_at = at
    clock.stop_reason = reason[:32]
    clock.next_escalation_at = None
    clock.save(update_fields=["stopped_at", "stop_reason", "next_escalation_at", "ledger"])


def pause_clock(
    clock: Clock,
    *,
    request: PriorityRequest,
    at: dt.datetime,
    actor_id: int | None,
    reason: str,
    calendar: WorkingCalendar,
) -> None:
    """Pause a running clock, keeping the working days (around the clock: days) it had left."""
    _close_interval(clock, at)
    clock.ledger.append(_interval("paused", at, reason, actor_id))
    clock.paused_at = at
    around = around_the_clock(clock_rule(clock, request.route), clock_posture(clock))
    clock.remaining_working_days = remaining_working_days(clock.due_at, at, calendar, around=around)
    clock.next_escalation_at = None
    clock.save(
        update_fields=["paused_at", "remaining_working_days", "next_escalation_at", "ledger"]
    )


def resume_clock(
    clock: Clock,
    *,
    request: PriorityRequest,
    at: dt.datetime,
    actor_id: int | None,
    reason: str,
    calendar: WorkingCalendar,
) -> None:
    """Resume a paused clock with the working time it had left, under the posture in force."""
    posture = posture_of(request)
    due = resumed_due(
        clock.remaining_working_days or 0,
        resumed_at=at,
        calendar=calendar,
        rule=clock_rule(clock, request.route),
        posture=posture,
    )
    _close_interval(clock, at)
    clock.ledger.append(_interval("running", at, reason, actor_id))
    clock.paused_at = None
    # remaining_working_days stays: it is what the resumed clock counts (see recompute_due).
    clock.due_at = due.due_at
    clock.explanation, clock.explanation_words = due.explanation[:2000], due.words
    clock.posture = posture.posture
    schedule_next(clock, calendar, request.route, posture)
    clock.save(
        update_fields=[
            "paused_at",
            "remaining_working_days",
            "due_at",
            "explanation",
            "explanation_words",
            "next_escalation_at",
            "ledger",
            "posture",
        ]
    )


def open_clocks(request: PriorityRequest) -> list[Clock]:
    return list(Clock.objects.filter(request=request, stopped_at__isnull=True))


def running_clocks(request: PriorityRequest) -> list[Clock]:
    """The running clocks, the first due first: one per stage, or one per item owed."""
    return list(
        Clock.objects.filter(
            request=request, stopped_at__isnull=True, paused_at__isnull=True
        ).order_by("due_at", "id")
    )


def counted_due(
    clock: Clock, request: PriorityRequest, *, calendar: WorkingCalendar, posture: PostureRule
):
    """A running clock's due time counted afresh: the calendar as it is now (closures), under
    `posture`. None for a clock that runs to a committed date."""
    rule = clock_rule(clock, request.route)
    if rule.until_committed_date:
        return None
    runs = [interval for interval in clock.ledger if interval["status"] == "running"]
    if len(runs) > 1:  # resumed after a pause: counted from the resume
        return resumed_due(
            clock.remaining_working_days or 0,
            resumed_at=dt.datetime.fromisoformat(runs[-1]["from"]),
            calendar=calendar,
            rule=rule,
            posture=posture,
        )
    return open_due(
        rule,
        started_at=clock.started_at,
        calendar=calendar,
        rating=request.rating,
        urgency=request.urgency,
        conduct=conduct_policy(request) if rule.conduct_days else None,
        posture=posture,
    )


def recompute_due(clock: Clock, *, calendar: WorkingCalendar) -> bool:
    """Recount a running clock's due time with the calendar as it is now (closures changed).

    Levels already reached stay reached: nobody is told twice. Returns True when it moved."""
    if clock.stopped_at or clock.paused_at:
        return False
    posture = clock_posture(clock)
    due = counted_due(clock, clock.request, calendar=calendar, posture=posture)
    if due is None or due.due_at == clock.due_at:
        return False
    clock.due_at, clock.explanation = due.due_at, due.explanation[:2000]
    clock.explanation_words = due.words
    schedule_next(clock, calendar, clock.request.route, posture)
    clock.save(update_fields=["due_at", "explanation", "explanation_words", "next_escalation_at"])
    PriorityRequest.objects.filter(pk=clock.request_id).update(
        due_at=due.due_at, updated_at=timezone.now()
    )
    return True
