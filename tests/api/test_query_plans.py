"""Every list page can be answered from an index, never by reading the requests table through.

A test table is small enough that PostgreSQL would rather scan it whole; with sequential scans
priced out, a plan that still scans it means no index fits the page's filters and order: at a
million requests that page would read the whole table (benchmarks/README.md).
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from requests_app.models import PriorityRequest
from sosa_portal.lib.sql import main_read
from tests.helpers import sign_in

pytestmark = pytest.mark.services


def main_query(statements: list[str]) -> str:
    sql = main_read(statements, PriorityRequest._meta.db_table)
    assert sql is not None, "the page did not read the requests table"
    return sql


def plan_without(sql: str, *methods: str) -> str:
    """The plan of `sql` with these plan methods priced out (`seqscan`, `sort`, …)."""
    with connection.cursor() as cursor:
        for method in methods:
            cursor.execute(f"SET enable_{method} = off")
        try:
            cursor.execute("EXPLAIN " + sql)
            return "\n".join(row[0] for row in cursor.fetchall())
        finally:
            for method in methods:
                cursor.execute(f"RESET enable_{method}")


def plan_without_sequential_scans(sql: str) -> str:
    return plan_without(sql, "seqscan")


@pytest.fixture
def requests_both_ways(make_request, people):
    for state in ("draft", "submitted", "in_review", "approved", "with_supplier", "accepted"):
        make_request(state)
    return people


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/requests/",
        "/api/v1/requests/?state=with_supplier&rating=DX",
        "/api/v1/requests/?ordering=priority",
        "/api/v1/requests/?ordering=due_at",
        "/api/v1/requests/?state=submitted&ordering=priority",
    ],
)
def test_each_api_list_is_read_through_an_index(postgres, api, requests_both_ways, path):
    with CaptureQueriesContext(connection) as captured:
        assert api("liaison_us").get(path).status_code == 200

    plan = plan_without_sequential_scans(main_query([q["sql"] for q in captured]))

    assert "Seq Scan on requests_app_priorityrequest" not in plan, plan


def test_a_later_api_page_seeks_to_its_cursor(postgres, api, requests_both_ways):
    client = api("liaison_us")
    first = client.get("/api/v1/requests/?page_size=2").json()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(first["next"].replace("http://testserver", "")).status_code == 200

    # Read in order, without sorting what it found: the newest-first index, entered at the
    # cursor (an index condition, not a filter applied row by row from the top).
    plan = plan_without(main_query([q["sql"] for q in captured]), "seqscan", "bitmapscan", "sort")

    assert "Index Scan using request_created_idx" in plan, plan
    assert "Index Cond: (ROW(created_at, id) <" in plan, plan


def test_the_liaison_queue_is_read_through_an_index(postgres, client, requests_both_ways):
    sign_in(client, requests_both_ways.liaison_us)
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/queue/").status_code == 200

    plan = plan_without_sequential_scans(main_query([q["sql"] for q in captured]))

    assert "Seq Scan on requests_app_priorityrequest" not in plan, plan
