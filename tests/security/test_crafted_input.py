"""Issue 17, point 10 (first part): crafted input is a 400 that names the parameter, never a
500 — digits that are not ASCII, JSON nested past the recursion limit, forged cursors and
If-Match values, dates at the edge of the calendar."""

from __future__ import annotations

import base64
import json

import pytest

from tests.helpers import client_for, sign_in

# Digits Python calls digits (str.isdigit) that int() refuses or reads unexpectedly.
NOT_ASCII_DIGITS = ["\u00b2", "\u0661\u0662", "\U0001d7d0\U0001d7d3", "\u0663"]


def forged(payload) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


@pytest.mark.parametrize("value", NOT_ASCII_DIGITS)
@pytest.mark.parametrize(
    "path", ["/api/v1/requests/", "/api/v1/events/", "/api/v1/webhooks/1/deliveries/"]
)
def test_a_page_size_of_digits_that_are_not_ascii_is_a_400(people, path, value):
    response = client_for(people.liaison_us).get(path, {"page_size": value})

    assert response.status_code in (400, 404), response.content[:200]
    if response.status_code == 400:
        assert "page_size" in response.json()["errors"]


@pytest.mark.parametrize("value", NOT_ASCII_DIGITS)
def test_a_request_history_page_size_of_odd_digits_is_a_400(people, make_request, value):
    target = make_request("submitted")

    response = client_for(people.liaison_us).get(
        f"/api/v1/requests/{target.reference}/events/", {"page_size": value}
    )

    assert response.status_code == 400
    assert "page_size" in response.json()["errors"]


def test_json_nested_two_thousand_deep_is_a_400(people):
    body = "[" * 5000 + "]" * 5000

    response = client_for(people.requester_in).post(
        "/api/v1/requests/", body, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["errors"]


@pytest.mark.parametrize(
    "cursor",
    [
        forged({"o": "-created_at", "v": ["9999-12-31T23:59:59+14:00", 1]}),
        forged({"o": "-created_at", "v": ["0001-01-01T00:00:00-14:00", 1]}),
        forged({"o": "-created_at", "v": ["2026-12-05T10:00:00", 1]}),  # naive
        forged({"o": "-created_at", "v": ["2026-12-05T10:00:00+00:00", 2**70]}),
        forged({"o": "-created_at", "v": [None, None]}),
        forged(["not", "a", "cursor"]),
    ],
)
def test_a_forged_list_cursor_is_a_400_naming_cursor_or_an_empty_page(people, cursor):
    response = client_for(people.liaison_us).get("/api/v1/requests/", {"cursor": cursor})

    assert response.status_code in (200, 400), response.content[:200]
    if response.status_code == 400:
        assert "cursor" in response.json()["errors"]


@pytest.mark.parametrize("tag", ['"²"', '"99999999999999999999999"', 'W/"-1"'])
def test_an_odd_if_match_is_a_400_naming_it(people, make_request, tag):
    draft = make_request("draft")

    response = client_for(people.requester_in).patch(
        f"/api/v1/requests/{draft.reference}/", {"title": "x"}, format="json", HTTP_IF_MATCH=tag
    )

    assert response.status_code == 400
    assert "If-Match" in response.json()["errors"]


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"from": "9999-12-31"}, "from"),
        ({"to": "9999-12-31"}, "to"),
        ({"from": "0001-01-01"}, "from"),
        ({"to": "2026-02-30"}, "to"),
    ],
)
def test_audit_export_dates_out_of_the_calendar_are_a_400_naming_them(
    client, people, params, named
):
    people.liaison_us.is_staff = True
    people.liaison_us.save()
    sign_in(client, people.liaison_us)

    response = client.get("/audit/export.csv", params)

    assert response.status_code == 400
    assert response.content.decode().startswith(f"{named}: ")
