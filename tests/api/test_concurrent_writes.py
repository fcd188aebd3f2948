"""Issue 15, point 1: concurrent writes through a real multi-process web server never answer a
500 — on the embedded SQLite default (WAL, a busy timeout, IMMEDIATE transactions) and on
PostgreSQL. Six agency threads post ten comments each; every one is a 201 and is kept."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from partners.accounts.tokens import issue_token
from tests.processes import demo_database, shared_database_url, web_server

THREADS, EACH = 6, 10


def call(method: str, url: str, key: str, body: dict | None = None) -> tuple[int, str, str]:
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Authorization": f"Token {key}", "Content-Type": "application/json"}
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers["Content-Type"], response.read().decode()
    except urllib.error.HTTPError as refused:
        return refused.code, refused.headers["Content-Type"] or "", refused.read().decode()


def post_comments_at_once(base: str, key: str, reference: str) -> list[tuple[int, str, str]]:
    url = f"{base}/api/v1/requests/{reference}/comments/"

    def one(n: int):
        return call("POST", url, key, {"body": f"Update {n}", "visibility": "shared"})

    with ThreadPoolExecutor(THREADS) as pool:
        return list(pool.map(one, range(THREADS * EACH)))


def assert_all_kept(answers, base: str, key: str, reference: str, before: int) -> None:
    failures = [(code, kind, text[:200]) for code, kind, text in answers if code != 201]
    assert not failures, failures
    status, _, text = call("GET", f"{base}/api/v1/requests/{reference}/comments/", key)
    assert status == 200
    bodies = [comment["body"] for comment in json.loads(text)]
    assert len(bodies) == before + THREADS * EACH
    assert {f"Update {n}" for n in range(THREADS * EACH)} <= set(bodies)


def test_concurrent_comments_on_the_embedded_sqlite_default_all_succeed(tmp_path):
    database_url, key = demo_database(tmp_path, "liaison.in")

    with web_server(database_url, tmp_path / "web.log") as base:
        status, _, text = call("GET", f"{base}/api/v1/requests/?state=submitted", key)
        assert status == 200, text
        reference = json.loads(text)["results"][0]["reference"]
        before = len(
            json.loads(call("GET", f"{base}/api/v1/requests/{reference}/comments/", key)[2])
        )

        answers = post_comments_at_once(base, key, reference)

        assert_all_kept(answers, base, key, reference, before)
    assert "database is locked" not in (tmp_path / "web.log").read_text()


@pytest.mark.django_db(transaction=True)
def test_concurrent_comments_on_postgresql_all_succeed(postgres, people, make_request, tmp_path):
    target = make_request("submitted")
    _token, key = issue_token(people.liaison_in, name="load", expires_at=None, via="test")

    with web_server(shared_database_url(), tmp_path / "web.log") as base:
        answers = post_comments_at_once(base, key, target.reference)

        assert_all_kept(answers, base, key, target.reference, 0)
