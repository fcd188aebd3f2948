"""A national comment is read by the officials of its author's nation only (issue 17, point 5):
an internal note by the US reviewer is read by India's liaison officer and observer too; a
national one is not — on the page, in the API's comments, events and event feed, in search,
in mentions and in webhooks."""

from __future__ import annotations

import pytest
from django.test import Client

from requests_app import services
from requests_app.models import Notification, PriorityRequest, WebhookDelivery
from tests.helpers import client_for, sign_in

NATIONAL = "DoD view: Zircon backlog, support at DO only. @liaison.us @liaison.in"
US_OFFICIALS = ["liaison_us", "reviewer_us", "observer_us"]
NOT_READERS = ["liaison_in", "observer_in", "requester_in", "supplier_us"]


@pytest.fixture
def deliberated(people, make_request) -> PriorityRequest:
    request = make_request("with_supplier")
    services.add_comment(request, by=people.reviewer_us, body=NATIONAL, visibility="national")
    return PriorityRequest.objects.get(pk=request.pk)


def page_text(user, request) -> str:
    client = Client()
    sign_in(client, user)
    response = client.get(f"/requests/{request.reference}/")
    assert response.status_code == 200
    return response.content.decode()


def api_texts(user, request) -> str:
    api = client_for(user)
    parts = []
    for path in (
        f"/api/v1/requests/{request.reference}/comments/",
        f"/api/v1/requests/{request.reference}/events/",
        "/api/v1/events/",
        "/api/v1/requests/?q=zircon",
    ):
        response = api.get(path)
        assert response.status_code == 200, (path, response.content[:200])
        parts.append(response.content.decode())
    return "\n".join(parts)


@pytest.mark.parametrize("who", US_OFFICIALS)
def test_the_authors_nations_officials_read_it_everywhere(people, deliberated, who):
    user = getattr(people, who)
    assert "Zircon backlog" in page_text(user, deliberated)
    api = api_texts(user, deliberated)
    assert "Zircon backlog" in api
    assert '"visibility":"national"' in api.replace(" ", "")


@pytest.mark.parametrize("who", NOT_READERS)
def test_nobody_else_reads_it_anywhere(people, deliberated, who):
    user = getattr(people, who)
    page = page_text(user, deliberated)
    assert "Zircon" not in page and "national comment" not in page
    api = api_texts(user, deliberated)
    assert "Zircon" not in api
    assert '"visibility":"national"' not in api.replace(" ", "")


def test_search_never_finds_a_request_by_a_national_comment(people, deliberated):
    for who in ["liaison_us", "liaison_in"]:
        found = client_for(getattr(people, who)).get("/api/v1/requests/", {"q": "zircon"})
        assert found.json()["results"] == []


def test_a_mention_in_it_reaches_only_the_authors_nation(people, deliberated):
    told = set(
        Notification.objects.filter(request=deliberated, kind="mention").values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {"liaison.us"}


def test_it_never_leaves_in_a_webhook(people, deliberated):
    assert not [
        delivery for delivery in WebhookDelivery.objects.all() if "Zircon" in str(delivery.payload)
    ]


def test_a_reviewer_starts_national_and_may_choose_another(client, people, deliberated):
    page = page_text(people.reviewer_us, deliberated)
    assert "National: officials of United States only, not the partner nation" in page
    national = page[page.index('value="national"') - 60 : page.index('value="national"') + 80]
    assert "checked" in national
