"""The crafted values and the parameters of every page and API list (issue 17, point 10): each
parameter is sent each value in turn, alone, and no answer may be a 5xx. Used on PostgreSQL by
the Django test client and on SQLite through a live server (test_fuzz_params.py)."""

from __future__ import annotations

import base64
import json


def forged(payload) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


VALUES = [
    "\u00b2",  # a digit to str.isdigit, not to int()
    "\u0661\u0662",
    "-1",
    "0",
    "99999999999999999999999",
    "1e309",
    "NaN",
    "9999-12-31",
    "0001-01-01",
    "9999-12-31T23:59:59+14:00",
    "2026-12-05T10:00:00+17:07",
    "%",
    "%00",
    "\x00",
    "' OR '1'='1",
    "../../etc/passwd",
    "x" * 3000,
    "[]",
    "true",
    forged({"o": "-created_at", "v": ["9999-12-31T23:59:59+14:00", 1]}),
    forged({"o": "priority", "v": [1, "0001-01-01T00:00:00-14:00", 2**70]}),
    forged({"o": "feed", "v": [2**70, -1]}),
    forged({"o": "history", "v": ["9999-12-31T23:59:59+14:00", "x"]}),
    forged(["not", "a", "cursor"]),
]

LIST_FILTERS = [
    "state",
    "rating",
    "route",
    "requesting_nation",
    "responding_nation",
    "assignee",
    "overdue",
    "due_soon",
    "escalated",
    "q",
    "updated_since",
]
PAGE_POSITIONS = ["after", "before", "page"]

# path → its parameters. `{ref}` is a request the reader may see.
PAGES = {
    "/requests/": [*LIST_FILTERS, *PAGE_POSITIONS],
    "/queue/": [*LIST_FILTERS, *PAGE_POSITIONS, "view", "sort", "format"],
    "/reports/": ["start", "end", "nation", "route", "table", "format"],
    "/reports/single-source/": ["months", "share", "format"],
    "/notifications/": ["page", "show", "unread"],
    "/requests/{ref}/": ["open"],
    "/suppliers/": ["q", "nation", "page"],
    "/queue/next/": ["from"],
    "/audit/export.csv": ["from", "to"],
}
API = {
    "/api/v1/requests/": [*LIST_FILTERS, "page_size", "cursor", "ordering", "count"],
    "/api/v1/events/": ["after", "page_size"],
    "/api/v1/requests/{ref}/events/": ["cursor", "page_size"],
    "/api/v1/requests/{ref}/comments/": ["cursor", "page_size"],
    "/api/v1/suppliers/": ["nation", "code_of_conduct", "page_size", "cursor"],
    "/api/v1/tokens/": ["page_size", "cursor"],
}


def cases(ref: str):
    """(path, params, is_api) for every parameter and value."""
    for table, is_api in ((PAGES, False), (API, True)):
        for path, names in table.items():
            for name in names:
                for value in VALUES:
                    yield path.format(ref=ref), {name: value}, is_api
