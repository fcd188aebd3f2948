"""Deliveries, follow-on requests and links on the pages (DESIGN §4a; issue 13, points 2–3):
what an official sees and does on the request page, the list, the queue and the home page."""

import datetime as dt
import html
import re

import pytest

from requests_app import services
from requests_app.models import PriorityRequest, RequestItem, RequestLink
from requests_app.moments import day_text
from tests.helpers import flashed, sign_in, us_working_day

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()
JUNE, SEPTEMBER = us_working_day(180), us_working_day(270)


def text_of(response) -> str:
    """What a reader sees of the page: its text without tags, spaces collapsed."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def page(client, request) -> str:
    return client.get(f"/requests/{request.reference}/").content.decode()


def post(client, request, action, data):
    fresh = PriorityRequest.objects.get(pk=request.pk)
    return client.post(
        f"/requests/{request.reference}/act/{action}/", {"version": fresh.version, **data}
    )


def test_the_supplier_records_a_partial_delivery_and_the_page_shows_what_came(
    client, people, two_of_three
):
    request, actuator, _, _ = two_of_three
    sign_in(client, people.supplier_us)
    assert "Record a delivery" in page(client, request)

    response = post(
        client,
        request,
        "record_delivery",
        {"item": actuator.pk, "quantity": "4", "delivered_on": TODAY.isoformat()},
    )

    assert response.status_code == 302
    shown = client.get(response["Location"])
    assert "Record a delivery: done." in " ".join(flashed(shown))
    text = text_of(shown)
    assert "0 of 2 items delivered" in text
    assert "4 of 6 each" in text
    assert f"4 on {day_text(TODAY)}" in text  # "Sun 6 Dec 2026": the date-only format


def test_more_than_is_owed_is_refused_next_to_the_quantity(client, people, two_of_three):
    request, actuator, _, _ = two_of_three
    sign_in(client, people.requester_in)

    response = post(
        client,
        request,
        "record_delivery",
        {"item": actuator.pk, "quantity": "7", "delivered_on": TODAY.isoformat()},
    )

    assert response.status_code == 400
    form = next(p["form"] for p in response.context["panels"] if p["action"] == "record_delivery")
    assert form.errors["quantity"] == ["Only 6 of 6 each are still to be delivered (0 delivered)."]
    assert RequestItem.objects.get(pk=actuator.pk).quantity_delivered == 0


def test_the_liaison_splits_the_rejected_item_and_lands_on_the_follow_on(
    client, people, two_of_three
):
    request, _, seals, _ = two_of_three
    sign_in(client, people.liaison_us)
    assert "Split the rejected items into a follow-on request" in page(client, request)

    response = post(client, request, "split", {"items": [str(seals.pk)]})

    follow_on = RequestLink.objects.get(target=request, kind="split_from").source
    assert response.status_code == 302
    assert response["Location"] == f"/requests/{follow_on.reference}/"
    shown = client.get(response["Location"])
    assert f"Follow-on request {follow_on.reference} opened" in " ".join(flashed(shown))
    text = text_of(shown)
    assert f"Follow-on of {request.reference}" in text
    assert "Forward to a supplier" in text  # approved: ready to go to another supplier
    assert "Seal kit" in text
    original = text_of(client.get(f"/requests/{request.reference}/"))
    assert f"Follow-on request {follow_on.reference}" in original
    assert f"moved Seal kit into the follow-on request {follow_on.reference}" in original
    # Nothing left to split: the button goes.
    assert "Split the rejected items" not in original


def test_a_link_shows_only_where_the_viewer_sees_the_other_request(
    client, people, two_of_three, make_request
):
    request, *_ = two_of_three
    other = make_request("submitted", title="Seal kits, second source")
    sign_in(client, people.liaison_us)

    response = client.post(
        f"/requests/{request.reference}/link/",
        {"kind": "related", "reference": other.reference.lower()},
    )

    assert response.status_code == 302
    assert f"Related to {other.reference}" in text_of(client.get(response["Location"]))
    # The supplier sees the request but not the other one: no link, not even its reference.
    sign_in(client, people.supplier_us)
    assert other.reference not in page(client, request)


def test_a_link_to_a_request_the_officer_cannot_see_is_refused_by_name(
    client, people, two_of_three
):
    request, *_ = two_of_three
    sign_in(client, people.liaison_us)

    response = client.post(
        f"/requests/{request.reference}/link/", {"kind": "related", "reference": "GB-2026-00001"}
    )

    assert response.status_code == 400
    assert "No request GB-2026-00001 you can see." in text_of(response)
    assert not RequestLink.objects.exists()


def test_lists_the_queue_and_the_requesters_home_say_how_many_items_arrived(
    client, people, two_of_three
):
    request, _, _, bracket = two_of_three
    services.record_delivery(
        request, by=people.supplier_us, item=bracket.pk, quantity=6, delivered_on=TODAY
    )

    sign_in(client, people.liaison_us)
    assert "1 of 2 items delivered" in text_of(client.get("/requests/"))
    assert "1 of 2 items delivered" in text_of(client.get("/queue/?view=all"))
    sign_in(client, people.requester_in)
    assert "1 of 2 items delivered" in text_of(client.get("/"))
