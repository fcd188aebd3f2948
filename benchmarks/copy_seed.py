"""COPY-based seeding for PostgreSQL: many requests with items, events and clocks, quickly.

Rows are shaped as the services would leave them, spread over nations, states and ratings, with
about 1% of open clocks already due. Ids are reserved from the tables' sequences up front so
children can point at their parents without a round trip.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
import time
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import connection, models, transaction

from partners.models import Nation, Supplier
from requests_app.models import Clock, Event, PriorityRequest, RequestItem

CHUNK = 20_000
# state → (share, clock stage, rating pool)
STATES = [
    ("draft", 0.04, None, [""]),
    ("submitted", 0.10, "triage", [""]),
    ("in_review", 0.10, "determination", [""]),
    ("rated", 0.06, "forward", ["DX", "DO", "DO"]),
    ("with_supplier", 0.15, "supplier_response", ["DX", "DO", "DO"]),
    ("accepted", 0.15, "delivery", ["DX", "DO", "DO"]),
    ("resolved", 0.40, None, ["DX", "DO", ""]),
]
EVENTS = ["create", "submit", "triage", "rate", "forward", "comment"]


@dataclass
class CopySeedResult:
    requests: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def _columns(model) -> list[models.Field]:
    return [
        field
        for field in model._meta.concrete_fields
        if not isinstance(field, models.GeneratedField)
    ]


def _reserve_ids(model, count: int) -> int:
    """Reserve `count` ids from the model's sequence; returns the first."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), "
            "GREATEST((SELECT COALESCE(MAX(id), 0) FROM " + table + "), "
            "nextval(pg_get_serial_sequence(%s, 'id'))) + %s)",
            [table, table, count],
        )
        last = cursor.fetchone()[0]
    return last - count + 1


def _converter(field: models.Field):
    """A function turning a Python value of this field into COPY's CSV text."""
    if isinstance(field, models.DateTimeField | models.DateField):
        return lambda value: r"\N" if value is None else value.isoformat()
    if isinstance(field, models.JSONField):
        return lambda value: r"\N" if value is None else json.dumps(value)
    if isinstance(field, models.BooleanField):
        return lambda value: r"\N" if value is None else ("t" if value else "f")
    return lambda value: r"\N" if value is None else value


def _copy(model, rows: list[dict]) -> None:
    fields = _columns(model)
    plan = [(field.attname, _default(field), _converter(field)) for field in fields]
    buffer = io.StringIO()
    writerow = csv.writer(buffer).writerow
    for row in rows:
        writerow([convert(row.get(name, default)) for name, default, convert in plan])
    buffer.seek(0)
    columns = ", ".join(f'"{field.column}"' for field in fields)
    with connection.cursor() as cursor:
        cursor.copy_expert(
            f"COPY \"{model._meta.db_table}\" ({columns}) FROM STDIN WITH (FORMAT csv, NULL '\\N')",
            buffer,
        )


def _default(field: models.Field):
    if field.has_default():
        value = field.get_default()
        return value
    if field.null:
        return None
    if isinstance(field, models.CharField | models.TextField):
        return ""
    return None


def seed(
    total: int, *, now: dt.datetime, due_share: float = 0.01, seed: int = 11
) -> CopySeedResult:
    """Insert `total` requests (India↔US and UK→US) with 3 items and 6 events each."""
    if connection.vendor != "postgresql":
        raise RuntimeError("COPY seeding needs PostgreSQL")
    rng = random.Random(seed)
    users = {u.username: u.pk for u in get_user_model().objects.all()}
    nations = {n.code: n.pk for n in Nation.objects.filter(code__in=["US", "IN", "GB"])}
    suppliers = {
        code: list(Supplier.objects.filter(nation_id=pk).values_list("pk", flat=True))
        for code, pk in nations.items()
    }
    pairs = [
        ("IN", "US", "requester.in", "reviewer.us"),
        ("US", "IN", "requester.us", "reviewer.in"),
        ("GB", "US", "requester.gb", "reviewer.us"),
    ]
    weights = [share for _, share, _, _ in STATES]
    started = time.perf_counter()
    for offset in range(0, total, CHUNK):
        size = min(CHUNK, total - offset)
        request_id = _reserve_ids(PriorityRequest, size)
        item_id = _reserve_ids(RequestItem, size * 3)
        event_id = _reserve_ids(Event, size * 6)
        clock_id = _reserve_ids(Clock, size)
        requests, items, events, clocks = [], [], [], []
        for n in range(size):
            pk = request_id + n
            state, _, stage, ratings = rng.choices(STATES, weights)[0]
            req_code, resp_code, creator, reviewer = pairs[
                0 if n % 10 < 6 else 1 if n % 10 < 9 else 2
            ]
            rating = rng.choice(ratings)
            created = now - dt.timedelta(days=rng.uniform(0, 720))
            due_at = None
            if stage:
                overdue = rng.random() < due_share
                due_at = (
                    now - dt.timedelta(hours=rng.uniform(1, 20))
                    if overdue
                    else now + dt.timedelta(days=rng.uniform(1.5, 20))
                )
            supplier = (
                rng.choice(suppliers[resp_code])
                if state in ("with_supplier", "accepted") and suppliers[resp_code]
                else None
            )
            requests.append(
                {
                    "id": pk,
                    "reference": f"{req_code}-B{pk:09d}"[:20],
                    "title": f"Order {pk}: spares for fleet readiness",
                    "requesting_nation_id": nations[req_code],
                    "responding_nation_id": nations[resp_code],
                    "created_by_id": users[creator],
                    "assignee_id": users[reviewer] if state not in ("draft", "submitted") else None,
                    "supplier_id": supplier,
                    "contract_number": f"W58RGZ-{pk % 97:02d}-C-{pk:07d}",
                    "justification": "Benchmark request.",
                    "urgency": "routine",
                    "rating": rating,
                    "program_symbol": "G2" if rating else "",
                    "required_delivery_date": (created + dt.timedelta(days=300)).date(),
                    "committed_delivery_date": (now + dt.timedelta(days=60)).date()
                    if state == "accepted"
                    else None,
                    "state": state,
                    "resolution": "fulfilled" if state == "resolved" else "",
                    "due_at": due_at,
                    "version": 6,
                    "created_at": created,
                    "updated_at": created,
                    "submitted_at": created if state != "draft" else None,
                    "resolved_at": created + dt.timedelta(days=30) if state == "resolved" else None,
                }
            )
            for line in range(3):
                items.append(
                    {
                        "id": item_id + n * 3 + line,
                        "request_id": pk,
                        "description": f"Part {line} for order {pk}",
                        "part_number": f"P{line}-{pk}",
                        "nsn": "",
                        "quantity": line + 1,
                        "unit": "each",
                        "required_date": None,
                    }
                )
            for index, action in enumerate(EVENTS):
                events.append(
                    {
                        "id": event_id + n * 6 + index,
                        "request_id": pk,
                        "actor_id": users[creator],
                        "action": action,
                        "from_state": "",
                        "to_state": state,
                        "data": {},
                        "created_at": created + dt.timedelta(minutes=index),
                    }
                )
            if stage:
                clocks.append(
                    {
                        "id": clock_id + n,
                        "request_id": pk,
                        "stage": stage,
                        "started_at": created,
                        "due_at": due_at,
                        "explanation": "benchmark",
                        "next_escalation_at": due_at - dt.timedelta(days=1),
                        "level": None,
                        "paused_at": None,
                        "remaining_working_days": None,
                        "stopped_at": None,
                        "stop_reason": "",
                        "ledger": [],
                    }
                )
        with transaction.atomic():
            _copy(PriorityRequest, requests)
            _copy(RequestItem, items)
            _copy(Event, events)
            _copy(Clock, clocks)
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return CopySeedResult(total, seconds)
