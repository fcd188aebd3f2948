"""How long stages ran (DESIGN §5): working days per completed stage, from the clocks and their
ledgers, in the calendar of the nation that had to act."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Max, Min, Q, QuerySet

from partners.calendars import WorkingCalendar
from partners.models import Nation, calendars_for

from ...deadlines import REQUESTING_CALENDAR_STAGES
from .base import NOT_COMPLETED, Scope


def completed_clocks(scope: Scope) -> QuerySet:
    """Clocks whose stage finished in the period (not withdrawn or replaced)."""
    period = scope.period
    return scope.clocks.filter(
        stopped_at__gte=period.starts_at, stopped_at__lt=period.ends_at
    ).exclude(stop_reason__in=NOT_COMPLETED)


def running_working_days(
    ledger: list[dict],
    *,
    started_at: dt.datetime,
    stopped_at: dt.datetime,
    calendar: WorkingCalendar,
) -> int:
    """Working days a stopped clock ran: each running interval of the ledger counted as the SLA
    counts (finished on its first day: 0, on the next working day: 1); paused time left out."""
    intervals = [
        (
            dt.datetime.fromisoformat(entry["from"]),
            dt.datetime.fromisoformat(entry["to"]) if entry.get("to") else stopped_at,
        )
        for entry in ledger
        if entry.get("status") == "running"
    ] or [(started_at, stopped_at)]
    return sum(
        max(calendar.working_days_between(calendar.local_date(begin), calendar.local_date(end)), 0)
        for begin, end in intervals
    )


CLOCK_SIDES = (
    "request__route",
    "request__requesting_nation",
    "request__responding_nation",
)


def item_stages_finished(scope: Scope) -> list[dict]:
    """Per request, the stage its item clocks count (delivery), once: finished in the period
    when its last item clock stopped then and none is left open or was withdrawn; it ran from
    the first item clock's start (a reported delay replaces a clock, it does not restart the
    stage) to the last one's stop."""
    period = scope.period
    return list(
        scope.clocks.filter(item__isnull=False)
        .values("request", "stage", *CLOCK_SIDES)
        .annotate(
            first_start=Min("started_at"),
            last_stop=Max("stopped_at"),
            still_open=Count("pk", filter=Q(stopped_at__isnull=True)),
            withdrawn=Count("pk", filter=Q(stop_reason="withdraw")),
        )
        .filter(
            still_open=0,
            withdrawn=0,
            last_stop__gte=period.starts_at,
            last_stop__lt=period.ends_at,
        )
        .order_by()
    )


def stage_durations(scope: Scope) -> dict[tuple[str, str], list[int]]:
    """Working days each completed stage ran, by (route, stage): counted in the calendar of the
    nation that had to act — the requesting nation's for endorsement and answers. A stage timed
    per item (delivery) counts once per request, not once per item."""
    if "stage_durations" in scope.memo:
        return scope.memo["stage_durations"]
    clocks = list(
        completed_clocks(scope)
        .filter(item__isnull=True)
        .values("stage", "started_at", "stopped_at", "ledger", *CLOCK_SIDES)
    )
    clocks += [
        {
            **stage,
            "started_at": stage["first_start"],
            "stopped_at": stage["last_stop"],
            "ledger": [],
        }
        for stage in item_stages_finished(scope)
    ]
    nation_ids = {clock["request__responding_nation"] for clock in clocks} | {
        clock["request__requesting_nation"] for clock in clocks
    }
    # One calendar per nation, not per clock; their closures in one query.
    calendars = calendars_for(Nation.objects.filter(pk__in=nation_ids))
    durations: dict[tuple[str, str], list[int]] = {}
    for clock in clocks:
        side = (
            "request__requesting_nation"
            if clock["stage"] in REQUESTING_CALENDAR_STAGES
            else "request__responding_nation"
        )
        durations.setdefault((clock["request__route"], clock["stage"]), []).append(
            running_working_days(
                clock["ledger"] or [],
                started_at=clock["started_at"],
                stopped_at=clock["stopped_at"],
                calendar=calendars[clock[side]],
            )
        )
    scope.memo["stage_durations"] = durations
    return durations
