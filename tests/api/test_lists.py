"""The request list: filters, orderings and cursor pages that never skip or repeat a row."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest
from django.utils import timezone

from requests_app import services
from requests_app.models import PriorityRequest
from tests import factories as f
from tests.helpers import support

from .conftest import url

T0 = timezone.now().replace(microsecond=0)


def refs(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [row["reference"] for row in response.json()["results"]]


def set_fields(request: PriorityRequest, **fields) -> PriorityRequest:
    PriorityRequest.objects.filter(pk=request.pk).update(**fields)
    return PriorityRequest.objects.get(pk=request.pk)


@pytest.fixture
def mix(people, make_request):
    """Requests a US liaison officer sees, in both directions and several states."""
    submitted = make_request(
        "submitted",
        title="Radar modules for Su-30",
        contract_number="IN-MOD-77/2026",
        items=[f.item(part_number="RM-9000", nsn="5840-01-555-1234")],
    )
    rated_dx = make_request("approved", title="Gyroscopes")
    rated_do = support(
        make_request("in_review", title="Fuzes"),
        by=people.reviewer_us,
        rating="DO",
        program_symbol="A6",
        note="Ammunition program.",
    )
    withdrawn = services.withdraw(
        make_request("submitted", title="Spare tyres"), by=people.requester_in, reason="Found."
    )
    us_to_india = services.submit(
        f.draft(people.requester_us, people.india, title="Forgings from Pune"),
        by=people.requester_us,
    )
    return {
        "submitted": submitted,
        "rated_dx": rated_dx,
        "rated_do": rated_do,
        "withdrawn": withdrawn,
        "us_to_india": us_to_india,
    }


# --- filters ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"state": "approved"}, {"rated_dx", "rated_do"}),
        ({"state": "resolved"}, {"withdrawn"}),
        ({"rating": "DX"}, {"rated_dx"}),
        ({"rating": "DO"}, {"rated_do"}),
        ({"requesting_nation": "US"}, {"us_to_india"}),
        ({"requesting_nation": "in"}, {"submitted", "rated_dx", "rated_do", "withdrawn"}),
        ({"responding_nation": "IN"}, {"us_to_india"}),
        # Approved: the assignee is the officer who triaged them and now forwards them.
        ({"assignee": "liaison.us"}, {"rated_dx", "rated_do"}),
        ({"assignee": "reviewer.us"}, set()),
        ({"assignee": "nobody"}, set()),
        ({"q": "radar"}, {"submitted"}),
        ({"q": "IN-MOD-77"}, {"submitted"}),
        ({"q": "RM-9000"}, {"submitted"}),
        ({"q": "5840-01-555"}, {"submitted"}),
        ({"q": "pune"}, {"us_to_india"}),
        ({"state": "approved", "rating": "DO"}, {"rated_do"}),
        ({"q": "   "}, {"submitted", "rated_dx", "rated_do", "withdrawn", "us_to_india"}),
    ],
)
def test_the_list_filters_by(api, mix, params, expected):
    response = api("liaison_us").get(url(), params)

    assert set(refs(response)) == {mix[name].reference for name in expected}


def test_the_list_searches_by_reference(api, mix):
    reference = mix["rated_do"].reference

    assert refs(api("liaison_us").get(url(), {"q": reference})) == [reference]


def test_overdue_lists_open_requests_past_their_due_time(api, mix):
    late = set_fields(mix["submitted"], due_at=timezone.now() - dt.timedelta(hours=1))
    set_fields(mix["withdrawn"], due_at=timezone.now() - dt.timedelta(days=9))  # resolved
    client = api("liaison_us")

    overdue = refs(client.get(url(), {"overdue": "true"}))
    on_time = refs(client.get(url(), {"overdue": "false"}))

    assert overdue == [late.reference]
    assert late.reference not in on_time
    assert mix["rated_dx"].reference in on_time


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"state": "lost"}, "state"),
        ({"rating": "DZ"}, "rating"),
        ({"requesting_nation": "USA"}, "requesting_nation"),
        ({"responding_nation": "India"}, "responding_nation"),
        ({"overdue": "maybe"}, "overdue"),
        ({"q": "x" * 101}, "q"),
        ({"q": "nul\x00byte"}, "q"),
        ({"ordering": "title"}, "ordering"),
        ({"ordering": "-due_at"}, "ordering"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "101"}, "page_size"),
        ({"page_size": "ten"}, "page_size"),
    ],
)
def test_a_bad_list_parameter_is_a_400_naming_it(api, mix, params, field):
    response = api("liaison_us").get(url(), params)

    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]


# --- ordering and cursor pages ----------------------------------------------------------------


@pytest.fixture
def spread(people, make_request):
    """Eleven requests of one nation with ties in created_at and due_at, and null due_at."""
    rows = [
        make_request("approved"),  # DX
        make_request("approved"),
        make_request("in_review"),
        make_request("submitted"),
        make_request("submitted"),
        f.draft(people.requester_in, people.us),  # no clock: due_at null
        f.draft(people.requester_in, people.us),
        services.withdraw(make_request("submitted"), by=people.requester_in, reason="x"),
        make_request("in_review"),
        make_request("approved"),
        f.draft(people.requester_in, people.us),
    ]
    due = T0 + dt.timedelta(days=3)
    values = [
        {"created_at": T0, "due_at": due},
        {"created_at": T0, "due_at": due, "rating": "DO", "program_symbol": "A1"},
        {"created_at": T0, "due_at": due},
        {"created_at": T0 - dt.timedelta(hours=1), "due_at": due},
        {"created_at": T0 - dt.timedelta(hours=2), "due_at": due - dt.timedelta(days=1)},
        {"created_at": T0},
        {"created_at": T0 - dt.timedelta(hours=1)},
        {"created_at": T0 - dt.timedelta(hours=3)},
        {"created_at": T0 - dt.timedelta(hours=4), "due_at": due + dt.timedelta(days=1)},
        {"created_at": T0 - dt.timedelta(hours=5), "due_at": due + dt.timedelta(days=2)},
        {"created_at": T0 - dt.timedelta(hours=6)},
    ]
    return [set_fields(row, **value) for row, value in zip(rows, values, strict=True)]


def _due_key(row):
    return (row.due_at is None, row.due_at or T0)


EXPECTED = {
    "-created_at": lambda rows: sorted(rows, key=lambda r: (r.created_at, r.pk), reverse=True),
    "created_at": lambda rows: sorted(rows, key=lambda r: (r.created_at, r.pk)),
    "due_at": lambda rows: sorted(rows, key=lambda r: (*_due_key(r), r.pk)),
    "priority": lambda rows: sorted(rows, key=lambda r: (r.priority_rank, *_due_key(r), r.pk)),
}


def walk(client, params: dict) -> list[str]:
    """Follow `next` from the first page to the last; every reference seen, in order."""
    seen: list[str] = []
    response = client.get(url(), params)
    for _ in range(100):
        seen += refs(response)
        following = response.json()["next"]
        if following is None:
            return seen
        response = client.get(following)
    raise AssertionError("the cursor never ended")


@pytest.mark.parametrize("ordering", list(EXPECTED))
def test_cursor_pages_walk_every_request_once_in_order(api, spread, ordering):
    expected = [row.reference for row in EXPECTED[ordering](spread)]

    seen = walk(api("requester_in"), {"ordering": ordering, "page_size": 2})

    assert seen == expected
    assert len(set(seen)) == len(spread)


def test_the_default_order_is_newest_first(api, spread):
    expected = [row.reference for row in EXPECTED["-created_at"](spread)]

    assert walk(api("requester_in"), {"page_size": 3}) == expected


def test_priority_puts_dx_before_do_before_unrated_then_earliest_due(api, people, spread):
    rows = {row.reference: row for row in spread}

    seen = walk(api("requester_in"), {"ordering": "priority", "page_size": 4})

    ratings = [rows[ref].rating for ref in seen]
    assert ratings == sorted(ratings, key=["DX", "DO", ""].index)
    unrated_due = [rows[ref].due_at for ref in seen if not rows[ref].rating]
    dated = [due for due in unrated_due if due is not None]
    assert unrated_due == dated + [None] * (len(unrated_due) - len(dated))
    assert dated == sorted(dated)


def test_filters_and_cursors_combine(api, spread):
    expected = [r.reference for r in EXPECTED["due_at"](spread) if r.state == "draft"]

    seen = walk(api("requester_in"), {"state": "draft", "ordering": "due_at", "page_size": 1})

    assert seen == expected


def test_a_page_says_where_the_next_one_starts_and_the_last_says_none(api, spread):
    client = api("requester_in")

    first = client.get(url(), {"page_size": len(spread) - 1}).json()
    last = client.get(first["next"]).json()

    assert first["next"].startswith("http://testserver/api/v1/requests/?")
    assert len(last["results"]) == 1
    assert last["next"] is None


def encode(payload) -> str:
    raw = json.dumps(payload).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    "params",
    [
        {"cursor": "garbage!"},
        {"cursor": encode({"o": "-created_at", "v": [1]})},
        {"cursor": encode({"o": "priority", "v": [0, None, 1]})},  # another ordering's cursor
        {"cursor": encode({"o": "-created_at", "v": ["not a time", 3]})},
        {"cursor": encode({"o": "-created_at", "v": [T0.isoformat(), "abc"]})},
        {"cursor": encode({"o": "-created_at", "v": [T0.isoformat(), {"id": 1}]})},
        {"cursor": encode({"o": "-created_at", "v": [T0.isoformat(), 10**30]})},
        {"cursor": encode({"o": "due_at", "v": [T0.isoformat(), [1]]})},
        {"ordering": "priority", "cursor": encode({"o": "priority", "v": ["x", None, 1]})},
        {"ordering": "priority", "cursor": encode({"o": "priority", "v": [True, None, 1]})},
        {"cursor": encode(["o", "v"])},
        {"cursor": encode({"o": "-created_at", "v": "ab"})},
    ],
    ids=[
        "not-base64-json",
        "too-short",
        "other-ordering",
        "bad-time",
        "text-id",
        "object-id",
        "huge-id",
        "list-id",
        "text-rank",
        "boolean-rank",
        "not-an-object",
        "values-not-a-list",
    ],
)
def test_a_bad_cursor_is_a_400_naming_it(api, spread, params):
    response = api("requester_in").get(url(), params)

    assert response.status_code == 400, response.content
    assert "cursor" in response.json()["errors"]


# --- query count ------------------------------------------------------------------------------

# token+user, role, profile, served nations (liaisons), the page, its items, its open clocks.
QUERIES_PER_PAGE = 7


@pytest.fixture
def fifty(people, make_request):
    """Fifty requests of India, a few in each timed state, the rest drafts."""
    rows = [make_request(state) for state in ("submitted", "in_review", "approved", "accepted")]
    rows += [make_request("with_supplier") for _ in range(2)]
    rows += [
        f.draft(people.requester_in, people.us, items=[f.item(), f.item(part_number="X")])
        for _ in range(44)
    ]
    return rows


@pytest.mark.parametrize("who", ["requester_in", "liaison_us"])
@pytest.mark.parametrize("ordering", ["-created_at", "priority"])
def test_a_page_costs_the_same_few_queries_whatever_its_size(
    api, fifty, django_assert_max_num_queries, who, ordering
):
    client = api(who)
    client.get(url())  # the first call of a token records its use: not part of a page's cost

    with django_assert_max_num_queries(QUERIES_PER_PAGE):
        small = client.get(url(), {"page_size": 5, "ordering": ordering})
    with django_assert_max_num_queries(QUERIES_PER_PAGE):
        large = client.get(url(), {"page_size": 50, "ordering": ordering})

    assert len(small.json()["results"]) == 5
    assert len(large.json()["results"]) == (50 if who == "requester_in" else 6)
