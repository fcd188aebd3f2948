"""Crafted input is never a 500 (issue 17, point 10): every parameter of every page and API
list gets each crafted value (`fuzz_cases.py`), on PostgreSQL through the test client and on
SQLite (the embedded default) through a live server. An API refusal is JSON naming what it
refuses; a page refusal is a page."""

from __future__ import annotations

import http.cookiejar
import json
import re
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.test import Client

from tests.helpers import client_for, sign_in
from tests.processes import demo_database, web_server

from .fuzz_cases import cases


def test_no_crafted_parameter_gives_a_500_on_postgresql(people, make_request):
    request = make_request("accepted")
    people.liaison_us.is_staff = True  # the audit export is staff's
    people.liaison_us.save()
    pages = Client(raise_request_exception=False)
    sign_in(pages, people.liaison_us)
    api = client_for(people.liaison_us)
    api.raise_request_exception = False
    failures, tried = [], 0

    for path, params, is_api in cases(request.reference):
        response = (api if is_api else pages).get(path, params)
        tried += 1
        problem = answer_problem(response.status_code, response.get("Content-Type", ""), is_api)
        if problem:
            failures.append(f"{path} {params!r:.80}: {problem}")

    assert tried > 1000
    assert not failures, "\n".join(failures[:40])


def answer_problem(status: int, content_type: str, is_api: bool) -> str:
    if status >= 500:
        return f"{status}"
    if is_api and status >= 400 and not content_type.startswith("application/json"):
        return f"{status} answered as {content_type}"
    return ""


def test_no_crafted_parameter_gives_a_500_on_sqlite(tmp_path):
    database_url, key = demo_database(tmp_path, "liaison.us")
    with web_server(database_url, tmp_path / "web.log") as base:
        pages = signed_in_opener(base, "liaison.us")
        reference = first_reference(base, key)
        failures, tried = [], 0
        for path, params, is_api in cases(reference):
            url = f"{base}{path}?{urllib.parse.urlencode(params)}"
            if is_api:
                request = urllib.request.Request(url, headers={"Authorization": f"Token {key}"})
                status, content_type = fetch(urllib.request.urlopen, request)
            else:
                status, content_type = fetch(pages.open, url)
            tried += 1
            problem = answer_problem(status, content_type, is_api)
            if problem:
                failures.append(f"{path} {params!r:.80}: {problem}")

    assert tried > 1000
    assert not failures, (
        "\n".join(failures[:40]) + "\n" + (tmp_path / "web.log").read_text()[-3000:]
    )


def fetch(open_, target) -> tuple[int, str]:
    try:
        with open_(target, timeout=30) as answer:
            return answer.status, answer.headers.get("Content-Type", "")
    except urllib.error.HTTPError as refused:
        return refused.code, refused.headers.get("Content-Type", "")


def signed_in_opener(base: str, username: str):
    """A cookie-keeping opener signed in through the sign-in form (the demo skips the factor)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    form = opener.open(f"{base}/accounts/login/", timeout=30).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)[1]
    body = urllib.parse.urlencode(
        {"username": username, "password": settings.DEMO_PASSWORD, "csrfmiddlewaretoken": token}
    ).encode()
    request = urllib.request.Request(
        f"{base}/accounts/login/", data=body, headers={"Referer": f"{base}/accounts/login/"}
    )
    home = opener.open(request, timeout=30).read().decode()
    assert username in home, home[:2000]
    return opener


def first_reference(base: str, key: str) -> str:
    request = urllib.request.Request(
        f"{base}/api/v1/requests/", headers={"Authorization": f"Token {key}"}
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read())["results"][0]["reference"]
