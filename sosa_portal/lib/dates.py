"""The days a person may ask about: reports, exports and filters take dates in this range, so
a crafted date (year 9999, year 1) is a 400 naming the parameter, never an overflow (a 500)
when a day is added to it or it is turned into a moment."""

from __future__ import annotations

import datetime as dt

EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2099, 12, 31)


def out_of_range(day: dt.date | None) -> str:
    """The message for a day outside the range ('' when it is inside, or not given)."""
    if day is None or EARLIEST <= day <= LATEST:
        return ""
    return f"Enter a date between {EARLIEST.isoformat()} and {LATEST.isoformat()}."
