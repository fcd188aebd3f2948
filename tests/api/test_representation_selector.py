"""The read-side selector renders a request exactly as RequestSerializer does."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.db.models import Prefetch
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from requests_app.api.serializers import RequestSerializer
from requests_app.models import Clock, PriorityRequest
from requests_app.queries import representation as selectors
from tests import factories as f


def serializer_json(request_row: PriorityRequest, user) -> bytes:
    row = (
        PriorityRequest.objects.filter(pk=request_row.pk)
        .select_related(
            "requesting_nation", "responding_nation", "requesting_agency", "assignee", "supplier"
        )
        .prefetch_related(
            "items",
            Prefetch(
                "clocks",
                queryset=Clock.objects.filter(stopped_at__isnull=True),
                to_attr="open_clocks",
            ),
        )
        .get()
    )
    data = RequestSerializer(row, context={"request": SimpleNamespace(user=user)}).data
    return JSONRenderer().render(data)


def selector_json(request_row: PriorityRequest, user) -> bytes:
    (data,) = selectors.requests_for_api(
        PriorityRequest.objects.filter(pk=request_row.pk), user=user
    )
    return JSONRenderer().render(data)


@pytest.fixture
def assorted(people, request_in):
    """Requests in different states: with and without clock, supplier, agency and items."""
    escalated = request_in("with_supplier")
    PriorityRequest.objects.filter(pk=escalated.pk).update(
        escalation_level=2, escalated_at=dt.datetime(2026, 5, 4, 3, 2, 1, 123456, tzinfo=dt.UTC)
    )
    return [
        escalated,
        f.draft(people.requester_in, people.us),
        f.draft(
            people.requester_in,
            people.us,
            requesting_agency=None,
            required_delivery_date=None,
            items=[],
        ),
        f.draft(
            people.requester_in,
            people.us,
            items=[f.item(required_date=dt.date(2027, 3, 1), nsn="1234-00-567-8901"), f.item()],
        ),
        request_in("submitted"),
        request_in("needs_info"),
        request_in("approved"),
        request_in("with_supplier"),
        request_in("accepted"),
        request_in("resolved"),
    ]


@pytest.mark.parametrize("who", ["requester_in", "liaison_us", "reviewer_us", "supplier_us"])
def test_the_selector_renders_each_request_byte_for_byte_as_the_serializer(people, assorted, who):
    user = getattr(people, who)
    for request_row in assorted:
        assert selector_json(request_row, user) == serializer_json(request_row, user), (
            request_row.state
        )


def test_the_selector_renders_times_in_the_active_time_zone_as_the_serializer(people, assorted):
    with timezone.override("Asia/Kolkata"):
        for request_row in assorted:
            user = people.liaison_us
            assert selector_json(request_row, user) == serializer_json(request_row, user)


def test_the_selector_keeps_the_order_of_a_page_and_costs_four_queries(
    people, assorted, django_assert_num_queries
):
    user = people.requester_in
    # Role and profile are looked up once per user, not per page.
    selectors.requests_for_api(PriorityRequest.objects.filter(pk=assorted[0].pk), user=user)
    page = PriorityRequest.objects.order_by("-id")
    # The requests, their items, their open clocks, the names they point at.
    with django_assert_num_queries(4):
        represented = selectors.requests_for_api(page, user=user)
    assert [row["reference"] for row in represented] == [row.reference for row in page]


def test_a_token_page_costs_the_token_the_person_and_three_reads(
    api, assorted, django_assert_num_queries
):
    client = api("liaison_us")
    client.get("/api/v1/requests/")  # the first call of a token records its use

    # The token (with its user); role, profile and served nations in one query; the page,
    # its items, its open clocks, the names it points at.
    with django_assert_num_queries(6):
        page = client.get("/api/v1/requests/")

    assert page.status_code == 200 and page.json()["results"]
