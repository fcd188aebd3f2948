"""The deadline sweep: climb the escalation ladder of every clock whose next rung has passed.

One sweep, two triggers: the Celery beat task `requests_app.tasks.sweep_deadlines` and
`python manage.py sweep_deadlines`. It touches only clocks whose indexed `next_escalation_at`
has passed, in batches; each batch is one transaction that claims its clocks with
`SELECT … FOR UPDATE SKIP LOCKED`, so two sweeps running at once never act on the same clock,
and the unique (clock, level) constraint records each level once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from partners.calendars import WorkingCalendar
from partners.models import Nation, Posture, calendar_for
from sosa_portal.lib.bulk import insert_rows, update_rows

from .. import deadlines
from ..choices import rating_label
from ..deadlines import (
    REQUESTING_CALENDAR_STAGES,
    Rung,
    around_the_clock,
    ladder_for,
    rung_time,
    stage_rule,
)
from ..models import Clock, Escalation, Event, PriorityRequest
from ..postures import posture_rule
from . import clocks as clock_rows
from .events import AudienceIndex, deadline_payload, record_events, save_events

# Large enough that per-statement costs fade, small enough that a batch stays ~30 MB of RSS.
BATCH_SIZE = 2000


@dataclass
class SweepResult:
    clocks: int = 0
    escalations: int = 0
    notifications: int = 0
    batches: int = 0


class CalendarCache:
    """Working calendars of the nations seen in one sweep (nation and closures read once)."""

    def __init__(self) -> None:
        self._by_nation: dict[int, WorkingCalendar] = {}

    def get(self, nation_id: int) -> WorkingCalendar:
        if nation_id not in self._by_nation:
            self._by_nation[nation_id] = calendar_for(Nation.objects.get(pk=nation_id))
        return self._by_nation[nation_id]


class LadderCache:
    """Rules and rung times seen in one sweep: many clocks share a stage and a due day."""

    def __init__(self) -> None:
        self._ladders: dict[str, tuple[Rung, ...]] = {}
        self._times: dict[tuple, dt.datetime] = {}

        self._around: dict[tuple[str, str, str], bool] = {}

    def ladder(self, stage: str) -> tuple[Rung, ...]:
        if stage not in self._ladders:
            overrides = getattr(settings, "SOSA_SLA_OVERRIDES", None)
            self._ladders[stage] = ladder_for(stage_rule(stage, overrides))
        return self._ladders[stage]

    def around(self, clock: SweptClock) -> bool:
        """Whether the clock counts around the clock (its posture, its route's rule)."""
        key = (clock.stage, clock.request.route, clock.posture)
        if key not in self._around:
            overrides = getattr(settings, "SOSA_SLA_OVERRIDES", None)
            rule = stage_rule(clock.stage, overrides, clock.request.route)
            self._around[key] = around_the_clock(
                rule, posture_rule(clock.posture or Posture.PEACETIME)
            )
        return self._around[key]

    def rung_time(
        self, rung: Rung, due_at: dt.datetime, calendar: WorkingCalendar, around: bool
    ) -> dt.datetime:
        if rung.offset_working_days == 0:
            return due_at
        if around:
            return rung_time(rung, due_at, calendar, around=True)
        # Away from the due time itself, a rung's time depends only on the local due day.
        key = (rung.offset_working_days, calendar.local_date(due_at), id(calendar))
        if key not in self._times:
            self._times[key] = rung_time(rung, due_at, calendar)
        return self._times[key]


# What the sweep reads of a clock and its request (the ladder, the audience, the notice, the
# webhook check), as plain rows: building model instances cost more in Python than all the
# sweep's SQL.
REQUEST_COLUMNS = (
    "reference",
    "title",
    "state",
    "rating",
    "program_symbol",
    "due_at",
    "escalation_level",
    "escalated_at",
    "requesting_nation_id",
    "responding_nation_id",
    "route",
    "submitted_at",
    "created_by_id",
    "assignee_id",
    "supplier_id",
)
CLAIMED_FIELDS = (
    "pk",
    "item_id",
    "item__description",
    "stage",
    "due_at",
    "explanation",
    "explanation_words",
    "next_escalation_at",
    "level",
    "posture",
    "request_id",
    *(f"request__{name}" for name in REQUEST_COLUMNS),
)


@dataclass(slots=True)
class SweptRequest:
    """A claimed clock's request: what the ladder, the audience and the notice read of it."""

    pk: int
    reference: str
    title: str
    state: str
    rating: str
    program_symbol: str
    due_at: dt.datetime | None
    escalation_level: int | None
    escalated_at: dt.datetime | None
    requesting_nation_id: int
    responding_nation_id: int
    route: str
    submitted_at: dt.datetime | None
    created_by_id: int
    assignee_id: int | None
    supplier_id: int | None

    @property
    def rating_display(self) -> str:
        return rating_label(self.rating, self.program_symbol)


@dataclass(slots=True)
class SweptClock:
    """A claimed clock; `update_rows` writes back its level and next escalation time."""

    pk: int
    item_id: int | None
    item_description: str | None
    stage: str
    due_at: dt.datetime
    explanation: str
    explanation_words: Any
    next_escalation_at: dt.datetime | None
    level: int | None
    posture: str
    request: SweptRequest


def _claim_batch(now: dt.datetime, size: int) -> list[SweptClock]:
    """Lock up to `size` due clocks (skipping those another sweep holds); the clocks of one
    request share one request row, so its level is worked out once."""
    rows = (
        Clock.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(stopped_at__isnull=True, paused_at__isnull=True, next_escalation_at__lte=now)
        .order_by("next_escalation_at", "id")
        .values_list(*CLAIMED_FIELDS)[:size]
    )
    requests: dict[int, SweptRequest] = {}
    clocks: list[SweptClock] = []
    for (
        pk,
        item_id,
        item,
        stage,
        due,
        explanation,
        said,
        next_at,
        level,
        posture,
        req,
        *rest,
    ) in rows:
        request = requests.get(req)
        if request is None:
            request = requests[req] = SweptRequest(req, *rest)
        clocks.append(
            SweptClock(
                pk, item_id, item, stage, due, explanation, said, next_at, level, posture, request
            )
        )
    return clocks


def _passed_rungs(
    clock: SweptClock, now: dt.datetime, calendar: WorkingCalendar, ladders: LadderCache
) -> tuple[list[Rung], dt.datetime | None]:
    """Rungs above the clock's level whose time has come, lowest first, and when the next one
    falls due (None at the top). Rung times rise with the level, so the first future one ends."""
    passed: list[Rung] = []
    around = ladders.around(clock)
    for rung in ladders.ladder(clock.stage):
        if clock.level is not None and rung.level <= clock.level:
            continue
        at = ladders.rung_time(rung, clock.due_at, calendar, around)
        if at > now:
            return passed, at
        passed.append(rung)
    return passed, None


def _sweep_batch(
    clocks: list[SweptClock], now: dt.datetime, calendars: CalendarCache, ladders: LadderCache
) -> SweepResult:
    result = SweepResult(clocks=len(clocks), batches=1)
    escalations: list[tuple] = []
    events: list[Event] = []
    plans: list[tuple[SweptClock, Rung]] = []
    changed_requests: dict[int, SweptRequest] = {}
    for clock in clocks:
        calendar = calendars.get(counting_nation_id(clock))
        passed, clock.next_escalation_at = _passed_rungs(clock, now, calendar, ladders)
        if not passed:  # the due time moved (closure added): just reschedule
            continue
        # Catching up after downtime: record every level passed, notify for the highest only.
        escalations.extend((clock.pk, rung.level, now) for rung in passed)
        top = passed[-1]
        clock.level = top.level
        request = clock.request
        # The request shows the highest level of its clocks (one per item owed on delivery).
        level = max(top.level, request.escalation_level or top.level)
        # Only requests whose columns change are written (each write is a new row version).
        if request.escalation_level != level or (
            top.flags_request and request.escalated_at is None
        ):
            request.escalation_level = level
            if top.flags_request and request.escalated_at is None:
                request.escalated_at = now
            changed_requests[request.pk] = request
        event = Event(
            request_id=request.pk,
            action="escalate",
            from_state=request.state,
            to_state=request.state,
            data={
                "level": top.level,
                "name": top.name,
                "stage": clock.stage,
                "due_at": clock.due_at.isoformat(),
                "levels": [rung.level for rung in passed],
                **_item_of(clock),
            },
            created_at=now,
        )
        # What record_events reads of `event.request` (state, nations) is on the light row.
        Event.request.field.set_cached_value(event, cast(Any, request))
        events.append(event)
        plans.append((clock, top))
    insert_rows(Escalation, ["clock_id", "level", "created_at"], escalations)
    save_events(events)
    audience = AudienceIndex([clock.request for clock, _ in plans])
    notices: list[tuple] = []
    for (clock, rung), event in zip(plans, events, strict=True):
        request = clock.request
        payload = deadline_payload(
            request,
            kind=rung.name,
            stage=clock.stage,
            due_at=clock.due_at,
            explanation=clock.explanation,
            explanation_words=clock.explanation_words,
            item_description=clock.item_description,
        )
        notices.extend(
            (user_id, rung.name, request.pk, event.pk, payload, now, 0, "")
            for user_id in sorted(audience.users(request, rung.notifies))
        )
    update_rows(Clock, clocks, ["level", "next_escalation_at"])
    # `updated_at` is left alone: it is indexed (delta sync), and writing it would turn these
    # HOT updates into a new entry in every index of the request. Escalations reach a syncing
    # system as `escalate` events in the event feed.
    update_rows(
        PriorityRequest, list(changed_requests.values()), ["escalation_level", "escalated_at"]
    )
    record_events(events, notice_rows=notices)
    result.escalations = len(escalations)
    result.notifications = len(notices)
    return result


def _item_of(clock: SweptClock) -> dict:
    """The item a delivery clock counts for, named in the event and its notice."""
    if clock.item_id is None:
        return {}
    return {"item": clock.item_id, "item_description": clock.item_description}


def sweep_deadlines(now: dt.datetime | None = None, *, batch_size: int = BATCH_SIZE) -> SweepResult:
    """Escalate every clock whose next rung has passed; safe to run twice or concurrently."""
    now = now or timezone.now()
    total = SweepResult()
    calendars = CalendarCache()
    ladders = LadderCache()
    while True:
        with transaction.atomic():
            clocks = _claim_batch(now, batch_size)
            if not clocks:
                break
            batch = _sweep_batch(clocks, now, calendars, ladders)
        total.clocks += batch.clocks
        total.escalations += batch.escalations
        total.notifications += batch.notifications
        total.batches += 1
        if len(clocks) < batch_size:
            break
    return total


def counting_nation_id(clock: SweptClock) -> int:
    """The nation whose working days the clock counts (`deadlines.counting_nation_id`)."""
    request = clock.request
    return deadlines.counting_nation_id(
        clock.stage, request.requesting_nation_id, request.responding_nation_id
    )


def recompute_open_clocks(nation: Nation, *, on: dt.date | None = None) -> int:
    """After a Closure changes: recompute due times of the open clocks counted in the nation's
    working days that it touches."""
    requesting_stages = sorted(REQUESTING_CALENDAR_STAGES)
    touched = (
        Clock.objects.filter(stopped_at__isnull=True)
        .filter(
            Q(stage__in=requesting_stages, request__requesting_nation=nation)
            | (~Q(stage__in=requesting_stages) & Q(request__responding_nation=nation))
        )
        .select_related("request", "request__responding_nation")
    )
    if on is not None:  # a closure only moves clocks counting across its day
        touched = touched.filter(
            started_at__date__lte=on + dt.timedelta(days=1),
            due_at__date__gte=on - dt.timedelta(days=1),
        )
    calendar = calendar_for(nation)
    changed = 0
    for clock in touched.iterator(chunk_size=500):
        if clock_rows.recompute_due(clock, calendar=calendar):
            changed += 1
    return changed
