"""Search that finds things (issue 16 point 3; issue 17 point 9: `q` served by an index):
every word must match, across reference, title, contract, program, prime contractor, supplier,
part number, NSN and the comments the reader may read; the tenant rule first."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection

from requests_app import services
from requests_app.models import PriorityRequest
from requests_app.permissions import sees_internal
from requests_app.queries import search_rebuild
from requests_app.queries.search import search_words
from tests import factories as f
from tests.helpers import client_for
from tests.processes import ROOT, demo_database


def found(people, who: str, q: str) -> set[str]:
    response = client_for(getattr(people, who)).get("/api/v1/requests/", {"q": q})
    assert response.status_code == 200, response.content
    return {row["reference"] for row in response.json()["results"]}


def comment(request, who, body: str, visibility: str) -> None:
    services.add_comment(request, by=who, body=body, visibility=visibility)


@pytest.fixture
def gyros(people, make_request):
    request = make_request(
        "with_supplier",
        title="Gyroscopes for the Tejas fleet",
        contract_number="W58RGZ-26-C-9911",
        program="Tejas Mk1A",
        prime_contractor="Hindustan Aeronautics",
        items=[f.item(part_number="GY-200", nsn="6615-01-234-5678")],
    )
    comment(request, people.requester_in, "Spare depot at Bangalore", "shared")
    comment(request, people.liaison_us, "Watch the Lakewood backlog", "internal")
    other = make_request("submitted", title="Valve castings", items=[f.item(part_number="VC-7")])
    return request, other


@pytest.mark.parametrize(
    "q",
    [
        "tejas gyroscopes",  # every word, any order
        "W58RGZ-26-C-9911",  # the contract
        "Mk1A",  # the program
        "hindustan",  # the prime contractor
        "acme",  # the supplier forwarded to (Acme Gyro Inc)
        "GY-200",  # a part number
        "6615-01-234",  # the start of an NSN
        "bangalore depot",  # a shared comment
        "gyro",  # the start of a word
        "W58RGZ-26-C-99",  # the contract as far as it was typed
    ],
)
def test_every_word_finds_the_request_across_its_fields(people, gyros, q):
    request, _ = gyros
    assert found(people, "liaison_us", q) == {request.reference}


def test_only_the_end_of_a_typed_word_may_be_unfinished(people, gyros):
    """Inside a typed word the parts before a delimiter are whole words (so the GIN index skips
    through them instead of reading every word that begins alike): "W58-26" is not W58RGZ-26."""
    assert found(people, "liaison_us", "W58-26-C-9911") == set()
    assert found(people, "liaison_us", "W58RGZ-26-C-9911 tej") == {gyros[0].reference}


def test_a_word_that_does_not_match_keeps_it_out(people, gyros):
    assert found(people, "liaison_us", "tejas valves") == set()
    assert found(people, "liaison_us", "castings") == {gyros[1].reference}


def test_internal_comments_are_searched_for_officials_only(people, gyros):
    request, _ = gyros
    assert found(people, "liaison_us", "lakewood") == {request.reference}
    assert found(people, "requester_in", "lakewood") == set()
    assert found(people, "requester_in", "bangalore") == {request.reference}


def test_the_tenant_rule_comes_first(people, gyros):
    assert found(people, "requester_gb", "tejas") == set()


@pytest.mark.parametrize(
    ("who", "index"),
    [("requester_in", "request_search_shared_idx"), ("liaison_us", "request_search_all_idx")],
)
def test_the_search_is_served_by_the_gin_indexes(people, gyros, who, index):
    """With sequential scans priced out (a test table is tiny), the plan is the index's."""
    user = getattr(people, who)
    rows = search_words(PriorityRequest.objects.all(), "tejas gyro", officials=sees_internal(user))
    sql, params = rows.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert index in plan, plan


def test_a_rebuild_writes_the_same_words_the_services_keep(people, gyros):
    request, _ = gyros
    words = PriorityRequest.objects.values_list("search_text", "search_internal")
    kept = words.get(pk=request.pk)
    PriorityRequest.objects.filter(pk=request.pk).update(search_text="", search_internal="")

    search_rebuild.rebuild()

    rebuilt = words.get(pk=request.pk)
    assert sorted(rebuilt[0].split()) == sorted(kept[0].split())
    assert rebuilt[1] == kept[1]


QUERIES = ["gyroscope", "tejas", "radar modules", "valve", "GY-200", "hal", "W58RGZ", "spares"]
PROBE = """
import json, django
django.setup()
from tests.queries.test_search import QUERIES, demo_results
print(json.dumps(demo_results()))
"""


def demo_results() -> dict[str, list[str]]:
    """What liaison.us finds for each of QUERIES in the demo data of this database."""
    user = get_user_model().objects.get(username="liaison.us")
    visible = PriorityRequest.objects.visible_to(user)
    officials = sees_internal(user)
    return {
        q: sorted(search_words(visible, q, officials=officials).values_list("reference", flat=True))
        for q in QUERIES
    }


def test_sqlite_finds_the_same_demo_requests_as_postgresql(db, tmp_path):
    call_command("seed_demo", stdout=io.StringIO())
    on_postgres = demo_results()
    database_url, _ = demo_database(tmp_path, "liaison.us")
    env = {**os.environ, "DATABASE_URL": database_url}
    env.pop("REDIS_URL", None)

    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True
    )

    assert done.returncode == 0, done.stderr[-2000:]
    on_sqlite = json.loads(done.stdout.strip().splitlines()[-1])
    assert sum(map(len, on_postgres.values())) >= 3  # the demo has requests these words find
    assert on_sqlite == on_postgres
