"""Pages of a request's comments and events (issue 15, point 8). The body stays a plain list,
oldest first; when there is more, the `Link` header names the next page (rel="next"), as many
APIs do. `cursor` and `page_size` (1–500, default 100) as on the lists."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError
from rest_framework.utils.urls import replace_query_param

from ..queries import cursors
from . import params

PAGE_SIZE, MAX_PAGE_SIZE = 100, 500
ORDERING = "history"

PARAMETERS = [
    OpenApiParameter("cursor", str, description="From the previous page's `Link: …; rel=next`."),
    OpenApiParameter("page_size", int, description=f"1 to {MAX_PAGE_SIZE}; default {PAGE_SIZE}."),
    OpenApiParameter(
        "Link",
        str,
        OpenApiParameter.HEADER,
        response=[200],
        description='`<url>; rel="next"` when there is a next page; absent on the last one.',
    ),
]


def page_of(request, rows) -> tuple[list, dict[str, str]]:
    """One page of `rows` (comments or events) in time order, and its headers."""
    size = params.page_size(request.query_params, default=PAGE_SIZE, maximum=MAX_PAGE_SIZE)
    raw = request.query_params.get("cursor")
    rows = rows.order_by("created_at", "id")
    if raw:
        try:
            position = cursors.decode(raw, ORDERING)
        except cursors.InvalidCursor:
            raise ValidationError({"cursor": ["Invalid cursor."]}) from None
        rows = rows.filter(cursors.after(rows.model, ORDERING, position))
    found = list(rows[: size + 1])
    headers = {}
    if len(found) > size:
        following = cursors.encode(ORDERING, found[size - 1])
        url = replace_query_param(request.build_absolute_uri(), "cursor", following)
        headers["Link"] = f'<{url}>; rel="next"'
    return found[:size], headers
