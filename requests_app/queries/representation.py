"""Read side: requests as the API shows them, built from plain rows.

Three queries whatever the page size (the requests, their items, their open clocks) and no
model instances or nested serializers: building those was most of a page's cost. The shape is
`api.serializers.RequestSerializer`'s, byte for byte (tests/api/test_representation_selector.py);
that serializer stays the documented schema.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from partners.models import Agency, Nation, Supplier
from sosa_portal.lib import sql

from ..models import Clock, RequestItem, clock_status, delivery_progress, rating_label
from ..permissions import allowed_actions_on, has_items_to_split
from .standing import ball_holder, signed_steps

# The columns a representation needs; the keyset cursor reads its position from them too.
REQUEST_COLUMNS = (
    "id",
    "reference",
    "title",
    "state",
    "resolution",
    "requesting_nation_id",
    "responding_nation_id",
    "requesting_agency_id",
    "urgency",
    "rating",
    "program_symbol",
    "contract_number",
    "program",
    "justification",
    "required_delivery_date",
    "committed_delivery_date",
    "delivered_on",
    "assignee_id",
    "created_by_id",
    "supplier_id",
    "due_at",
    "escalation_level",
    "escalated_at",
    "prime_contractor",
    "supplier_tier",
    "end_user",
    "steps_taken",
    "export_jurisdiction",
    "export_classification",
    "licence_status",
    "handling_marking",
    "determination_note",
    "bis_case_number",
    "resolution_reason",
    "route",
    "recommended_rating",
    "recommended_symbol",
    "dod_reference",
    "determined_by_id",
    "determined_at",
    "rating_change_reason",
    "approval_note",
    "approved_by_id",
    "approved_at",
    "endorsement_note",
    "endorsed_by_id",
    "version",
    "created_at",
    "updated_at",
    "submitted_at",
    "resolved_at",
    "priority_rank",
)
ITEM_COLUMNS = (
    "request_id",
    "id",
    "description",
    "part_number",
    "nsn",
    "quantity",
    "unit",
    "required_date",
    "response",
    "committed_delivery_date",
    "response_reason",
    "quantity_delivered",
)
CLOCK_COLUMNS = ("request_id", "stage", "started_at", "due_at", "explanation", "paused_at")


def request_rows(requests: QuerySet) -> QuerySet:
    """The plain rows of `requests` (filter, order and slice it as you like): the request's own
    columns only; names of nations, agency, assignee and supplier come in one later query
    (five joins cost PostgreSQL ~2 ms of planning for a page it reads in 0.2 ms)."""
    return requests.values(*REQUEST_COLUMNS)


def represent_requests(rows: list[dict], *, user) -> list[dict]:
    """The API representation of each row of `request_rows`, in the same order."""
    if not rows:
        return []
    ids = [row["id"] for row in rows]
    moment_or_none, day_or_none = moment_renderer(), day_renderer()
    moment = moment_or_none

    items = defaultdict(list)
    for values in page_items(ids):
        item = dict(zip(ITEM_COLUMNS, values, strict=True))
        items[item.pop("request_id")].append(
            item
            | {
                "required_date": day_or_none(item["required_date"]),
                "committed_delivery_date": day_or_none(item["committed_delivery_date"]),
            }
        )
    open_clocks = defaultdict(list)
    for clock in page_open_clocks(ids):
        open_clocks[clock["request_id"]].append(clock)
    names = page_names(rows)

    actions_by_position: dict[tuple, list[str]] = {}
    represented = []
    for row in rows:
        clock = ticking_clock(open_clocks.get(row["id"], ()))
        row_items = items.get(row["id"], [])
        rejected = has_items_to_split(row["resolution"], [item["response"] for item in row_items])
        position = (
            row["state"],
            row["route"],
            row["requesting_nation_id"],
            row["responding_nation_id"],
            rejected,
        )
        if position not in actions_by_position:
            actions_by_position[position] = [
                action.replace("_", "-")
                for action in allowed_actions_on(
                    user,
                    state=row["state"],
                    route=row["route"],
                    requesting_nation_id=row["requesting_nation_id"],
                    responding_nation_id=row["responding_nation_id"],
                    rejected_items=rejected,
                )
            ]
        represented.append(
            {
                "reference": row["reference"],
                "title": row["title"],
                "state": row["state"],
                "resolution": row["resolution"],
                "requesting_nation": names.get(("n", row["requesting_nation_id"])),
                "responding_nation": names.get(("n", row["responding_nation_id"])),
                "requesting_agency": named(
                    row["requesting_agency_id"], names.get(("a", row["requesting_agency_id"]))
                ),
                "urgency": row["urgency"],
                # No rating is null, as in webhooks (the columns hold "").
                "rating": row["rating"] or None,
                "program_symbol": row["program_symbol"] or None,
                "rating_label": rating_label(row["rating"], row["program_symbol"]) or None,
                "contract_number": row["contract_number"],
                "program": row["program"],
                "justification": row["justification"],
                "required_delivery_date": day_or_none(row["required_delivery_date"]),
                "committed_delivery_date": day_or_none(row["committed_delivery_date"]),
                "delivered_on": day_or_none(row["delivered_on"]),
                "assignee": names.get(("u", row["assignee_id"])),
                "supplier": named(row["supplier_id"], names.get(("s", row["supplier_id"]))),
                "items": row_items,
                **delivery_progress(row_items),
                "due_at": moment_or_none(row["due_at"]),
                "clock": None
                if clock is None
                else {
                    "stage": clock["stage"],
                    "status": clock_status(stopped_at=None, paused_at=clock["paused_at"]),
                    "started_at": moment(clock["started_at"]),
                    "due_at": moment(clock["due_at"]),
                    "explanation": clock["explanation"],
                },
                "due_explanation": None if clock is None else clock["explanation"],
                "ball_in_court": ball_holder(
                    row,
                    lambda pk: names.get(("n", pk)),
                    lambda pk: names.get(("u", pk)) if pk else None,
                ),
                "escalation_level": row["escalation_level"],
                "escalated_at": moment_or_none(row["escalated_at"]),
                "prime_contractor": row["prime_contractor"],
                "supplier_tier": row["supplier_tier"],
                "end_user": row["end_user"],
                "steps_taken": row["steps_taken"],
                "export_jurisdiction": row["export_jurisdiction"],
                "export_classification": row["export_classification"],
                "licence_status": row["licence_status"],
                "handling_marking": row["handling_marking"],
                "determination_note": row["determination_note"],
                "bis_case_number": row["bis_case_number"],
                "resolution_reason": row["resolution_reason"],
                "route": row["route"],
                **signed_steps(
                    row, lambda pk: names.get(("u", pk)) if pk else None, moment_or_none
                ),
                "allowed_actions": list(actions_by_position[position]),
                "version": row["version"],
                "created_at": moment_or_none(row["created_at"]),
                "updated_at": moment_or_none(row["updated_at"]),
                "submitted_at": moment_or_none(row["submitted_at"]),
                "resolved_at": moment_or_none(row["resolved_at"]),
            }
        )
    return represented


def requests_for_api(requests: QuerySet, *, user) -> list[dict]:
    """The API representation of every request of `requests` (already filtered and sliced)."""
    return represent_requests(list(request_rows(requests)), user=user)


def ticking_clock(open_clocks):
    """The clock that is ticking now, else the first paused one (None when no clock is open):
    the one rule for pages, API and the fast path; clocks as model instances or as dicts."""
    for clock in open_clocks:
        paused_at = clock["paused_at"] if isinstance(clock, dict) else clock.paused_at
        if paused_at is None:
            return clock
    return open_clocks[0] if open_clocks else None


def running_or_paused_clock(request):
    """`ticking_clock` of a request, from its prefetched `open_clocks` when there are some."""
    open_clocks = getattr(request, "open_clocks", None)
    if open_clocks is None:
        open_clocks = list(request.clocks.filter(stopped_at__isnull=True))
    return ticking_clock(open_clocks)


def named(pk, name) -> dict | None:
    return None if pk is None else {"id": pk, "name": name}


def moment_renderer():
    """Times as DRF's `DateTimeField` renders them: ISO 8601 in the active time zone, `Z` for
    UTC (the same text; tests/api/test_representation_selector.py compares), without its
    per-value setting and time-zone lookups."""
    zone = timezone.get_current_timezone()

    def render(value: dt.datetime | None) -> str | None:
        if value is None:
            return None
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return render


def day_renderer():
    """Dates as DRF's `DateField` renders them (ISO 8601)."""

    def render(value: dt.date | None) -> str | None:
        return None if value is None else value.isoformat()

    return render


# The page's items, clocks and names: fixed SQL over the page's ids. Through the ORM, composing
# these three small queries cost more than the database took to answer them.


def page_items(ids: list[int]) -> list[tuple]:
    table = RequestItem._meta.db_table
    return _fetch(
        f"SELECT {', '.join(ITEM_COLUMNS)} FROM {table} "
        "WHERE request_id IN ({ids}) ORDER BY request_id, id",
        ids,
    )


def page_open_clocks(ids: list[int]) -> list[dict]:
    table = Clock._meta.db_table
    rows = _fetch(
        f"SELECT {', '.join(CLOCK_COLUMNS)} FROM {table} "
        "WHERE stopped_at IS NULL AND request_id IN ({ids}) ORDER BY started_at, id",
        ids,
    )
    aware = _aware_datetime()
    return [
        dict(zip(CLOCK_COLUMNS, row, strict=True))
        | {"started_at": aware(row[2]), "due_at": aware(row[3]), "paused_at": aware(row[5])}
        for row in rows
    ]


def page_names(rows: list[dict]) -> dict[tuple[str, int], str]:
    """{("n", id): nation code, ("a", id): agency name, ("u", id): username, ("s", id): supplier
    name} for the ids the rows point at, in one query."""
    wanted = {
        "n": {row[column] for row in rows for column in NATION_COLUMNS},
        "a": {row["requesting_agency_id"] for row in rows},
        "u": {row[column] for row in rows for column in PERSON_COLUMNS},
        "s": {row["supplier_id"] for row in rows},
    }
    parts, params = [], []
    for kind, (model, column) in NAME_SOURCES.items():
        ids = sorted(pk for pk in wanted[kind] if pk is not None)
        if ids:
            parts.append(
                f"SELECT '{kind}', {sql.quote('id')}, {sql.quote(column)} FROM {sql.table(model)} "
                f"WHERE {sql.quote('id')} IN ({sql.placeholders(len(ids))})"
            )
            params += ids
    if not parts:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        return {(kind, pk): name for kind, pk, name in cursor.fetchall()}


NATION_COLUMNS = ("requesting_nation_id", "responding_nation_id")
PERSON_COLUMNS = (
    "assignee_id",
    "created_by_id",
    "determined_by_id",
    "approved_by_id",
    "endorsed_by_id",
)
NAME_SOURCES = {
    "n": (Nation, "code"),
    "a": (Agency, "name"),
    "u": (get_user_model(), "username"),
    "s": (Supplier, "name"),
}


def _fetch(template: str, ids: list[int]) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(template.format(ids=", ".join(["%s"] * len(ids))), ids)
        return cursor.fetchall()


def _aware_datetime():
    """PostgreSQL returns aware times; SQLite, naive UTC ones (the ORM would convert them)."""
    if connection.features.supports_timezones:
        return lambda value: value
    return lambda value: None if value is None else value.replace(tzinfo=dt.UTC)
