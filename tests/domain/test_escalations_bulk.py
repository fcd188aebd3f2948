"""The sweep's set-based writes (raw inserts and updates per batch) on PostgreSQL and SQLite."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from requests_app.models import Clock, Escalation, Event, Notification, PriorityRequest
from requests_app.services.events import NOTICE_FIELDS, notice_payload
from requests_app.services.sweep import sweep_deadlines
from sosa_portal.lib.bulk import insert_rows, update_rows
from tests.helpers import DUE, DUE_SOON, FORWARDED, MINUTE


def supplier_clocks(make_request, count: int) -> list[Clock]:
    return [
        Clock.objects.get(request=make_request("with_supplier", now=FORWARDED), stopped_at=None)
        for _ in range(count)
    ]


def writes_to(table: str, queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].startswith("UPDATE") and table in q["sql"]]


@pytest.mark.django_db
def test_insert_rows_returns_the_new_ids_in_row_order(make_request):
    request = make_request("with_supplier", now=FORWARDED)
    data = [{"n": n} for n in range(5)]
    ids = insert_rows(
        Event,
        ["request_id", "actor_id", "action", "from_state", "to_state", "data", "created_at"],
        [(request.pk, None, f"test_{n}", "", "", data[n], FORWARDED) for n in range(5)],
    )
    assert [Event.objects.get(pk=pk).action for pk in ids] == [f"test_{n}" for n in range(5)]
    assert [Event.objects.get(pk=pk).data for pk in ids] == data


@pytest.mark.django_db
def test_insert_rows_keeps_quotes_backslashes_braces_and_nulls_as_written(make_request):
    request = make_request("with_supplier", now=FORWARDED)
    awkward = ['say "hi"', "C:\\new\\", "{a,b}", "NULL", "", "naïve, \\\"mixed\\\" 'quotes'"]
    ids = insert_rows(
        Event,
        ["request_id", "actor_id", "action", "from_state", "to_state", "data", "created_at"],
        [(request.pk, None, text, "x", "", {"text": text, "none": None}, DUE) for text in awkward],
    )
    events = [Event.objects.get(pk=pk) for pk in ids]
    assert [event.action for event in events] == awkward
    assert [event.data for event in events] == [{"text": text, "none": None} for text in awkward]
    assert {event.created_at for event in events} == {DUE}
    assert all(event.actor_id is None for event in events)


@pytest.mark.django_db
def test_insert_rows_skips_outbox_rows_that_exist_and_keeps_a_shared_payload_whole(
    make_request, people
):
    request = make_request("with_supplier", now=FORWARDED)
    event = Event.objects.filter(request=request).last()
    payload = {"kind": "overdue", "title": "Gyros", "levels": [0, 1]}
    rows = [
        (user.pk, "overdue", request.pk, event.pk, payload, DUE, 0, "")
        for user in (people.reviewer_us, people.liaison_us)
    ]
    insert_rows(Notification, NOTICE_FIELDS, rows, ignore_conflicts=True)
    insert_rows(Notification, NOTICE_FIELDS, rows, ignore_conflicts=True)  # again, as a rival sweep
    notices = Notification.objects.filter(event=event, kind="overdue")
    assert notices.count() == 2
    assert {notice.payload["title"] for notice in notices} == {"Gyros"}
    assert all(notice.sent_at is None and notice.attempts == 0 for notice in notices)


@pytest.mark.django_db
def test_update_rows_writes_only_the_named_columns(make_request):
    clocks = supplier_clocks(make_request, 2)
    for n, clock in enumerate(clocks):
        clock.level, clock.next_escalation_at, clock.explanation = n, DUE + n * MINUTE, "changed"
    update_rows(Clock, list(reversed(clocks)), ["level", "next_escalation_at"])
    for n, clock in enumerate(clocks):
        clock.refresh_from_db()
        assert (clock.level, clock.next_escalation_at) == (n, DUE + n * MINUTE)
        assert clock.explanation != "changed"


@pytest.mark.django_db
def test_each_notice_of_a_batched_sweep_points_at_its_own_requests_event(make_request):
    supplier_clocks(make_request, 5)
    result = sweep_deadlines(now=DUE + MINUTE, batch_size=2)
    assert (result.clocks, result.batches, result.escalations) == (5, 3, 10)
    notices = Notification.objects.filter(kind="overdue").select_related("event")
    assert notices.count() == result.notifications == 5 * 2  # the assignee and India's officer
    for notice in notices:
        assert notice.event.request_id == notice.request_id
        assert notice.event.action == "escalate" and notice.event.data["name"] == "overdue"


@pytest.mark.django_db
def test_a_notice_says_what_notice_payload_says(make_request):
    (clock,) = supplier_clocks(make_request, 1)
    sweep_deadlines(now=DUE + MINUTE)
    clock.refresh_from_db()
    request = PriorityRequest.objects.get(pk=clock.request_id)
    expected = notice_payload(request, kind="overdue", clock=clock)
    assert {notice.payload["kind"] for notice in Notification.objects.filter(kind="overdue")} == {
        "overdue"
    }
    for notice in Notification.objects.filter(kind="overdue"):
        assert notice.payload == expected
        assert notice.created_at == DUE + MINUTE


@pytest.mark.django_db
def test_a_sweep_reads_and_writes_in_the_same_few_queries_however_many_clocks_are_due(
    make_request,
):
    supplier_clocks(make_request, 2)
    with CaptureQueriesContext(connection) as few:
        sweep_deadlines(now=DUE + MINUTE)
    Notification.objects.all().delete()
    supplier_clocks(make_request, 6)
    with CaptureQueriesContext(connection) as many:
        assert sweep_deadlines(now=DUE + MINUTE).clocks == 6
    assert len(many.captured_queries) == len(few.captured_queries)


@pytest.mark.django_db
def test_the_sweep_leaves_a_request_row_alone_when_its_level_does_not_change(make_request):
    (clock,) = supplier_clocks(make_request, 1)
    PriorityRequest.objects.filter(pk=clock.request_id).update(escalation_level=1)
    with CaptureQueriesContext(connection) as queries:
        assert sweep_deadlines(now=DUE + MINUTE).escalations == 2
    assert writes_to("requests_app_priorityrequest", queries.captured_queries) == []
    assert writes_to("requests_app_clock", queries.captured_queries) != []


@pytest.mark.django_db
def test_a_clock_whose_due_time_moved_is_rescheduled_without_escalating(make_request):
    (clock,) = supplier_clocks(make_request, 1)
    Clock.objects.filter(pk=clock.pk).update(next_escalation_at=FORWARDED)  # stale: due moved
    result = sweep_deadlines(now=DUE_SOON - MINUTE)
    assert (result.clocks, result.escalations) == (1, 0)
    clock.refresh_from_db()
    assert clock.next_escalation_at == DUE_SOON and clock.level is None
    assert not Escalation.objects.exists()
    assert not Event.objects.filter(action="escalate").exists()
