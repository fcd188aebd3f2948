"""Bulk seeding of open requests with their items, events and clocks, for benchmarks.

Rows go in with `bulk_create` in chunks (no services: a benchmark needs volume, and the rows
are shaped exactly as the services would leave them). Base data (nations, people) comes from
`manage.py seed_demo`.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import connection, transaction

from partners.models import Nation, Supplier
from requests_app.models import Clock, Event, PriorityRequest, RequestItem

CHUNK = 5_000


@dataclass
class SeedResult:
    requests: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def reset() -> None:
    """Remove benchmark rows (references starting with 'BX') and their children."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "TRUNCATE requests_app_escalation, requests_app_notification, "
                "requests_app_clock, requests_app_event, requests_app_requestitem, "
                "requests_app_comment, requests_app_attachment, requests_app_priorityrequest "
                "CASCADE"
            )
        else:
            for table in (
                "escalation",
                "notification",
                "clock",
                "event",
                "requestitem",
                "comment",
                "attachment",
                "priorityrequest",
            ):
                cursor.execute(f"DELETE FROM requests_app_{table}")


def seed_supplier_stage(
    total: int, *, due: int, now: dt.datetime, seed: int = 7, start: int = 0
) -> SeedResult:
    """`total` DX/DO requests with the supplier, `due` of them past their next escalation."""
    rng = random.Random(seed)
    user_model = get_user_model()
    creator = user_model.objects.get(username="requester.in")
    assignee = user_model.objects.get(username="reviewer.us")
    india, us = Nation.objects.get(code="IN"), Nation.objects.get(code="US")
    supplier = Supplier.objects.filter(nation=us).first()
    due_indexes = set(rng.sample(range(total), due)) if due else set()
    started = time.perf_counter()
    for offset in range(0, total, CHUNK):
        size = min(CHUNK, total - offset)
        requests, clocks, items, events = [], [], [], []
        for n in range(offset, offset + size):
            rating = "DX" if n % 3 == 0 else "DO"
            if n in due_indexes:  # ran out an hour to a day ago: overdue now
                forwarded = now - dt.timedelta(days=22)
                due_at = now - dt.timedelta(hours=rng.randint(1, 20))
            else:
                forwarded = now - dt.timedelta(days=rng.randint(0, 9), hours=rng.randint(0, 23))
                due_at = forwarded + dt.timedelta(days=14 if rating == "DX" else 21)
            requests.append(
                PriorityRequest(
                    reference=f"BX-{start + n:09d}",
                    title=f"Benchmark order {start + n}",
                    requesting_nation=india,
                    responding_nation=us,
                    created_by=creator,
                    assignee=assignee,
                    supplier=supplier,
                    contract_number=f"W58RGZ-{n % 97:02d}-C-{n:06d}",
                    justification="Benchmark.",
                    rating=rating,
                    program_symbol="G2",
                    state="with_supplier",
                    required_delivery_date=(now + dt.timedelta(days=200)).date(),
                    due_at=due_at,
                    created_at=forwarded - dt.timedelta(days=5),
                    submitted_at=forwarded - dt.timedelta(days=5),
                    forwarded_at=forwarded,
                )
            )
        with transaction.atomic():
            PriorityRequest.objects.bulk_create(requests, batch_size=CHUNK)
            for request in requests:
                clocks.append(
                    Clock(
                        request=request,
                        stage="supplier_response",
                        started_at=request.forwarded_at,
                        due_at=request.due_at,
                        explanation="benchmark",
                        # Level 0 (due soon) falls a day before due: past for overdue ones.
                        next_escalation_at=request.due_at - dt.timedelta(days=1),
                        ledger=[],
                    )
                )
                for line in range(3):
                    items.append(
                        RequestItem(
                            request=request,
                            description=f"Part {line}",
                            part_number=f"P-{line}-{request.reference[3:]}",
                            quantity=line + 1,
                        )
                    )
                for action, to_state in (
                    ("create", "draft"),
                    ("submit", "submitted"),
                    ("triage", "in_review"),
                    ("rate", "rated"),
                    ("forward", "with_supplier"),
                    ("comment", "with_supplier"),
                ):
                    events.append(
                        Event(
                            request=request,
                            actor=creator,
                            action=action,
                            to_state=to_state,
                            created_at=request.forwarded_at,
                        )
                    )
            Clock.objects.bulk_create(clocks, batch_size=CHUNK)
            RequestItem.objects.bulk_create(items, batch_size=CHUNK)
            Event.objects.bulk_create(events, batch_size=CHUNK)
    return SeedResult(total, time.perf_counter() - started)
