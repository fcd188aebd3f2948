"""Delta sync (issue 15, point 6): `updated_since` with `ordering=updated_at` on the request
list, and the cross-request event feed `GET /api/v1/events/?after=<cursor>` that a poller
follows without missing or repeating an event, under the tenant rule."""

from __future__ import annotations

import datetime as dt

import psycopg2
import pytest
from django.db import connection
from django.utils import timezone

from requests_app import services
from requests_app.models import Event, PriorityRequest
from requests_app.services.sweep import sweep_deadlines
from tests.helpers import client_for

from .conftest import url

FEED = "/api/v1/events/"


def references(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [row["reference"] for row in response.json()["results"]]


def set_updated(request: PriorityRequest, moment: dt.datetime) -> None:
    PriorityRequest.objects.filter(pk=request.pk).update(updated_at=moment)


# --- updated_since ----------------------------------------------------------------------------


def test_updated_since_lists_only_what_changed_oldest_change_first(api, make_request):
    old, changed_first, changed_last = (make_request("submitted") for _ in range(3))
    now = timezone.now()
    set_updated(old, now - dt.timedelta(days=2))
    set_updated(changed_last, now - dt.timedelta(minutes=1))
    set_updated(changed_first, now - dt.timedelta(minutes=5))
    since = (now - dt.timedelta(hours=1)).isoformat()

    response = api("liaison_us").get(url(), {"updated_since": since, "ordering": "updated_at"})

    assert references(response) == [changed_first.reference, changed_last.reference]


def test_an_action_brings_a_request_back_into_the_sync(api, people, make_request):
    target = make_request("submitted")
    set_updated(target, timezone.now() - dt.timedelta(days=1))
    since = (timezone.now() - dt.timedelta(minutes=1)).isoformat()
    assert references(api("liaison_us").get(url(), {"updated_since": since})) == []

    services.triage(target, by=people.liaison_us, assignee=people.reviewer_us)

    assert references(api("liaison_us").get(url(), {"updated_since": since})) == [target.reference]


def test_an_escalation_by_the_sweep_reaches_a_syncing_system_through_the_feed(api, make_request):
    target = make_request("submitted")
    client = api("liaison_us")
    _, cursor = poll_all(client)

    sweep_deadlines(now=timezone.now() + dt.timedelta(days=30))

    events, _ = poll_all(client, cursor)
    target.refresh_from_db()
    assert target.escalation_level is not None
    assert {(e["request"], e["action"]) for e in events} == {(target.reference, "escalate")}


def test_paging_by_updated_at_walks_every_request_once(api, make_request):
    made = {make_request("submitted").reference for _ in range(5)}
    client, seen, params = api("liaison_us"), [], {"ordering": "updated_at", "page_size": 2}
    page = client.get(url(), params).json()
    seen += [row["reference"] for row in page["results"]]
    while page["next"]:
        page = client.get(page["next"]).json()
        seen += [row["reference"] for row in page["results"]]

    assert sorted(seen) == sorted(made)


def test_an_updated_since_with_an_odd_offset_is_read_in_utc(api, make_request):
    target = make_request("submitted")
    set_updated(target, timezone.now())

    # +17:07 is a valid ISO offset that PostgreSQL refuses as it stands: converted, not a 500.
    found = api("liaison_us").get(url(), {"updated_since": "1024-05-02T23:29:59.5+17:07"})
    late = api("liaison_us").get(url(), {"updated_since": "9999-12-31T23:59:59-14:00"})

    assert references(found) == [target.reference]
    assert late.status_code == 400 and "updated_since" in late.json()["errors"]


@pytest.mark.parametrize("value", ["yesterday", "2026-13-01T00:00:00Z", "9999-99-99", ""])
def test_a_bad_updated_since_is_a_400_naming_it(api, value):
    response = api("liaison_us").get(url(), {"updated_since": value})

    assert response.status_code == 400
    assert "updated_since" in response.json()["errors"]


# --- the event feed ---------------------------------------------------------------------------


def poll_all(client, after: str | None = None, size: int = 3) -> tuple[list[dict], str]:
    events: list[dict] = []
    while True:
        params = {"page_size": size, **({"after": after} if after else {})}
        response = client.get(FEED, params)
        assert response.status_code == 200, response.json()
        body = response.json()
        events += body["results"]
        after = body["cursor"]
        if not body["has_more"]:
            return events, after


def test_the_feed_gives_every_visible_event_once_and_nothing_new_after(api, make_request):
    made = [make_request("approved") for _ in range(2)]
    client = api("liaison_us")

    events, cursor = poll_all(client)

    expected = Event.objects.filter(request__in=made)
    assert sorted(e["id"] for e in events) == sorted(expected.values_list("id", flat=True))
    assert len({e["id"] for e in events}) == len(events)
    assert {e["request"] for e in events} == {r.reference for r in made}
    again = client.get(FEED, {"after": cursor}).json()
    assert again["results"] == [] and again["cursor"] == cursor and not again["has_more"]


def test_the_feed_continues_where_the_poller_left_off(api, people, make_request):
    target = make_request("submitted")
    client = api("liaison_us")
    _, cursor = poll_all(client)

    services.triage(target, by=people.liaison_us, assignee=people.reviewer_us)

    events, _ = poll_all(client, cursor)
    assert [(e["request"], e["action"]) for e in events] == [(target.reference, "triage")]


def test_the_feed_shows_nobody_another_pairs_requests(api, make_request, people):
    make_request("submitted")  # India → US

    events, _ = poll_all(api("liaison_gb"))
    mine = client_for(people.requester_in).get(FEED).json()["results"]

    assert events == []
    assert mine and all(e["request"].startswith("IN-") for e in mine)


def test_the_feed_keeps_internal_comments_from_requesters(api, people, make_request):
    target = make_request("submitted")
    services.add_comment(target, by=people.liaison_us, body="Between us.", visibility="internal")
    services.add_comment(target, by=people.liaison_us, body="For all.", visibility="shared")

    officials, _ = poll_all(api("liaison_in"))
    requester, _ = poll_all(api("requester_in"))

    def comments(events):
        return [e["data"].get("visibility") for e in events if e["action"] == "comment"]

    assert sorted(comments(officials)) == ["internal", "shared"]
    assert comments(requester) == ["shared"]


@pytest.mark.parametrize("cursor", ["garbage", "WzEsMl0", "Wy0xLDJd", "WyJ4IiwyXQ"])
def test_a_forged_feed_cursor_is_a_400_naming_after(api, cursor):
    # "WzEsMl0" is [1,2] without padding: valid; the others are junk, a negative, a string.
    response = api("liaison_us").get(FEED, {"after": cursor})

    if cursor == "WzEsMl0":
        assert response.status_code == 200
    else:
        assert response.status_code == 400
        assert "after" in response.json()["errors"]


@pytest.mark.django_db(transaction=True)
def test_an_event_committed_late_with_a_lower_id_is_not_skipped(postgres, people, make_request):
    """A transaction that took its event id first but commits last: the poller must get it."""
    target = make_request("submitted")
    client = client_for(people.liaison_us)
    seen, cursor = poll_all(client)
    settings = connection.settings_dict
    slow = psycopg2.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
    )
    try:
        with slow.cursor() as cursor_slow:  # an open transaction: its event holds the lower id
            cursor_slow.execute(
                "INSERT INTO requests_app_event "
                "(request_id, action, from_state, to_state, data, created_at) "
                "VALUES (%s, 'comment', 'submitted', 'submitted', '{}', now()) RETURNING id",
                [target.pk],
            )
            (slow_id,) = cursor_slow.fetchone()
        services.triage(target, by=people.liaison_us, assignee=people.reviewer_us)
        fast_id = Event.objects.get(request=target, action="triage").pk
        assert fast_id > slow_id

        during, cursor = poll_all(client, cursor)
        slow.commit()
        after, _ = poll_all(client, cursor)
    finally:
        slow.close()

    ids = [e["id"] for e in seen + during + after]
    assert fast_id not in [e["id"] for e in during]  # held back behind the open transaction
    assert sorted(ids) == sorted(Event.objects.filter(request=target).values_list("id", flat=True))
    assert len(ids) == len(set(ids))


# --- counts on lists (issue 15, point 8) --------------------------------------------------------


def test_a_list_says_how_many_match_when_asked(api, make_request):
    for _ in range(3):
        make_request("submitted")
    client = api("liaison_us")

    plain = client.get(url(), {"page_size": 2}).json()
    first = client.get(url(), {"page_size": 2, "count": "true"}).json()
    second = client.get(first["next"]).json()
    whole = client.get(url(), {"count": "1"}).json()

    assert "count" not in plain  # costs nothing unless asked for
    assert first["count"] == 3 and len(first["results"]) == 2
    assert second["count"] == 3 and len(second["results"]) == 1
    assert whole["count"] == 3


def test_a_bad_count_flag_is_a_400_naming_it(api):
    response = api("liaison_us").get(url(), {"count": "maybe"})

    assert response.status_code == 400
    assert "count" in response.json()["errors"]
