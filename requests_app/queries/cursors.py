"""Keyset paging for pages and API alike: the orderings, the cursor codec and the seeks.

A page is found by its position in the sort order (`(created_at, id) < (x, y)`), so its cost does
not grow with how far one has paged; a cursor is that position, base64 JSON, checked on the way
in so a forged one is a 400 (API) or the first page (pages), never a database error.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField, F, Q
from django.db.models.expressions import RawSQL

from sosa_portal.lib import sql

PAGE_SIZE = 25
# Up to this many matching rows the pages say how many; beyond it "more than 1,000".
COUNT_LIMIT = 1000
ASC, DESC, ASC_NULLS_LAST = "asc", "desc", "asc_nulls_last"
# Each ordering ends in the primary key so that every position is unique.
ORDERINGS: dict[str, list[tuple[str, str]]] = {
    "-created_at": [("created_at", DESC), ("id", DESC)],
    "created_at": [("created_at", ASC), ("id", ASC)],
    "due_at": [("due_at", ASC_NULLS_LAST), ("id", ASC)],
    "priority": [("priority_rank", ASC), ("due_at", ASC_NULLS_LAST), ("id", ASC)],
    # Delta sync: the least recently changed first, so a changed request moves to the end.
    "updated_at": [("updated_at", ASC), ("id", ASC)],
    "-updated_at": [("updated_at", DESC), ("id", DESC)],
}
# Not a list's ordering: the event feed's position (queries.feed), sought the same way.
SEEK_ORDERINGS = {
    **ORDERINGS,
    "feed": [("tx", ASC), ("id", ASC)],
    "history": [("created_at", ASC), ("id", ASC)],  # a request's comments or events
}
DATETIME_FIELDS = {"created_at", "due_at", "updated_at"}


def order_by(ordering: str) -> list:
    terms = []
    for field, direction in ORDERINGS[ordering]:
        if direction == DESC:
            terms.append(F(field).desc())
        else:
            terms.append(F(field).asc(nulls_last=True if direction == ASC_NULLS_LAST else None))
    return terms


def _after(field: str, direction: str, value) -> Q:
    if direction == DESC:
        return Q(**{f"{field}__lt": value}) if value is not None else Q(pk__in=[])
    if direction == ASC_NULLS_LAST:
        if value is None:
            return Q(pk__in=[])  # nothing sorts after null except by the next field
        return Q(**{f"{field}__gt": value}) | Q(**{f"{field}__isnull": True})
    return Q(**{f"{field}__gt": value})


def _equal(field: str, value) -> Q:
    return Q(**{f"{field}__isnull": True}) if value is None else Q(**{field: value})


def after_position(ordering: str, values: list) -> Q:
    """Rows strictly after `values` in `ordering`: (a > x) | (a = x & b > y) | …"""
    fields = ORDERINGS[ordering]
    condition = Q(pk__in=[])
    prefix = Q()
    for (field, direction), value in zip(fields, values, strict=True):
        condition |= prefix & _after(field, direction, value)
        prefix &= _equal(field, value)
    return condition


def leading_bound(ordering: str, values: list, *, forward: bool) -> Q:
    """The first sort key's range (`created_at <= x`), which the index can seek to; the
    OR-chain of `after_position` alone is only a filter, read from the top of the index."""
    field, direction = ORDERINGS[ordering][0]
    value = values[0]
    if value is None or direction == ASC_NULLS_LAST:
        return Q()
    ascending = direction != DESC
    return Q(**{f"{field}__{'gte' if ascending == forward else 'lte'}": value})


def after(model, ordering: str, values: list):
    """Rows after `values`: where every sort key runs the same way, one row comparison
    (`(created_at, id) < (x, y)`), which the index seeks to and which costs the ORM one
    expression to compile; otherwise the leading bound and the OR-chain."""
    directions = {direction for _, direction in SEEK_ORDERINGS[ordering]}
    if directions in ({ASC}, {DESC}) and None not in values:
        fields = [model._meta.get_field(name) for name, _ in SEEK_ORDERINGS[ordering]]
        columns = ", ".join(sql.column(model, name) for name, _ in SEEK_ORDERINGS[ordering])
        params = [
            field.get_db_prep_value(value, connection)  # as the database stores it (SQLite)
            for field, value in zip(fields, values, strict=True)
        ]
        operator = "<" if directions == {DESC} else ">"
        return RawSQL(
            f"({columns}) {operator} ({sql.placeholders(len(values))})",
            params,
            output_field=BooleanField(),
        )
    return leading_bound(ordering, values, forward=True) & after_position(ordering, values)


def _position_value(field: str, direction: str, value):
    """One decoded cursor value, checked: a forged cursor is a 400, never a database error."""
    if value is None and direction == ASC_NULLS_LAST:
        return None
    if field in DATETIME_FIELDS:
        moment = dt.datetime.fromisoformat(value)
        if moment.tzinfo is None:
            raise ValueError("naive time")
        return moment
    if type(value) is not int or not -(2**63) <= value < 2**63:  # ids and ranks only
        raise ValueError("not an integer")
    return value


class InvalidCursor(ValueError):
    """A cursor that was mangled, forged or made for another ordering."""


def encode(ordering: str, row) -> str:
    """The cursor of `row`'s position: a model instance, or a dict of its values."""
    values = []
    for field, _ in SEEK_ORDERINGS[ordering]:
        value = row[field] if isinstance(row, dict) else getattr(row, field)
        values.append(value.isoformat() if isinstance(value, dt.datetime) else value)
    raw = json.dumps({"o": ordering, "v": values}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(raw: str, ordering: str) -> list:
    """The position in a cursor made by `encode` for `ordering`, each value checked."""
    try:
        data = json.loads(base64.urlsafe_b64decode(raw.encode() + b"=" * (-len(raw) % 4)))
        values = data["v"]
        if data["o"] != ordering or len(values) != len(SEEK_ORDERINGS[ordering]):
            raise ValueError
        return [
            _position_value(field, direction, value)
            for (field, direction), value in zip(SEEK_ORDERINGS[ordering], values, strict=True)
        ]
    except (ValueError, KeyError, TypeError, json.JSONDecodeError):
        raise InvalidCursor("Invalid cursor.") from None


def _before(field: str, direction: str, value) -> Q:
    if direction == DESC:
        return Q(**{f"{field}__gt": value}) if value is not None else Q(pk__in=[])
    if direction == ASC_NULLS_LAST and value is None:
        return Q(**{f"{field}__isnull": False})  # nulls sort last: every value is before
    return Q(**{f"{field}__lt": value})


def before_position(ordering: str, values: list) -> Q:
    """Rows strictly before `values` in `ordering`: the mirror of the API's `after_position`."""
    condition = Q(pk__in=[])
    prefix = Q()
    for (field, direction), value in zip(ORDERINGS[ordering], values, strict=True):
        condition |= prefix & _before(field, direction, value)
        prefix &= Q(**{f"{field}__isnull": True}) if value is None else Q(**{field: value})
    return condition


@dataclass
class KeysetPage:
    """One page of a list walked by position: the rows, cursors for the pages on either side,
    and how many rows match the filters (None when more than COUNT_LIMIT)."""

    object_list: list
    next_cursor: str | None
    previous_cursor: str | None
    matching: int | None
    count_limit: int

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @property
    def has_previous(self) -> bool:
        return self.previous_cursor is not None

    @property
    def count_limit_text(self) -> str:
        return f"{self.count_limit:,}"


def page_at(
    rows,
    ordering: str,
    *,
    after: list | None,
    before: list | None,
    size: int = PAGE_SIZE,
    count_limit: int = COUNT_LIMIT,
) -> KeysetPage:
    """One page of `rows` in `ordering`, after (or before) a position, both ways: one LIMITed
    query, plus a bounded count when the page alone does not tell how many match."""
    ordered = rows.order_by(*order_by(ordering))
    if before is not None:
        found = list(
            ordered.filter(
                leading_bound(ordering, before, forward=False) & before_position(ordering, before)
            ).reverse()[: size + 1]
        )
        page_rows = found[:size][::-1]
        more_before, more_after = len(found) > size, True
    else:
        if after is not None:
            ordered = ordered.filter(
                leading_bound(ordering, after, forward=True) & after_position(ordering, after)
            )
        found = list(ordered[: size + 1])
        page_rows = found[:size]
        more_before, more_after = after is not None, len(found) > size
    if not page_rows:
        first = after is None and before is None
        return KeysetPage([], None, None, matching=0 if first else None, count_limit=count_limit)
    whole_list = after is None and before is None and not more_after
    return KeysetPage(
        object_list=page_rows,
        next_cursor=encode(ordering, page_rows[-1]) if more_after else None,
        previous_cursor=encode(ordering, page_rows[0]) if more_before else None,
        matching=len(page_rows) if whole_list else bounded_count(rows, count_limit),
        count_limit=count_limit,
    )


def bounded_count(rows, count_limit: int = COUNT_LIMIT) -> int | None:
    """How many rows match, counting no further than `count_limit` (a COUNT over a LIMITed
    subquery): None when there are more."""
    found = rows.order_by().values("pk")[: count_limit + 1].count()
    return found if found <= count_limit else None
