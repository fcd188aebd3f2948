"""What a report is made of: the period, the scope (the requests a user may see), columns and
tables, and the small statistics the tables share."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Count, Q, QuerySet
from django.utils.formats import date_format

from partners.models import Nation
from sosa_portal.lib import safe_csv

from ...models import Clock, PriorityRequest, Rating, Stage, State

# Officials read reports; suppliers see only the requests forwarded to them, so a nation-wide
# report is not theirs to read.
# A clock stopped by these did not finish its stage: the request was withdrawn, or the delivery
# clock was replaced by a new committed date. They count neither as met nor as missed.
NOT_COMPLETED = ("withdraw", "report_delay")
# Every timed stage of both routes: the two keys (determination, authorisation), the Code of
# Conduct review and the requesting nation's endorsement each get their row.
STAGES: tuple[str, ...] = tuple(Stage.values)
OPEN_STATES: tuple[str, ...] = tuple(
    state for state in State.values if state not in (State.DRAFT, State.RESOLVED)
)
RATINGS: tuple[str, ...] = (Rating.DX, Rating.DO, "")
TREND_WEEKS = 12
MAX_PERIOD_DAYS = 3 * 366


# --- what a report is made of -----------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Local dates `start_on`..`end_on` (both included) in the reader's time zone."""

    start_on: dt.date
    end_on: dt.date
    tz: dt.tzinfo

    @property
    def starts_at(self) -> dt.datetime:
        return dt.datetime.combine(self.start_on, dt.time.min, tzinfo=self.tz)

    @property
    def ends_at(self) -> dt.datetime:
        """The first moment after the period."""
        return dt.datetime.combine(self.end_on + dt.timedelta(days=1), dt.time.min, tzinfo=self.tz)

    def months(self) -> list[dt.date]:
        month, months = self.start_on.replace(day=1), []
        while month <= self.end_on:
            months.append(month)
            month = (month + dt.timedelta(days=32)).replace(day=1)
        return months


def default_period(today: dt.date, tz: dt.tzinfo) -> Period:
    """The last six months: this month and the five before it."""
    start = today.replace(day=1)
    for _month in range(5):
        start = (start - dt.timedelta(days=1)).replace(day=1)
    return Period(start, today, tz)


@dataclass(frozen=True)
class Scope:
    requests: QuerySet  # already restricted to what the reader may see
    period: Period
    now: dt.datetime

    @property
    def clocks(self) -> QuerySet:
        return Clock.objects.filter(request__in=self.requests.values("pk"))

    @cached_property
    def memo(self) -> dict:
        """Figures several tables share, worked out once per report."""
        return {}

    @cached_property
    def open_counts(self) -> dict[tuple[str, str], int]:
        """Open requests per (state, rating); both open-request tables read it."""
        grouped = (
            self.requests.filter(state__in=OPEN_STATES)
            .values("state", "rating")
            .annotate(count=Count("pk"))
            .order_by()
        )
        return {(row["state"], row["rating"]): row["count"] for row in grouped}


def scoped_requests(user, nation: Nation | None = None, route: str = "") -> QuerySet:
    """The requests a report may count for `user`: never more than they may see (of one
    route, where `route` is given)."""
    requests = PriorityRequest.objects.visible_to(user)
    if route:
        requests = requests.filter(route=route)
    if nation is not None:
        requests = requests.filter(Q(requesting_nation=nation) | Q(responding_nation=nation))
    return requests


def nations_in(requests: QuerySet) -> list[Nation]:
    """Nations on either side of these requests (the nation filter offers only these)."""
    return list(
        Nation.objects.filter(
            Q(pk__in=requests.values("requesting_nation"))
            | Q(pk__in=requests.values("responding_nation"))
        ).order_by("name")
    )


@dataclass(frozen=True)
class Column:
    key: str  # also the CSV header
    label: str
    kind: str = "count"  # text | count | percent | days | month | day

    @property
    def numeric(self) -> bool:
        return self.kind in ("count", "percent", "days")

    def display(self, value) -> str:
        if value is None:
            return "—"
        if self.kind == "percent":
            return f"{value:.1f}%"
        if self.kind == "days":
            return number(value)
        if self.kind == "month":
            return date_format(value, "M Y")
        if self.kind == "day":
            return date_format(value, "j M Y")
        return str(value)

    def csv(self, value) -> str:
        if value is None:
            return ""
        if self.kind in ("percent", "days"):
            return f"{value:.1f}"
        if self.kind == "month":
            return f"{value:%Y-%m}"
        if self.kind == "day":
            return value.isoformat()
        return safe_csv.cell(value)


@dataclass
class Table:
    name: str
    title: str
    description: str
    empty_message: str
    columns: tuple[Column, ...]
    rows: list[dict] = field(default_factory=list)
    is_empty: bool = False

    def values(self, key: str) -> list:
        return [row[key] for row in self.rows]

    def display_rows(self) -> list[list[tuple[str, bool]]]:
        return [
            [(column.display(row[column.key]), column.numeric) for column in self.columns]
            for row in self.rows
        ]

    def csv_rows(self) -> Iterable[list[str]]:
        yield [column.key for column in self.columns]
        for row in self.rows:
            yield [column.csv(row[column.key]) for column in self.columns]


def number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * fraction
    below = int(rank)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (rank - below)
