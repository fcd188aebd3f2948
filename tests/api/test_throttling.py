"""Rate limits per token: the next call past the limit is a 429 that says when to retry."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from requests_app.api.throttling import TokenRateThrottle
from tests.helpers import PASSWORD, client_for

from .conftest import url

LIMIT = 3


@pytest.fixture(autouse=True)
def _low_rate(monkeypatch):
    # The rates are read from settings when the class is defined: lower them on the class.
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"api": f"{LIMIT}/min"})


def test_the_call_past_the_limit_is_a_429_with_retry_after(api):
    client = api("requester_in")
    for _ in range(LIMIT):
        assert client.get(url()).status_code == 200

    response = client.get(url())

    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert response.json()["errors"]["detail"]


def test_a_throttled_action_is_not_taken(api, request_in):
    target = request_in("submitted")
    client = api("requester_in")
    for _ in range(LIMIT):
        client.get(url(target.reference))

    response = client.post(url(target.reference, "withdraw"), {"reason": "x"}, format="json")

    assert response.status_code == 429
    target.refresh_from_db()
    assert target.state == "submitted"


def test_another_users_token_is_not_affected(api):
    busy = api("requester_in")
    for _ in range(LIMIT + 1):
        busy.get(url())

    assert busy.get(url()).status_code == 429
    assert api("liaison_us").get(url()).status_code == 200


def test_each_token_has_its_own_allowance(people, api):
    first = api("requester_in")
    for _ in range(LIMIT + 1):
        first.get(url())

    second = client_for(people.requester_in)

    assert first.get(url()).status_code == 429
    assert second.get(url()).status_code == 200


def test_a_browser_session_is_limited_per_user(people):
    client = APIClient()
    client.login(username="requester.in", password=PASSWORD)
    for _ in range(LIMIT):
        assert client.get("/api/v1/me/").status_code == 200

    assert client.get("/api/v1/me/").status_code == 429


def test_the_allowance_comes_back_after_the_window(api):
    client = api("requester_in")
    for _ in range(LIMIT + 1):
        client.get(url())

    with time_machine.travel(timezone.now() + dt.timedelta(seconds=61)):
        assert client.get(url()).status_code == 200
