"""Working-day arithmetic per nation: weekends, statutory holidays and admin closures.

Pure: a `WorkingCalendar` is built from plain values (country code, subdivision, time zone,
closures) and never touches the database or the clock. `partners.models.calendar_for(nation)`
builds one from the database.
"""

from __future__ import annotations

import datetime as dt
import functools
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from zoneinfo import ZoneInfo

import holidays
from django.utils.dateformat import format as date_format

CLOSE_OF_BUSINESS = dt.time(17, 0)
WEEKEND = {5, 6}  # Saturday, Sunday


@dataclass(frozen=True)
class SkippedDay:
    day: dt.date
    reason: str  # "weekend", a holiday's name, or a closure's name


@dataclass(frozen=True)
class WorkingDayResult:
    """A deadline found by counting working days, with what was skipped on the way."""

    due_on: dt.date
    due_at: dt.datetime
    skipped: tuple[SkippedDay, ...]


@dataclass
class WorkingCalendar:
    """Working days of one nation: Monday to Friday minus holidays and closures."""

    country: str
    time_zone: str = "UTC"
    subdiv: str = ""
    closures: Mapping[dt.date, str] = field(default_factory=dict)
    close_of_business: dt.time = CLOSE_OF_BUSINESS

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @cached_property
    def _holidays(self) -> holidays.HolidayBase | dict:
        return statutory_holidays(self.country, self.subdiv)

    def holiday_name(self, day: dt.date) -> str | None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            name = self._holidays.get(day)
        return name or None

    @cached_property
    def _reasons(self) -> dict[dt.date, str | None]:
        return {}

    def non_working_reason(self, day: dt.date) -> str | None:
        """Why `day` is not a working day, or None when it is one (memoised per calendar)."""
        if day in self._reasons:
            return self._reasons[day]
        reason: str | None
        if day in self.closures:
            reason = self.closures[day]
        else:
            reason = self.holiday_name(day) or ("weekend" if day.weekday() in WEEKEND else None)
        self._reasons[day] = reason
        return reason

    def is_working_day(self, day: dt.date) -> bool:
        return self.non_working_reason(day) is None

    def local_date(self, moment: dt.datetime) -> dt.date:
        return moment.astimezone(self.tz).date()

    def close_of_business_on(self, day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, self.close_of_business, tzinfo=self.tz)

    def add_working_days(self, start_on: dt.date, days: int) -> WorkingDayResult:
        """The `days`-th working day after `start_on` (which is not counted), due at close of
        business. With `days == 0`: `start_on` itself if it is a working day, else the next one."""
        skipped: list[SkippedDay] = []
        day = start_on
        counted = 0
        if days == 0:
            while (reason := self.non_working_reason(day)) is not None:
                skipped.append(SkippedDay(day, reason))
                day += dt.timedelta(days=1)
            return WorkingDayResult(day, self.close_of_business_on(day), tuple(skipped))
        while counted < days:
            day += dt.timedelta(days=1)
            reason = self.non_working_reason(day)
            if reason is None:
                counted += 1
            else:
                skipped.append(SkippedDay(day, reason))
        return WorkingDayResult(day, self.close_of_business_on(day), tuple(skipped))

    def subtract_working_days(self, end_on: dt.date, days: int) -> dt.date:
        """The working day `days` working days before `end_on`."""
        day = end_on
        counted = 0
        while counted < days:
            day -= dt.timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        return day

    def working_days_between(self, after: dt.date, until: dt.date) -> int:
        """Working days d with after < d <= until (negative when `until` is before `after`)."""
        if until < after:
            return -self.working_days_between(until, after)
        return sum(
            1
            for offset in range(1, (until - after).days + 1)
            if self.is_working_day(after + dt.timedelta(days=offset))
        )

    def working_days_in(self, days: Iterable[dt.date]) -> list[dt.date]:
        return [day for day in days if self.is_working_day(day)]


def format_day(day: dt.date) -> str:
    """'Thu 26 Nov' style, weekday and month named in the active language."""
    return date_format(day, "D j M")


def format_moment(moment: dt.datetime) -> str:
    """'Thu 10 Dec 17:00 EST' style, in the moment's own time zone (names in the active
    language, figures and the zone as they are)."""
    return f"{date_format(moment, 'D j M')} {moment:%H:%M %Z}"


def describe_skipped(skipped: Iterable[SkippedDay]) -> str:
    """'Thu 26 Nov Thanksgiving Day and two weekends' — holidays by name, weekends counted."""
    named: list[str] = []
    weekend_days: list[dt.date] = []
    for item in skipped:
        if item.reason == "weekend":
            weekend_days.append(item.day)
        else:
            named.append(f"{format_day(item.day)} {item.reason}")
    weekends = len({day - dt.timedelta(days=day.weekday() - 5) for day in weekend_days})
    parts = list(named)
    if weekends:
        parts.append(f"{_count_words(weekends)} weekend{'s' if weekends > 1 else ''}")
    if not parts:
        return ""
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _count_words(count: int) -> str:
    words = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}
    return words.get(count, str(count))


@functools.lru_cache(maxsize=64)
def statutory_holidays(country: str, subdiv: str = "") -> holidays.HolidayBase | dict:
    """A nation's statutory holidays, built once per process: the package computes each year
    on first use, which cost more than the rest of an action's clock arithmetic."""
    if not country:
        return {}
    with warnings.catch_warnings():
        # Lunar calendars beyond the package's range warn; admins add Closures for those.
        warnings.simplefilter("ignore")
        return holidays.country_holidays(country, subdiv=subdiv or None)
