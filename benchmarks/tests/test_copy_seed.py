"""The benchmarks' COPY seeder leaves rows the app can use: children, clocks, indexes and ids."""

import datetime as dt
import re

import pytest
from django.db import connection

from benchmarks import copy_seed
from requests_app.models import Clock, Event, PriorityRequest, RequestItem
from requests_app.services.sweep import sweep_deadlines

pytestmark = pytest.mark.services

NOW = dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC)
STAGES = {state: stage for state, _, stage, _ in copy_seed.STATES}


def _schema() -> set[tuple[str, str]]:
    """Every index and constraint of the seeded tables, by name and definition."""
    tables = list(copy_seed.TABLES.values())
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) "
            "UNION ALL SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = ANY(%s::regclass[])",
            [tables, tables],
        )
        return set(cursor.fetchall())


def test_copy_seed_gives_every_request_its_items_events_and_clock(postgres, people):
    schema = _schema()

    result = copy_seed.seed(300, now=NOW, due_share=0.1)

    assert result.requests == 300
    assert set(result.phases) == {"requests", "children", "search words", "indexes", "analyze"}
    requests = list(PriorityRequest.objects.values("id", "reference", "state", "due_at"))
    assert len(requests) == 300
    assert all(re.fullmatch(r"(IN|US|GB)-B\d{9}", r["reference"]) for r in requests)
    assert RequestItem.objects.count() == 900
    assert Event.objects.count() == 1800
    timed = [r for r in requests if STAGES[r["state"]]]
    clocks = {}
    for clock in Clock.objects.all():
        clocks.setdefault(clock.request_id, []).append(clock)
    assert set(clocks) == {r["id"] for r in timed}
    assert all({c.stage for c in clocks[r["id"]]} == {STAGES[r["state"]]} for r in timed)
    assert all({c.due_at for c in clocks[r["id"]]} == {r["due_at"]} for r in timed)
    # An accepted request runs one delivery clock per item, each on an accepted item of its own.
    for r in timed:
        items = set(RequestItem.objects.filter(request_id=r["id"]).values_list("id", flat=True))
        expected = items if r["state"] == "accepted" else {None}
        assert {c.item_id for c in clocks[r["id"]]} == expected, r
    accepted = RequestItem.objects.filter(request__state="accepted")
    assert set(accepted.values_list("response", flat=True)) == {"accepted"}
    fulfilled = RequestItem.objects.filter(request__resolution="fulfilled")
    assert all(i.quantity_delivered == i.quantity for i in fulfilled)
    due = Clock.objects.filter(next_escalation_at__lte=NOW).count()
    assert 0.03 * len(timed) < due < 0.2 * len(timed)
    assert _schema() == schema


def test_the_orm_inserts_after_seeding_without_colliding_on_ids(postgres, people):
    copy_seed.seed(50, now=NOW)
    last = PriorityRequest.objects.order_by("-id").first()

    request = PriorityRequest.objects.create(
        reference="IN-2026-00001",
        title="Filed after seeding",
        requesting_nation=people.india,
        responding_nation=people.us,
        created_by=people.requester_in,
        rating="DX",
        program_symbol="A1",
    )
    RequestItem.objects.create(request=request, description="Gyro", quantity=1)
    Event.objects.create(request=request, actor=people.requester_in, action="create")
    Clock.objects.create(request=request, stage="triage", started_at=NOW, due_at=NOW)

    assert request.pk > last.pk
    request.refresh_from_db()
    assert request.priority_rank == 0


def test_supplier_stage_seed_has_exactly_the_due_clocks_the_sweep_escalates(postgres, people):
    copy_seed.seed_supplier_stage(40, due=7, now=NOW)

    assert set(PriorityRequest.objects.values_list("state", flat=True)) == {"with_supplier"}
    assert Clock.objects.filter(stage="supplier_response").count() == 40
    assert sweep_deadlines(now=NOW).clocks == 7
    assert sweep_deadlines(now=NOW).clocks == 0


def test_delivery_stage_seed_has_item_clocks_and_exactly_the_due_ones_escalate(postgres, people):
    copy_seed.seed_delivery_stage(30, due=7, now=NOW)

    assert set(PriorityRequest.objects.values_list("state", flat=True)) == {"accepted"}
    clocks = Clock.objects.filter(stage="delivery")
    assert clocks.count() == 30 and not clocks.filter(item__isnull=True).exists()
    assert sweep_deadlines(now=NOW).clocks == 7
    assert sweep_deadlines(now=NOW).clocks == 0
