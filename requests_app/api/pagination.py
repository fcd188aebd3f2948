"""The API's keyset cursor pagination (DESIGN §7): DRF's side of `queries.cursors`."""

from __future__ import annotations

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from ..queries import cursors
from . import params


class KeysetCursorPagination(BasePagination):
    page_size = 25
    max_page_size = 100
    cursor_query_param = "cursor"
    ordering_query_param = "ordering"
    default_ordering = "-created_at"

    def ordering(self, request) -> str:
        ordering = request.query_params.get(self.ordering_query_param, self.default_ordering)
        if ordering not in cursors.ORDERINGS:
            raise ValidationError(
                {self.ordering_query_param: [f"Choose one of {', '.join(cursors.ORDERINGS)}."]}
            )
        return ordering

    def size(self, request) -> int:
        return params.page_size(
            request.query_params, default=self.page_size, maximum=self.max_page_size
        )

    def wants_count(self, request) -> bool:
        return bool(params.flag(request.query_params, "count"))

    def decode(self, request, ordering: str) -> list | None:
        raw = request.query_params.get(self.cursor_query_param)
        if not raw:
            return None
        try:
            return cursors.decode(raw, ordering)
        except cursors.InvalidCursor:
            raise ValidationError({self.cursor_query_param: ["Invalid cursor."]}) from None

    def encode(self, ordering: str, row) -> str:
        """The cursor after `row`: a model instance, or a dict of its values."""
        return cursors.encode(ordering, row)

    def paginate_queryset(self, queryset, request, view=None):
        ordering = self.ordering(request)
        size = self.size(request)
        position = self.decode(request, ordering)
        matching = queryset
        queryset = queryset.order_by(*cursors.order_by(ordering))
        if position is not None:
            queryset = queryset.filter(cursors.after(queryset.model, ordering, position))
        rows = list(queryset[: size + 1])
        self.request = request
        self.next_cursor = self.encode(ordering, rows[size - 1]) if len(rows) > size else None
        self.count: int | None = None
        self.counted = self.wants_count(request)
        if self.counted:  # asked for: one bounded COUNT (or none when this page is all)
            whole = position is None and len(rows) <= size
            self.count = len(rows) if whole else cursors.bounded_count(matching)
        return rows[:size]

    def get_next_link(self) -> str | None:
        if self.next_cursor is None:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.cursor_query_param, self.next_cursor)

    def get_paginated_response(self, data):
        body = {"next": self.get_next_link(), "results": data}
        if self.counted:
            body["count"] = self.count
        return Response(body)

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["results"],
            "properties": {
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "count": {
                    "type": "integer",
                    "nullable": True,
                    "description": f"With `count=true` only: how many match the filters, "
                    f"counted up to {cursors.COUNT_LIMIT:,}; null when more.",
                },
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
                "schema": {"type": "string", "enum": list(cursors.ORDERINGS)},
                "description": "priority = DX, then DO, then unrated; then by due time.",
            },
            {
                "name": "count",
                "required": False,
                "in": "query",
                "schema": {"type": "boolean"},
                "description": f"Also say how many match (`count`, up to {cursors.COUNT_LIMIT:,}"
                "; one bounded count query).",
            },
            {
                "name": "page_size",
                "required": False,
                "in": "query",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]


__all__ = ["KeysetCursorPagination"]
