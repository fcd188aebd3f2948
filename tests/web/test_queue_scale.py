"""The queue and the list at scale: a constant number of queries per page, pages walked by
position (never OFFSET) with links that keep the filters, a count bounded at COUNT_LIMIT, and
the assignee picker taken from the people requests can be assigned to."""

from __future__ import annotations

import re

import pytest
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve

from requests_app import services
from requests_app.models import PriorityRequest
from requests_app.permissions import served_nation_ids, user_role
from requests_app.queries import cursors
from requests_app.web import lists as request_views
from requests_app.web import queue as queue_page
from tests.helpers import references_on, sign_in, text_of


def link(response, rel: str) -> str | None:
    """The query string of the page's Next (rel="next") or Previous (rel="prev") link."""
    found = re.search(rf'href="(\?[^"]*)" rel="{rel}"', text_of(response))
    return found[1].replace("&amp;", "&") if found else None


def options_of(response, select_id: str) -> list[str]:
    html = text_of(response)
    select = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', html, re.S)
    return re.findall(r'<option value="([^"]*)"', select[1])


def view_alone(rf, user, path: str, params=None):
    """The page's view as the middleware hands it a request: the per-request stack (session,
    user, second factor, the person's role and nations) is paid before and is not the page's."""
    request = rf.get(path, params or {})
    request.user = user
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    user_role(user), served_nation_ids(user)
    return lambda: resolve(path).func(request)


# The queue also lists its views with their counts (one query) and the officer's saved views.
BUDGET = {"/queue/": 10, "/requests/": 8}


def many(make_request, count: int, state: str = "submitted") -> list[PriorityRequest]:
    return [make_request(state, title=f"Part {number}") for number in range(count)]


@pytest.mark.parametrize("path", ["/queue/", "/requests/"])
@pytest.mark.parametrize("count", [5, 60])
def test_the_queue_and_the_list_cost_at_most_10_and_8_queries_for_5_or_60_requests(
    rf, people, make_request, django_assert_max_num_queries, path, count
):
    many(make_request, count)
    page = view_alone(rf, people.liaison_us, path)

    with django_assert_max_num_queries(BUDGET[path]):
        response = page()

    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/queue/", "/requests/"])
@pytest.mark.parametrize("count", [5, 60])
def test_the_whole_request_for_the_queue_or_the_list_costs_at_most_10_and_8_queries(
    client, people, make_request, django_assert_max_num_queries, path, count
):
    """Session, user, second factor, person, the page's rows, its count, the assignee picker,
    the saved views and the views' counts (queue) and the unread badge; nations come from the
    cache and the session is not written (it is renewed at most once a minute)."""
    many(make_request, count)
    sign_in(client, people.liaison_us)
    client.get(path)  # the first request after signing in renews the session

    with django_assert_max_num_queries(BUDGET[path]) as queries:
        response = client.get(path)

    assert response.status_code == 200
    assert len(references_on(response)) == min(count, 25)
    statements = [query["sql"] for query in queries.captured_queries]
    assert not [sql for sql in statements if sql.startswith('SELECT "partners_nation"')]
    assert not [sql for sql in statements if sql.startswith("UPDATE")]


@pytest.mark.parametrize("path", ["/queue/", "/requests/"])
def test_a_later_page_costs_no_more_queries_than_the_first(
    rf, people, make_request, django_assert_max_num_queries, path
):
    many(make_request, 60)
    ordering = "priority" if path == "/queue/" else "-created_at"
    middle = PriorityRequest.objects.order_by("id")[30]
    cursor = cursors.encode(ordering, middle)
    page = view_alone(rf, people.liaison_us, path, {"after": cursor, "state": "submitted"})

    with django_assert_max_num_queries(BUDGET[path]):
        response = page()

    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/queue/", "/requests/"])
def test_the_whole_request_costs_the_same_number_of_queries_for_30_or_60_requests(
    client, people, make_request, django_assert_num_queries, path
):
    """Past one page (below it the page is the count and the count query is skipped)."""
    many(make_request, 30)
    sign_in(client, people.liaison_us)
    client.get(path)  # warm the session
    with CaptureQueriesContext(connection) as fewer:
        client.get(path)
    many(make_request, 30)

    with django_assert_num_queries(len(fewer.captured_queries)):
        response = client.get(path)

    assert len(response.context["page"].object_list) == 25


def test_the_queue_pages_forward_and_back_in_priority_order_keeping_the_filters(
    client, people, make_request
):
    submitted = many(make_request, 60)
    many(make_request, 3, state="in_review")
    in_order = list(
        PriorityRequest.objects.filter(state="submitted")
        .by_priority()
        .values_list("reference", flat=True)
    )
    sign_in(client, people.liaison_us)

    first = client.get("/queue/", {"state": "submitted"})
    second = client.get("/queue/" + link(first, "next"))
    third = client.get("/queue/" + link(second, "next"))
    back = client.get("/queue/" + link(third, "prev"))

    assert link(first, "prev") is None and link(third, "next") is None
    assert "state=submitted" in link(first, "next") and "state=submitted" in link(third, "prev")
    assert references_on(first) + references_on(second) + references_on(third) == in_order
    assert len(in_order) == len(submitted)
    assert references_on(back) == references_on(second)
    assert "60 requests." in text_of(first)
    assert "25 rows shown of 60" in text_of(second)
    assert 'name="next" value="/queue/?state=submitted&amp;after=' in text_of(second)


def test_the_list_pages_forward_and_back_newest_first_keeping_the_filters(
    client, people, make_request
):
    many(make_request, 30)
    many(make_request, 3, state="in_review")
    newest_first = list(
        PriorityRequest.objects.filter(state="submitted")
        .order_by("-created_at", "-id")
        .values_list("reference", flat=True)
    )
    sign_in(client, people.liaison_us)

    first = client.get("/requests/", {"state": "submitted"})
    second = client.get("/requests/" + link(first, "next"))
    back = client.get("/requests/" + link(second, "prev"))

    assert references_on(first) + references_on(second) == newest_first
    assert references_on(back) == references_on(first)
    assert "state=submitted" in link(second, "prev")
    assert "30 requests you can see" in text_of(second)


def test_beyond_the_count_limit_the_pages_say_more_than_it(
    client, people, make_request, monkeypatch
):
    """The list counts to COUNT_LIMIT; the queue no further than its side list's badges."""
    monkeypatch.setattr(request_views, "PAGE_SIZE", 5)
    monkeypatch.setattr(request_views, "COUNT_LIMIT", 10)
    monkeypatch.setattr(queue_page, "SIDE_COUNT_LIMIT", 10)
    many(make_request, 11)
    sign_in(client, people.liaison_us)

    queue = text_of(client.get("/queue/"))
    listed = text_of(client.get("/requests/"))
    fewer = text_of(client.get("/queue/", {"q": "Part 1"}))  # Part 1 and Part 10

    assert "More than 10 requests." in queue
    assert "5 rows shown of more than 10" in queue
    assert "More than 10 requests you can see" in listed
    assert "2 requests." in fewer


def test_a_mangled_or_foreign_cursor_shows_the_first_page(client, people, make_request):
    many(make_request, 30)
    sign_in(client, people.liaison_us)
    first = references_on(client.get("/queue/"))
    list_cursor = client.get("/requests/").context["page"].next_cursor

    assert references_on(client.get("/queue/", {"after": "not-a-cursor"})) == first
    assert references_on(client.get("/queue/", {"before": list_cursor})) == first
    assert references_on(client.get("/queue/", {"page": "7"})) == first


def test_a_link_past_rows_that_left_the_queue_starts_again_at_the_top(client, people, make_request):
    rows = many(make_request, 27)
    sign_in(client, people.liaison_us)
    first = client.get("/queue/")
    following = first.context["page"].next_cursor
    for row in rows:
        if row.reference not in references_on(first):
            services.withdraw(row, by=people.requester_in, reason="Not needed.")

    again = client.get("/queue/", {"after": following})

    assert references_on(again) == references_on(first)


def test_the_csv_link_exports_the_filtered_list_not_the_page(client, people, make_request):
    many(make_request, 30)
    sign_in(client, people.liaison_us)
    first = client.get("/queue/", {"state": "submitted"})
    second = client.get("/queue/" + link(first, "next"))

    assert 'href="?state=submitted&amp;format=csv"' in text_of(second)


def test_the_assignee_pickers_offer_the_people_requests_can_be_assigned_to(
    client, people, make_request
):
    make_request("in_review")
    sign_in(client, people.liaison_us)

    response = client.get("/queue/", {"view": "all"})
    linked = client.get("/queue/", {"view": "all", "assignee": "someone.gone"})

    filter_options = options_of(response, "f-assignee")
    assert {"liaison.us", "reviewer.us"} <= set(filter_options)
    assert not {"reviewer.in", "requester.us", "observer.us"} & set(filter_options)
    assert str(people.reviewer_us.pk) in options_of(response, "id_bulk_assignee")
    assert "someone.gone" in options_of(linked, "f-assignee")
    assert '<option value="someone.gone" selected>' in text_of(linked)
