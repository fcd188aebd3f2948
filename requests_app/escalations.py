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

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from partners.calendars import WorkingCalendar
from partners.models import Nation, calendar_for

from . import webhooks
from .deadlines import ladder_for, next_rung, rung_time, stage_rule
from .models import Clock, Escalation, Event, Notification, PriorityRequest
from .notifications import AudienceIndex, after_commit_send, notice_payload

BATCH_SIZE = 500


@dataclass
class SweepResult:
    clocks: int = 0
    escalations: int = 0
    notifications: int = 0
    batches: int = 0


class CalendarCache:
    """Working calendars of the nations seen in one sweep (closures read once per nation)."""

    def __init__(self) -> None:
        self._by_nation: dict[int, WorkingCalendar] = {}

    def get(self, nation: Nation) -> WorkingCalendar:
        if nation.pk not in self._by_nation:
            self._by_nation[nation.pk] = calendar_for(nation)
        return self._by_nation[nation.pk]


def _claim_batch(now: dt.datetime, size: int) -> list[Clock]:
    return list(
        Clock.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(stopped_at__isnull=True, paused_at__isnull=True, next_escalation_at__lte=now)
        .select_related("request", "request__responding_nation")
        .order_by("next_escalation_at", "id")[:size]
    )


def update_rows(model, rows: list, fields: list[str]) -> None:
    """Write `fields` of many rows in one statement (`UPDATE … FROM (VALUES …)` on PostgreSQL,
    where Django's bulk_update builds a slow CASE per field)."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_update(rows, fields)
        return
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    casts = [column.db_type(connection) for column in columns]
    placeholder = "(%s, " + ", ".join(f"%s::{cast}" for cast in casts) + ")"
    values_sql = ", ".join([placeholder] * len(rows))
    params: list = []
    for row in rows:
        params.append(row.pk)
        params.extend(
            column.get_db_prep_save(getattr(row, column.attname), connection) for column in columns
        )
    assignments = ", ".join(f'"{c.column}" = v."{c.column}"' for c in columns)
    names = ", ".join(f'"{c.column}"' for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f'UPDATE "{meta.db_table}" SET {assignments} FROM (VALUES {values_sql}) '
            f'AS v(id, {names}) WHERE "{meta.db_table}"."id" = v.id',
            params,
        )


def _passed_rungs(clock: Clock, now: dt.datetime, calendar: WorkingCalendar):
    """Rungs above the clock's level whose time has come, lowest first."""
    rule = stage_rule(clock.stage, getattr(settings, "SOSA_SLA_OVERRIDES", None))
    ladder = ladder_for(rule)
    return [
        rung
        for rung in ladder
        if (clock.level is None or rung.level > clock.level)
        and rung_time(rung, clock.due_at, calendar) <= now
    ], ladder


def _sweep_batch(clocks: list[Clock], now: dt.datetime, calendars: CalendarCache) -> SweepResult:
    result = SweepResult(clocks=len(clocks), batches=1)
    requests = [clock.request for clock in clocks]
    audience = AudienceIndex(requests)
    escalations: list[Escalation] = []
    events: list[Event] = []
    plans: list[tuple[Clock, object, Event]] = []
    for clock in clocks:
        calendar = calendars.get(clock.request.responding_nation)
        passed, ladder = _passed_rungs(clock, now, calendar)
        if not passed:  # the due time moved (closure added): just reschedule
            found = next_rung(
                ladder, due_at=clock.due_at, level_reached=clock.level, calendar=calendar
            )
            clock.next_escalation_at = found[1] if found else None
            continue
        # Catching up after downtime: record every level passed, notify for the highest only.
        for rung in passed:
            escalations.append(Escalation(clock=clock, level=rung.level, created_at=now))
        top = passed[-1]
        clock.level = top.level
        found = next_rung(ladder, due_at=clock.due_at, level_reached=top.level, calendar=calendar)
        clock.next_escalation_at = found[1] if found else None
        request = clock.request
        request.escalation_level = top.level
        if top.flags_request and request.escalated_at is None:
            request.escalated_at = now
        event = Event(
            request=request,
            action="escalate",
            from_state=request.state,
            to_state=request.state,
            data={
                "level": top.level,
                "name": top.name,
                "stage": clock.stage,
                "due_at": clock.due_at.isoformat(),
                "levels": [rung.level for rung in passed],
            },
            created_at=now,
        )
        events.append(event)
        plans.append((clock, top, event))
    Escalation.objects.bulk_create(escalations)
    Event.objects.bulk_create(events)
    notices: list[Notification] = []
    for clock, rung, event in plans:
        request = clock.request
        payload = notice_payload(request, kind=rung.name, clock=clock)
        for user_id in sorted(audience.users(request, rung.notifies)):
            notices.append(
                Notification(
                    recipient_id=user_id,
                    kind=rung.name,
                    request=request,
                    event=event,
                    payload=payload,
                    created_at=now,
                )
            )
    Notification.objects.bulk_create(notices, ignore_conflicts=True)
    update_rows(Clock, clocks, ["level", "next_escalation_at"])
    update_rows(
        PriorityRequest,
        [clock.request for clock, _, _ in plans],
        ["escalation_level", "escalated_at"],
    )
    after_commit_send(event_ids=[event.pk for event in events])
    webhooks.queue_for_events(events)
    result.escalations = len(escalations)
    result.notifications = len(notices)
    return result


def sweep_deadlines(now: dt.datetime | None = None, *, batch_size: int = BATCH_SIZE) -> SweepResult:
    """Escalate every clock whose next rung has passed; safe to run twice or concurrently."""
    now = now or timezone.now()
    total = SweepResult()
    calendars = CalendarCache()
    while True:
        with transaction.atomic():
            clocks = _claim_batch(now, batch_size)
            if not clocks:
                break
            batch = _sweep_batch(clocks, now, calendars)
        total.clocks += batch.clocks
        total.escalations += batch.escalations
        total.notifications += batch.notifications
        total.batches += 1
        if len(clocks) < batch_size:
            break
    return total


def recompute_open_clocks(nation: Nation, *, on: dt.date | None = None) -> int:
    """After a Closure changes: recompute due times of the nation's open clocks it touches."""
    from . import clocks as clock_rows

    touched = Clock.objects.filter(
        stopped_at__isnull=True, request__responding_nation=nation
    ).select_related("request", "request__responding_nation")
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
