"""One way to write a due time, a moment and a day, for every page, e-mail and CSV (issue 16
point 1).

- A due time is written in the terms of the nation that must act: its day and its close of
  business in its capital ("Thu 3 Dec, close of business in Washington, 17:00 EST"), with the
  reader's own time beside it only where that differs ("= Fri 4 Dec 03:30 your time"). A clock
  counts the acting nation's working days, so a deadline read in another zone can fall on a
  Saturday there; in the acting nation's terms it never does.
- A date-only value (a required, committed or delivery date) is a day, written as a day and
  never converted through a time zone ("Wed 10 Jun 2026").
- Relative text says what is left in working days (`wording.time_left_text`).
- Weekday and month names follow the active language (Django's `D` and `M`: "Thu", "Dec" in
  English, "गुरु", "दिसम्बर" in Hindi); digits and zone abbreviations stay as they are.

Pure functions of values: no database, no clock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils import formats
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _

from .deadlines import REQUESTING_CALENDAR_STAGES, waiting_stage

# Where a nation's close of business is read; a nation not named here: its time zone's city.
CAPITALS = {"US": "Washington", "IN": "New Delhi", "GB": "London", "AU": "Canberra", "JP": "Tokyo"}
CLOSE_OF_BUSINESS = dt.time(17, 0)


def acting_side(stage: str) -> str:
    """ "requesting" or "responding": the nation whose move (and whose working days) it is."""
    return "requesting" if stage in REQUESTING_CALENDAR_STAGES else "responding"


def acting_side_of(state: str, route: str) -> str:
    """The side whose move a request in `state` waits on (that of its timed stage)."""
    return acting_side(waiting_stage(state, route))


def place_of(nation_code: str, zone: str) -> str:
    return CAPITALS.get(nation_code) or zone.rsplit("/", 1)[-1].replace("_", " ")


def day_text(day: dt.date | None) -> str:
    """ "Wed 10 Jun 2026": a date-only value as the day it is ('' for none)."""
    if day is None:
        return ""
    return formats.date_format(day, "DATE_FORMAT")  # sosa_portal/formats: one per kind


def _weekday_day_month(value: dt.date) -> str:
    """ "Thu 3 Dec", in the active language."""
    return date_format(value, "D j M")


def moment_text(moment: dt.datetime, zone: str) -> str:
    """ "Thu 3 Dec 2026, 17:00 EST": a moment in a zone (events, the time a thing happened)."""
    return formats.date_format(moment.astimezone(ZoneInfo(zone)), "DATETIME_FORMAT")


@dataclass(frozen=True)
class DueTime:
    acting: str  # "Thu 3 Dec, close of business in Washington, 17:00 EST"
    yours: str  # "= Fri 4 Dec 03:30 your time", '' where the reader's clock shows the same
    short: str  # "Thu 3 Dec, 17:00 EST" (tables)
    iso: str  # ISO 8601 in the acting nation's zone (CSV, <time datetime>)

    def __str__(self) -> str:
        return f"{self.acting} ({self.yours.removeprefix('= ')})" if self.yours else self.acting


def due_time(due_at: dt.datetime, *, nation_code: str, zone: str, reader_zone: str) -> DueTime:
    """A due time in the acting nation's terms, and the reader's time beside it if different."""
    local = due_at.astimezone(ZoneInfo(zone))
    day = _weekday_day_month(local)
    place = place_of(nation_code, zone)
    if local.time() == CLOSE_OF_BUSINESS:
        acting = _("%(day)s, close of business in %(place)s, %(time)s") % {
            "day": day,
            "place": place,
            "time": f"{local:%H:%M %Z}",
        }
    else:
        acting = _("%(day)s, %(time)s in %(place)s") % {
            "day": day,
            "time": f"{local:%H:%M %Z}",
            "place": place,
        }
    mine = due_at.astimezone(ZoneInfo(reader_zone))
    yours = ""
    if mine.replace(tzinfo=None) != local.replace(tzinfo=None):
        yours = _("= %(day)s %(time)s your time") % {
            "day": _weekday_day_month(mine),
            "time": f"{mine:%H:%M}",
        }
    return DueTime(
        acting=acting,
        yours=yours,
        short=f"{day}, {local:%H:%M %Z}",
        iso=local.isoformat(),
    )
