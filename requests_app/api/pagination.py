"""Keyset cursor pagination: the cost of a page does not grow with how far you have paged."""

from __future__ import annotations

import base64
import datetime as dt
import json

from django.db import connection
from django.db.models import BooleanField, F, Q
from django.db.models.expressions import RawSQL
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from sosa_portal.lib import sql

ASC, DESC, ASC_NULLS_LAST = "asc", "desc", "asc_nulls_last"
# Each ordering ends in the primary key so that every position is unique.
ORDERINGS: dict[str, list[tuple[str, str]]] = {
    "-created_at": [("created_at", DESC), ("id", DESC)],
    "created_at": [("created_at", ASC), ("id", ASC)],
    "due_at": [("due_at", ASC_NULLS_LAST), ("id", ASC)],
    "priority": [("priority_rank", ASC), ("due_at", ASC_NULLS_LAST), ("id", ASC)],
}
DATETIME_FIELDS = {"created_at", "due_at"}


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
    directions = {direction for _, direction in ORDERINGS[ordering]}
    if directions in ({ASC}, {DESC}) and None not in values:
        fields = [model._meta.get_field(name) for name, _ in ORDERINGS[ordering]]
        columns = ", ".join(sql.column(model, name) for name, _ in ORDERINGS[ordering])
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


class KeysetCursorPagination(BasePagination):
    page_size = 25
    max_page_size = 100
    cursor_query_param = "cursor"
    ordering_query_param = "ordering"
    default_ordering = "-created_at"

    def ordering(self, request) -> str:
        ordering = request.query_params.get(self.ordering_query_param, self.default_ordering)
        if ordering not in ORDERINGS:
            raise ValidationError(
                {self.ordering_query_param: [f"Choose one of {', '.join(ORDERINGS)}."]}
            )
        return ordering

    def size(self, request) -> int:
        raw = request.query_params.get("page_size")
        if raw is None:
            return self.page_size
        if not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError(
                {"page_size": [f"Enter a whole number from 1 to {self.max_page_size}."]}
            )
        return int(raw)

    def decode(self, request, ordering: str) -> list | None:
        raw = request.query_params.get(self.cursor_query_param)
        if not raw:
            return None
        try:
            data = json.loads(base64.urlsafe_b64decode(raw.encode() + b"=" * (-len(raw) % 4)))
            values = data["v"]
            if data["o"] != ordering or len(values) != len(ORDERINGS[ordering]):
                raise ValueError
            return [
                _position_value(field, direction, value)
                for (field, direction), value in zip(ORDERINGS[ordering], values, strict=True)
            ]
        except (ValueError, KeyError, TypeError, json.JSONDecodeError):
            raise ValidationError({self.cursor_query_param: ["Invalid cursor."]}) from None

    def encode(self, ordering: str, row) -> str:
        """The cursor after `row`: a model instance, or a dict of its values."""
        values = []
        for field, _ in ORDERINGS[ordering]:
            value = row[field] if isinstance(row, dict) else getattr(row, field)
            values.append(value.isoformat() if isinstance(value, dt.datetime) else value)
        raw = json.dumps({"o": ordering, "v": values}, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def paginate_queryset(self, queryset, request, view=None):
        ordering = self.ordering(request)
        size = self.size(request)
        position = self.decode(request, ordering)
        queryset = queryset.order_by(*order_by(ordering))
        if position is not None:
            queryset = queryset.filter(after(queryset.model, ordering, position))
        rows = list(queryset[: size + 1])
        self.request = request
        self.next_cursor = self.encode(ordering, rows[size - 1]) if len(rows) > size else None
        return rows[:size]

    def get_next_link(self) -> str | None:
        if self.next_cursor is None:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.cursor_query_param, self.next_cursor)

    def get_paginated_response(self, data):
        return Response({"next": self.get_next_link(), "results": data})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["results"],
            "properties": {
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": "cursor",
                "required": False,
                "in": "query",
                "schema": {"type": "string"},
                "description": "The `next` cursor of the previous page.",
            },
            {
                "name": "ordering",
                "required": False,
                "in": "query",
                "schema": {"type": "string", "enum": list(ORDERINGS)},
                "description": "priority = DX, then DO, then unrated; then by due time.",
            },
            {
                "name": "page_size",
                "required": False,
                "in": "query",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]


__all__ = ["KeysetCursorPagination", "remove_query_param"]
