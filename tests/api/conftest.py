"""API test helpers: clients that carry a real token, the throttle cache cleared per test, and
every API response any test receives checked against the OpenAPI document (tests/api/contract)."""

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from requests_app import services
from tests.api import contract
from tests.helpers import client_for


@pytest.fixture(autouse=True)
def _responses_keep_the_contract(monkeypatch):
    """Whatever a test asserts, the response it got must also be what the schema says."""
    monkeypatch.setattr(Client, "request", contract.checking_client_request(Client.request))


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle counters live in the cache: no test inherits another's calls."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api(people):
    """api("requester_in") → a token client for that person of the `people` fixture."""
    clients = {}

    def get(name: str) -> APIClient:
        if name not in clients:
            clients[name] = client_for(getattr(people, name))
        return clients[name]

    return get


def url(reference: str = "", tail: str = "") -> str:
    """/api/v1/requests/[{reference}/[{tail}/]]"""
    path = "/api/v1/requests/"
    if reference:
        path += f"{reference}/"
    if tail:
        path += f"{tail.strip('/')}/"
    return path


@pytest.fixture
def request_in(make_request, make_coc_request, people):
    """request_in(state): an India→US request in any state, including needs_info and resolved;
    request_in("coc_<state>"): a US→India one (Code of Conduct route)."""

    def make(state: str = "draft", **fields):
        if state.startswith("coc_"):
            return make_coc_request(state.removeprefix("coc_"), **fields)
        if state == "needs_info":
            submitted = make_request("submitted", **fields)
            return services.request_info(
                submitted, by=people.liaison_us, question="Which NSN applies?"
            )
        if state == "resolved":
            submitted = make_request("submitted", **fields)
            return services.withdraw(submitted, by=people.requester_in, reason="Not needed.")
        return make_request(state, **fields)

    return make
