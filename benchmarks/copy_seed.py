"""COPY-based seeding for PostgreSQL: many requests with items, events and clocks, quickly.

Rows are shaped as the services would leave them, spread over nations, states and ratings, with
about 1% of open clocks already due. Only the requests travel from Python (one text line each,
streamed into `COPY`); their 3 items, 6 events and running clock are generated inside PostgreSQL
with `INSERT … SELECT … CROSS JOIN generate_series`. The four tables' secondary indexes, unique
and foreign-key constraints are dropped for the load and rebuilt after it (the rebuild validates
them), all in one transaction: a failure leaves the tables as they were.

    .venv/bin/python benchmarks/copy_seed.py --sizes 100000 1000000
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import random
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sosa_bench")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sosa_portal.settings")
    os.environ.setdefault("SOSA_QUIET_SEED", "1")

# state → (share, clock stage, rating pool)
STATES = [
    ("draft", 0.04, None, [""]),
    ("submitted", 0.10, "triage", [""]),
    ("in_review", 0.10, "determination", [""]),
    ("awaiting_authorisation", 0.06, "authorisation", [""]),
    ("approved", 0.06, "forward", ["DX", "DO", "DO"]),
    ("with_supplier", 0.15, "supplier_response", ["DX", "DO", "DO"]),
    ("accepted", 0.15, "delivery", ["DX", "DO", "DO"]),
    ("resolved", 0.34, None, ["DX", "DO", ""]),
]
EVENTS = ["create", "submit", "triage", "authorise", "forward", "comment"]
# The path of a request now with the supplier, one state per event above.
SUPPLIER_PATH = ["draft", "submitted", "in_review", "approved", "with_supplier", "with_supplier"]
TABLES = {
    "request": "requests_app_priorityrequest",
    "item": "requests_app_requestitem",
    "event": "requests_app_event",
    "clock": "requests_app_clock",
}
# Columns each request line carries, in order; every other column gets its model default.
REQUEST_COLUMNS = [
    "id",
    "reference",
    "title",
    "requesting_nation_id",
    "responding_nation_id",
    "created_by_id",
    "assignee_id",
    "supplier_id",
    "contract_number",
    "justification",
    "urgency",
    "rating",
    "program_symbol",
    "required_delivery_date",
    "committed_delivery_date",
    "state",
    "route",
    "resolution",
    "due_at",
    "version",
    "created_at",
    "updated_at",
    "submitted_at",
    "forwarded_at",
    "resolved_at",
]
NULL = r"\N"


@dataclass
class CopySeedResult:
    requests: int
    seconds: float
    # Wall seconds per phase: requests, children, indexes (rebuild and validation), analyze.
    phases: dict[str, float] = field(default_factory=dict)

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


class _Stream(io.TextIOBase):
    """A read-only file over generated chunks of COPY text, so rows stream as they are built."""

    def __init__(self, chunks: Iterator[str]):
        self._chunks = chunks

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> str:
        return next(self._chunks, "")


def _copy_text(value) -> str:
    """A model default as COPY text (defaults hold no tabs, newlines or backslashes)."""
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


def _defaults(model, given: list[str]) -> tuple[list[str], list]:
    """Columns of `model` not in `given` and their default values. Generated columns and those
    with a database default (an event's writing transaction) are left to the database."""
    from django.db import models
    from django.db.models.fields import NOT_PROVIDED

    columns, values = [], []
    for column in model._meta.concrete_fields:
        if isinstance(column, models.GeneratedField) or column.attname in given:
            continue
        if column.db_default is not NOT_PROVIDED:
            continue
        if column.has_default():
            value = column.get_default()
        elif column.null:
            value = None
        else:
            value = "" if isinstance(column, models.CharField | models.TextField) else None
        columns.append(column.column)
        values.append(value)
    return columns, values


def _reserve_ids(table: str, count: int) -> int:
    """Reserve `count` ids from the table's sequence (left past them); returns the first."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), "
            f"GREATEST((SELECT COALESCE(MAX(id), 0) FROM {table}), "
            "nextval(pg_get_serial_sequence(%s, 'id'))) + %s)",
            [table, table, count],
        )
        last = cursor.fetchone()[0]
    return last - count + 1


def _drop_secondary_indexes(cursor) -> list[str]:
    """Drop the foreign keys, unique constraints and indexes (all but primary keys) of the four
    tables; returns the statements that recreate them, indexes first, foreign keys last."""
    tables = list(TABLES.values())
    cursor.execute(
        "SELECT contype, conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
        "FROM pg_constraint WHERE conrelid = ANY(%s::regclass[]) AND contype IN ('f', 'u') "
        "ORDER BY contype, conname",
        [tables],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
        "WHERE indrelid = ANY(%s::regclass[]) AND NOT indisprimary AND indexrelid NOT IN "
        "(SELECT conindid FROM pg_constraint WHERE contype IN ('p', 'u', 'x')) ORDER BY 1",
        [tables],
    )
    indexes = cursor.fetchall()
    foreign = [row for row in constraints if row[0] == "f"]
    unique = [row for row in constraints if row[0] == "u"]
    for _, table, name, _ in foreign + unique:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        cursor.execute(f"DROP INDEX {name}")
    return [definition for _, definition in indexes] + [
        f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'
        for _, table, name, definition in unique + foreign
    ]


def _chunks(lines: Iterator[str], size: int = 1000) -> Iterator[str]:
    """COPY text in chunks of `size` lines."""
    batch: list[str] = []
    for line in lines:
        batch.append(line)
        if len(batch) == size:
            yield "".join(batch)
            batch = []
    if batch:
        yield "".join(batch)


def _copy_requests(cursor, chunks: Iterator[str]) -> None:
    from requests_app.models import PriorityRequest

    rest, values = _defaults(PriorityRequest, REQUEST_COLUMNS)
    suffix = "".join("\t" + _copy_text(value) for value in values)
    columns = ", ".join(f'"{column}"' for column in REQUEST_COLUMNS + rest)
    cursor.copy_expert(
        f"COPY {TABLES['request']} ({columns}) FROM STDIN",
        _Stream(chunk.replace("\n", suffix + "\n") for chunk in chunks),
    )


def _insert_children(cursor, model, table: str, select: dict[str, str], tail: str, params) -> None:
    """`INSERT … SELECT` one child row per `tail` row; unnamed columns get the model default."""
    from django.db import connection

    rest, values = _defaults(model, list(select))
    types = {column.column: column.db_type(connection) for column in model._meta.concrete_fields}
    columns = ", ".join(f'"{column}"' for column in list(select) + rest)
    expressions = ", ".join(list(select.values()) + [f"%s::{types[column]}" for column in rest])
    cursor.execute(
        f"INSERT INTO {table} ({columns}) SELECT {expressions} {tail}",
        params + [_copy_text(v) if isinstance(v, dict | list) else v for v in values],
    )


def _generate_children(cursor, *, first: int, last: int, event_states: list[str] | None) -> None:
    """Items (3), events (6) and the running clocks of requests `first`…`last`, all in SQL: an
    accepted request's items are accepted, each with its own delivery clock (DESIGN §4a); a
    fulfilled one's are delivered in full."""
    from requests_app.models import Clock, Event, RequestItem

    item_id = _reserve_ids(TABLES["item"], (last - first + 1) * 3)
    event_id = _reserve_ids(TABLES["event"], (last - first + 1) * 6)
    clock_id = _reserve_ids(TABLES["clock"], (last - first + 1) * 3)
    among = f"FROM {TABLES['request']} r {{}} WHERE r.id BETWEEN {first:d} AND {last:d}"
    _insert_children(
        cursor,
        RequestItem,
        TABLES["item"],
        {
            "id": f"{item_id:d} + (r.id - {first:d}) * 3 + g",
            "request_id": "r.id",
            "description": "'Part ' || g || ' for order ' || r.id",
            "part_number": "'P' || g || '-' || r.id",
            "quantity": "g + 1",
            "response": "CASE WHEN r.state = 'accepted' OR r.resolution = 'fulfilled' "
            "THEN 'accepted' ELSE '' END",
            "committed_delivery_date": "CASE WHEN r.state = 'accepted' "
            "OR r.resolution = 'fulfilled' THEN r.committed_delivery_date END",
            "quantity_delivered": "CASE WHEN r.resolution = 'fulfilled' THEN g + 1 ELSE 0 END",
        },
        among.format("CROSS JOIN generate_series(0, 2) AS g"),
        [],
    )
    _insert_children(
        cursor,
        Event,
        TABLES["event"],
        {
            "id": f"{event_id:d} + (r.id - {first:d}) * 6 + g",
            "request_id": "r.id",
            "actor_id": "r.created_by_id",
            "action": "(%s::text[])[g + 1]",
            "to_state": "(%s::text[])[g + 1]" if event_states else "r.state",
            "created_at": "COALESCE(r.forwarded_at, r.created_at) + g * interval '1 minute'",
        },
        among.format("CROSS JOIN generate_series(0, 5) AS g"),
        [EVENTS] + ([event_states] if event_states else []),
    )
    stages = [(state, stage) for state, _, stage, _ in STATES if stage]
    _insert_children(
        cursor,
        Clock,
        TABLES["clock"],
        {
            "id": f"{clock_id:d} + (r.id - {first:d}) * 3 + g",
            "request_id": "r.id",
            # One delivery clock per item (the item ids follow the request's, as above).
            "item_id": f"CASE WHEN r.state = 'accepted' THEN {item_id:d} + (r.id - {first:d}) * 3"
            " + g END",
            "stage": "CASE r.state "
            + " ".join(f"WHEN '{state}' THEN '{stage}'" for state, stage in stages)
            + " END",
            "started_at": "COALESCE(r.forwarded_at, r.created_at)",
            "due_at": "r.due_at",
            "explanation": "'benchmark'",
            # Level 0 (due soon) falls a day before due: past for overdue ones.
            "next_escalation_at": "r.due_at - interval '1 day'",
        },
        among.format(
            "CROSS JOIN generate_series(0, CASE WHEN r.state = 'accepted' THEN 2 ELSE 0 END) AS g"
        )
        + " AND r.state IN ("
        + ", ".join(f"'{state}'" for state, _ in stages)
        + ")",
        [],
    )


def _load(total: int, lines: Callable[[int], Iterator[str]], event_states=None) -> CopySeedResult:
    """Load `total` requests from `lines(first_id)` and their children; times every phase."""
    from django.db import connection, transaction

    from requests_app.queries import search_rebuild

    if connection.vendor != "postgresql":
        raise RuntimeError("COPY seeding needs PostgreSQL")
    phases: dict[str, float] = {}
    started = mark = time.perf_counter()

    def phase(name: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        phases[name] = now - mark
        mark = now

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
        # Checks still deferred in a caller's transaction would forbid dropping the constraints.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        # The whole load holds these tables exclusively; nothing else should be writing them.
        cursor.execute(f"LOCK TABLE {', '.join(TABLES.values())} IN ACCESS EXCLUSIVE MODE")
        recreate = _drop_secondary_indexes(cursor)
        first = _reserve_ids(TABLES["request"], total)
        _copy_requests(cursor, _chunks(lines(first)))
        phase("requests")
        _generate_children(cursor, first=first, last=first + total - 1, event_states=event_states)
        phase("children")
        # The words `q` searches, as the app keeps them, before the indexes are built again;
        # the items' own index is gone, so a temporary one serves the per-request lookups (without
        # it the statement reads every item for every request).
        last = first + total - 1
        cursor.execute(f"CREATE INDEX seed_item_request ON {TABLES['item']} (request_id)")
        cursor.execute(search_rebuild.POSTGRES + " WHERE r.id BETWEEN %s AND %s", [first, last])
        cursor.execute("DROP INDEX seed_item_request")
        phase("search words")
        for statement in recreate:
            cursor.execute(statement)
        phase("indexes")
        cursor.execute(f"ANALYZE {', '.join(TABLES.values())}")
    phase("analyze")  # and the commit
    return CopySeedResult(total, time.perf_counter() - started, phases)


def _iso(moment: dt.datetime | dt.date | None) -> str:
    return NULL if moment is None else moment.isoformat()


def seed(
    total: int, *, now: dt.datetime, due_share: float = 0.01, seed: int = 11
) -> CopySeedResult:
    """Insert `total` requests (India↔US and UK→US) with 3 items and 6 events each, and a clock
    for each one in a timed state (`due_share` of those clocks already past due)."""
    from django.contrib.auth import get_user_model

    from partners.models import Nation, Supplier

    rng = random.Random(seed)
    users = {u.username: u.pk for u in get_user_model().objects.all()}
    nations = {n.code: n.pk for n in Nation.objects.filter(code__in=["US", "IN", "GB"])}
    suppliers = {
        code: list(Supplier.objects.filter(nation_id=pk).values_list("pk", flat=True))
        for code, pk in nations.items()
    }
    pairs = [
        (code_from, nations[code_from], nations[code_to], users[creator], users[reviewer], code_to)
        for code_from, code_to, creator, reviewer in [
            ("IN", "US", "requester.in", "reviewer.us"),
            ("US", "IN", "requester.us", "reviewer.in"),
            ("GB", "US", "requester.gb", "reviewer.us"),
        ]
    ]
    cumulative, running = [], 0.0
    for _, share, _, _ in STATES:
        running += share
        cumulative.append(running)

    def lines(first: int) -> Iterator[str]:
        for n in range(total):
            pk = first + n
            state, _, stage, ratings = rng.choices(STATES, cum_weights=cumulative)[0]
            code, req_id, resp_id, creator, reviewer, resp_code = pairs[
                0 if n % 10 < 6 else 1 if n % 10 < 9 else 2
            ]
            # A request India answers runs its Code of Conduct route: nothing is rated.
            route = "code_of_conduct" if resp_code == "IN" else "dpas"
            if route != "dpas" and state == "awaiting_authorisation":
                state, stage = "in_review", "determination"  # no second key on that route
            rating = rng.choice(ratings) if route == "dpas" else ""
            created = now - dt.timedelta(days=rng.uniform(0, 720))
            due_at = None
            if stage:
                due_at = (
                    now - dt.timedelta(hours=rng.uniform(1, 20))
                    if rng.random() < due_share
                    else now + dt.timedelta(days=rng.uniform(1.5, 20))
                )
            supplier = (
                rng.choice(suppliers[resp_code])
                if state in ("with_supplier", "accepted") and suppliers[resp_code]
                else NULL
            )
            stamp = created.isoformat()
            yield (
                f"{pk}\t{code}-B{pk:09d}\tOrder {pk}: spares for fleet readiness\t{req_id}\t"
                f"{resp_id}\t{creator}\t"
                f"{NULL if state in ('draft', 'submitted') else reviewer}\t{supplier}\t"
                f"W58RGZ-{pk % 97:02d}-C-{pk:07d}\tBenchmark request.\troutine\t{rating}\t"
                f"{'G2' if rating else ''}\t{(created + dt.timedelta(days=300)).date()}\t"
                f"{(now + dt.timedelta(days=60)).date() if state == 'accepted' else NULL}\t"
                f"{state}\t{route}\t{'fulfilled' if state == 'resolved' else ''}\t"
                f"{_iso(due_at)}\t6\t"
                f"{stamp}\t{stamp}\t{NULL if state == 'draft' else stamp}\t{NULL}\t"
                f"{_iso(created + dt.timedelta(days=30)) if state == 'resolved' else NULL}\n"
            )

    return _load(total, lines)


def seed_supplier_stage(total: int, *, due: int, now: dt.datetime, seed: int = 7) -> CopySeedResult:
    """`total` DX/DO requests India→US with the supplier, each with its running
    supplier-response clock; exactly `due` of them past their next escalation."""
    from django.contrib.auth import get_user_model

    from partners.models import Nation, Supplier

    rng = random.Random(seed)
    people = get_user_model().objects
    creator = people.get(username="requester.in").pk
    assignee = people.get(username="reviewer.us").pk
    india, us = Nation.objects.get(code="IN").pk, Nation.objects.get(code="US").pk
    supplier = Supplier.objects.filter(nation_id=us).order_by("pk").first().pk
    due_indexes = set(rng.sample(range(total), due)) if due else set()
    required = (now + dt.timedelta(days=200)).date()

    def lines(first: int) -> Iterator[str]:
        for n in range(total):
            pk = first + n
            rating = "DX" if n % 3 == 0 else "DO"
            if n in due_indexes:  # ran out an hour to a day ago: overdue now
                forwarded = now - dt.timedelta(days=22)
                due_at = now - dt.timedelta(hours=rng.randint(1, 20))
            else:
                forwarded = now - dt.timedelta(days=rng.randint(0, 9), hours=rng.randint(0, 23))
                due_at = forwarded + dt.timedelta(days=14 if rating == "DX" else 21)
            created = (forwarded - dt.timedelta(days=5)).isoformat()
            yield (
                f"{pk}\tBX-{pk:09d}\tBenchmark order {pk}\t{india}\t{us}\t{creator}\t{assignee}\t"
                f"{supplier}\tW58RGZ-{pk % 97:02d}-C-{pk:06d}\tBenchmark.\troutine\t{rating}\tG2\t"
                f"{required}\t{NULL}\twith_supplier\tdpas\t\t{due_at.isoformat()}\t1\t{created}\t"
                f"{created}\t{created}\t{forwarded.isoformat()}\t{NULL}\n"
            )

    return _load(total, lines, event_states=SUPPLIER_PATH)


def seed_delivery_stage(clocks: int, *, due: int, now: dt.datetime, seed: int = 5):
    """Accepted DX/DO requests India→US, 3 items each with its own delivery clock (DESIGN §4a),
    `clocks` item clocks in all; exactly `due` of them (one item here, one there) late."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from partners.models import Nation, Supplier

    people = get_user_model().objects
    creator = people.get(username="requester.in").pk
    assignee = people.get(username="reviewer.us").pk
    india, us = Nation.objects.get(code="IN").pk, Nation.objects.get(code="US").pk
    supplier = Supplier.objects.filter(nation_id=us).order_by("pk").first().pk
    total = max(clocks // 3, 1)
    rng = random.Random(seed)

    def lines(first: int) -> Iterator[str]:
        for n in range(total):
            pk = first + n
            rating = "DX" if n % 3 == 0 else "DO"
            committed = (now + dt.timedelta(days=rng.randint(20, 200))).date()
            forwarded = now - dt.timedelta(days=rng.randint(20, 60))
            due_at = dt.datetime.combine(committed, dt.time(21), dt.UTC)
            created = (forwarded - dt.timedelta(days=5)).isoformat()
            yield (
                f"{pk}\tBD-{pk:09d}\tBenchmark order {pk}\t{india}\t{us}\t{creator}\t{assignee}\t"
                f"{supplier}\tW58RGZ-{pk % 97:02d}-C-{pk:06d}\tBenchmark.\troutine\t{rating}\tG2\t"
                f"{committed}\t{committed}\taccepted\tdpas\t\t{due_at.isoformat()}\t1\t"
                f"{created}\t{created}\t{created}\t{forwarded.isoformat()}\t{NULL}\n"
            )

    result = _load(total, lines, event_states=SUPPLIER_PATH)
    with connection.cursor() as cursor:  # the late items: a committed date already passed
        cursor.execute("SELECT setseed(0.5)")
        cursor.execute(
            f"UPDATE {TABLES['clock']} SET due_at = %s, next_escalation_at = %s "
            f"WHERE id IN (SELECT id FROM {TABLES['clock']} WHERE stage = 'delivery' "
            "ORDER BY random() LIMIT %s)",
            [now - dt.timedelta(hours=3), now - dt.timedelta(days=1), due],
        )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description="COPY seeding rate, phase by phase")
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    args = parser.parse_args()

    from benchmarks.sweep import ensure_database

    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command

    from benchmarks.seed import reset

    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=io.StringIO())
    table = (
        "| requests | seeding req/s | total | requests COPY | items, events, clocks | "
        "indexes and constraints | analyze |\n|---:|---:|---:|---:|---:|---:|---:|\n"
    )
    for size in args.sizes:
        reset()
        result = seed(size, now=dt.datetime.now(tz=dt.UTC))
        p = result.phases
        table += (
            f"| {size:,} | {result.per_second:,.0f} | {result.seconds:.1f} s | "
            f"{p['requests']:.1f} s | {p['children']:.1f} s | {p['indexes']:.1f} s | "
            f"{p['analyze']:.1f} s |\n"
        )
    print(table)
    out = ROOT / "benchmarks" / "results" / f"seed-{dt.date.today().isoformat()}.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(f"# COPY seeding, {dt.datetime.now():%Y-%m-%d %H:%M}\n\n{table}")
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
