"""Sessions end after eight hours without a request (DESIGN §8), renewed at most once a minute:
a page view reads the session and writes it only when its last renewal is a minute old."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)


def session_writes(client, path: str = "/") -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    writes = [
        q
        for q in queries.captured_queries
        if q["sql"].startswith("UPDATE") and "django_session" in q["sql"]
    ]
    return len(writes)


def test_requests_seconds_apart_write_the_session_once_and_again_after_a_minute(client, people):
    with time_machine.travel(START, tick=False) as traveller:
        client.force_login(people.requester_in)

        first = session_writes(client)
        traveller.shift(dt.timedelta(seconds=5))
        second = session_writes(client)
        traveller.shift(dt.timedelta(seconds=50))
        third = session_writes(client)
        traveller.shift(dt.timedelta(seconds=61))
        renewed = session_writes(client)

    assert (first, second, third, renewed) == (1, 0, 0, 1)


def test_a_renewal_sends_the_cookie_again_with_the_full_idle_timeout(client, people, settings):
    with time_machine.travel(START, tick=False) as traveller:
        client.force_login(people.requester_in)
        client.get("/")
        traveller.shift(dt.timedelta(seconds=10))
        quiet = client.get("/")
        traveller.shift(dt.timedelta(minutes=2))
        renewed = client.get("/")

    assert "sessionid" not in quiet.cookies
    assert renewed.cookies["sessionid"]["max-age"] == settings.SESSION_COOKIE_AGE


def test_a_session_used_every_half_hour_outlives_eight_hours(client, people):
    with time_machine.travel(START, tick=False) as traveller:
        client.force_login(people.requester_in)
        for _ in range(20):  # ten hours
            traveller.shift(dt.timedelta(minutes=30))
            response = client.get("/")
            assert response.status_code == 200


def test_a_session_idle_for_eight_hours_ends(client, people):
    with time_machine.travel(START, tick=False) as traveller:
        client.force_login(people.requester_in)
        client.get("/")
        traveller.shift(dt.timedelta(hours=7, minutes=59))
        still_signed_in = client.get("/")
        traveller.shift(dt.timedelta(hours=8, seconds=1))
        signed_out = client.get("/")

    assert still_signed_in.status_code == 200
    assert signed_out.status_code == 302 and signed_out["Location"].startswith("/accounts/login/")
