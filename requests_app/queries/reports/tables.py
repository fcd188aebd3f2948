"""Report figures (DESIGN §5: reports are computed from the clocks and their ledgers).

Selectors only: each takes a `Scope` (the requests a user may see, a period, the moment) and
returns a `Table`, aggregated in the database where it can be, with a fixed number of queries
whatever the number of requests. The page draws charts from these tables and offers each as CSV.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _

from ...deadlines import ROUTE_SLA
from ...models import Route, Stage, State
from .base import (
    OPEN_STATES,
    RATINGS,
    STAGES,
    TREND_WEEKS,
    Column,
    Period,
    Scope,
    Table,
    percentile,
)
from .deliveries import delivery_by_item
from .durations import completed_clocks, stage_durations

# --- SLA compliance ---------------------------------------------------------------------------

SLA_COLUMNS = (
    Column("met", _("Met"), "count"),
    Column("missed", _("Missed"), "count"),
    Column("total", _("Stopped clocks"), "count"),
    Column("percent_met", _("Met on time"), "percent"),
)
SLA_EMPTY = _("No clock stopped in this period.")


def _met_missed(clocks: QuerySet, *group_by) -> QuerySet:
    return (
        clocks.values(*group_by)
        .annotate(
            met=Count("pk", filter=Q(stopped_at__lte=F("due_at"))),
            missed=Count("pk", filter=Q(stopped_at__gt=F("due_at"))),
        )
        .order_by(*group_by)
    )


def _sla_row(label_key: str, label, met: int, missed: int) -> dict:
    total = met + missed
    return {
        label_key: label,
        "met": met,
        "missed": missed,
        "total": total,
        "percent_met": round(100 * met / total, 1) if total else None,
    }


def _sla_table(name, title, description, first: Column, rows: list[dict]) -> Table:
    return Table(
        name,
        title,
        description,
        SLA_EMPTY,
        (first, *SLA_COLUMNS),
        rows,
        is_empty=not any(row["total"] for row in rows),
    )


def sla_by_stage(scope: Scope) -> Table:
    found = {row["stage"]: row for row in _met_missed(completed_clocks(scope), "stage")}
    rows = [
        _sla_row(
            "stage",
            str(Stage(stage).label),
            found.get(stage, {}).get("met", 0),
            found.get(stage, {}).get("missed", 0),
        )
        for stage in STAGES
    ]
    return _sla_table(
        "sla_by_stage",
        _("SLA compliance by stage"),
        _("Clocks stopped in the period: met when stopped by their due time, missed when after."),
        Column("stage", _("Stage"), "text"),
        rows,
    )


def sla_by_nation(scope: Scope) -> Table:
    grouped = _met_missed(
        completed_clocks(scope), "request__responding_nation__name", "request__responding_nation"
    )
    rows = [
        _sla_row("nation", row["request__responding_nation__name"], row["met"], row["missed"])
        for row in grouped
    ]
    return _sla_table(
        "sla_by_nation",
        _("SLA compliance by responding nation"),
        _("The same clocks, by the nation that answers the request and owns the deadlines."),
        Column("nation", _("Responding nation"), "text"),
        rows,
    )


def sla_by_month(scope: Scope) -> Table:
    clocks = completed_clocks(scope).annotate(
        month=TruncMonth("stopped_at", tzinfo=scope.period.tz)
    )
    found = {}
    for row in _met_missed(clocks, "month"):
        month = row["month"]
        found[month.date() if isinstance(month, dt.datetime) else month] = row
    rows = [
        _sla_row(
            "month",
            month,
            found.get(month, {}).get("met", 0),
            found.get(month, {}).get("missed", 0),
        )
        for month in scope.period.months()
    ]
    return _sla_table(
        "sla_by_month",
        _("SLA compliance by month"),
        _("The same clocks, by the month in which they stopped."),
        Column("month", _("Month"), "month"),
        rows,
    )


# --- time per stage ---------------------------------------------------------------------------

# Each route's timed stages, in the order of STAGES.
ROUTE_STAGES: dict[str, list[str]] = {
    route: [stage for stage in STAGES if stage in {rule.stage for rule in table.values()}]
    for route, table in ROUTE_SLA.items()
}


TIME_COLUMNS = (
    Column("completed", _("Stages finished"), "count"),
    Column("median_days", _("Median (working days)"), "days"),
    Column("p90_days", _("90th percentile (working days)"), "days"),
)


def _time_row(days: list[int], **labels) -> dict:
    return {
        **labels,
        "completed": len(days),
        "median_days": percentile(days, 0.5),
        "p90_days": percentile(days, 0.9),
    }


def time_by_stage(scope: Scope) -> Table:
    durations = stage_durations(scope)
    by_stage: dict[str, list[int]] = {stage: [] for stage in STAGES}
    for (_route, stage), days in durations.items():
        by_stage.setdefault(stage, []).extend(days)
    return Table(
        "time_by_stage",
        _("Time per stage"),
        _(
            "Working days of the nation that had to act, from the clock's start to its stop, "
            "paused time left out; a stage finished on the day it started counts 0."
        ),
        _("No stage finished in this period."),
        (Column("stage", _("Stage"), "text"), *TIME_COLUMNS),
        [_time_row(by_stage[stage], stage=str(Stage(stage).label)) for stage in STAGES],
        is_empty=not durations,
    )


def time_by_route(scope: Scope) -> Table:
    """Turnaround split by route: each route's own stages, so the DoD's and Commerce's keys
    and the national endorsement each show the time spent in them."""
    durations = stage_durations(scope)
    rows = [
        _time_row(
            durations.get((route, stage), []),
            route=str(Route(route).label),
            stage=str(Stage(stage).label),
        )
        for route in Route.values
        for stage in ROUTE_STAGES[route]
    ]
    return Table(
        "time_by_route",
        _("Turnaround by route"),
        _(
            "The time per stage of each route: on the DPAS route the DoD's determination and "
            "Commerce's rating authorisation, on the Code of Conduct route the ministry's review."
        ),
        _("No stage finished in this period."),
        (Column("route", _("Route"), "text"), Column("stage", _("Stage"), "text"), *TIME_COLUMNS),
        rows,
        is_empty=not durations,
    )


# --- open requests ----------------------------------------------------------------------------


def rating_label(rating: str) -> str:
    return rating or str(_("Unrated"))


OPEN_DESCRIPTION = _("Submitted and not yet resolved, as of now: the period does not apply.")
OPEN_EMPTY = _("No open requests.")


def open_by_state(scope: Scope) -> Table:
    counts = scope.open_counts
    rows = []
    for state in OPEN_STATES:
        row = {"state": str(State(state).label)}
        for rating in RATINGS:
            row[rating.lower() or "unrated"] = counts.get((state, rating), 0)
        row["total"] = row["dx"] + row["do"] + row["unrated"]
        rows.append(row)
    return Table(
        "open_by_state",
        _("Open requests by state"),
        OPEN_DESCRIPTION,
        OPEN_EMPTY,
        (
            Column("state", _("State"), "text"),
            Column("dx", "DX"),
            Column("do", "DO"),
            Column("unrated", _("Unrated")),
            Column("total", _("Total")),
        ),
        rows,
        is_empty=not any(row["total"] for row in rows),
    )


def open_by_rating(scope: Scope) -> Table:
    counts = scope.open_counts
    rows = [
        {
            "rating": rating_label(rating),
            "open": sum(n for (_state, each), n in counts.items() if each == rating),
        }
        for rating in RATINGS
    ]
    return Table(
        "open_by_rating",
        _("Open requests by rating"),
        OPEN_DESCRIPTION,
        OPEN_EMPTY,
        (Column("rating", _("Rating"), "text"), Column("open", _("Open requests"))),
        rows,
        is_empty=not any(row["open"] for row in rows),
    )


# --- overdue trend ----------------------------------------------------------------------------


def trend_points(period: Period, now: dt.datetime, weeks: int = TREND_WEEKS) -> list[dt.datetime]:
    """The ends of the last `weeks` weeks of the period (the last one no later than now)."""
    last = min(now.astimezone(period.tz), period.ends_at)
    return [last - dt.timedelta(weeks=back) for back in range(weeks - 1, -1, -1)]


def closing_day(moment: dt.datetime, tz: dt.tzinfo) -> dt.date:
    """The day a point closes, in the reader's time zone (midnight closes the day before)."""
    return (moment - dt.timedelta(microseconds=1)).astimezone(tz).date()


def overdue_at(moment: dt.datetime) -> Q:
    """A clock overdue at `moment`: started, past due, not yet stopped, and not paused then
    (a clock still paused keeps its old due time, which no longer binds anyone)."""
    return (
        Q(started_at__lte=moment, due_at__lt=moment)
        & (Q(stopped_at__isnull=True) | Q(stopped_at__gt=moment))
        & (Q(paused_at__isnull=True) | Q(paused_at__gt=moment))
    )


def overdue_trend(scope: Scope) -> Table:
    points = trend_points(scope.period, scope.now)
    counted = scope.clocks.filter(
        Q(stopped_at__isnull=True) | Q(stopped_at__gt=points[0]),
        started_at__lte=points[-1],
        due_at__lt=points[-1],
    ).aggregate(
        **{
            f"at_{index}": Count("request", distinct=True, filter=overdue_at(moment))
            for index, moment in enumerate(points)
        }
    )
    rows = [
        {
            "week_ending": closing_day(moment, scope.period.tz),
            "overdue": counted[f"at_{index}"] or 0,
        }
        for index, moment in enumerate(points)
    ]
    return Table(
        "overdue_trend",
        _("Overdue trend"),
        _(
            "Requests with an overdue clock at the end of each of the %(weeks)d weeks up to the "
            "end of the period (or up to now); a clock paused at that moment is not overdue."
        )
        % {"weeks": TREND_WEEKS},
        _("No request was overdue at the end of any of these weeks."),
        (Column("week_ending", _("Week ending"), "day"), Column("overdue", _("Overdue requests"))),
        rows,
        is_empty=not any(row["overdue"] for row in rows),
    )


TABLES: dict[str, Callable[[Scope], Table]] = {
    "sla_by_stage": sla_by_stage,
    "sla_by_nation": sla_by_nation,
    "sla_by_month": sla_by_month,
    "time_by_stage": time_by_stage,
    "time_by_route": time_by_route,
    "open_by_state": open_by_state,
    "open_by_rating": open_by_rating,
    "overdue_trend": overdue_trend,
    "delivery_by_item": delivery_by_item,
}


def all_tables(scope: Scope) -> list[Table]:
    return [build(scope) for build in TABLES.values()]
