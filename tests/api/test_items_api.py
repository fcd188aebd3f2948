"""Items over the API (DESIGN §4a, §7; issue 13): a 3-item order accepted for two items, the
third split into a follow-on that goes to another supplier, the two delivered in three partial
deliveries, the first request fulfilled while the follow-on runs its own clock."""

import datetime as dt

import pytest

from requests_app.models import PriorityRequest
from tests import factories as f

from .conftest import url

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()
JUNE = (TODAY + dt.timedelta(days=180)).isoformat()
SEPTEMBER = (TODAY + dt.timedelta(days=270)).isoformat()
PAST = (TODAY - dt.timedelta(days=3)).isoformat()


@pytest.fixture
def three_items(make_request):
    request = make_request(
        "with_supplier",
        items=[
            f.item(description="Gear actuator", quantity=6),
            f.item(description="Seal kit", quantity=12),
            f.item(description="Mounting bracket", quantity=6),
        ],
    )
    return request, [item.pk for item in request.items.order_by("id")]


def test_the_whole_story_of_a_three_item_order(api, people, three_items):
    request, (actuator, seals, bracket) = three_items
    other = f.SupplierFactory(nation=people.us, name="Seal Works Inc", cage_code="2SEAL")
    ref = request.reference

    accepted = api("supplier_us").post(
        url(ref, "supplier-accept"),
        {
            "items": [
                {"id": actuator, "committed_delivery_date": SEPTEMBER},
                {"id": bracket, "committed_delivery_date": JUNE},
            ],
            "rejected_items": [{"id": seals, "reason": "No seal capacity this year."}],
        },
        format="json",
    )
    assert accepted.status_code == 200, accepted.json()
    body = accepted.json()
    assert (body["state"], body["items_delivered"], body["items_accepted"]) == ("accepted", 0, 2)
    assert "split" not in body["allowed_actions"]  # the supplier's: the liaison officer splits
    assert "split" in api("liaison_us").get(url(ref)).json()["allowed_actions"]

    split = api("liaison_us").post(url(ref, "split"), {"items": [seals]}, format="json")
    assert split.status_code == 201, split.json()
    follow_on = split.json()
    assert follow_on["reference"] != ref
    assert split["Location"].endswith(f"/{follow_on['reference']}/")
    assert (follow_on["state"], follow_on["rating"]) == ("approved", request.rating)
    assert [i["description"] for i in follow_on["items"]] == ["Seal kit"]
    assert follow_on["clock"]["stage"] == "forward"
    links = api("liaison_us").get(url(follow_on["reference"], "links")).json()
    assert links == [
        {
            "kind": "split_from",
            "direction": "out",
            "relation": "Follow-on of",
            "reference": ref,
            "title": request.title,
            "state": "accepted",
        }
    ]

    forwarded = api("liaison_us").post(
        url(follow_on["reference"], "forward"), {"supplier": other.pk}, format="json"
    )
    assert forwarded.status_code == 200, forwarded.json()

    for item, quantity in [(actuator, 4), (bracket, 6), (actuator, 2)]:
        delivered = api("requester_in").post(
            url(ref, "record-delivery"),
            {"item": item, "quantity": quantity, "delivered_on": PAST},
            format="json",
        )
        assert delivered.status_code == 200, delivered.json()
    done = delivered.json()
    assert (done["state"], done["resolution"]) == ("resolved", "fulfilled")
    assert (done["items_delivered"], done["items_accepted"]) == (2, 2)
    assert {i["description"]: i["quantity_delivered"] for i in done["items"]} == {
        "Gear actuator": 6,
        "Mounting bracket": 6,
    }
    still = api("liaison_us").get(url(follow_on["reference"])).json()
    assert (still["state"], still["clock"]["stage"]) == ("with_supplier", "supplier_response")
    assert still["supplier"]["name"] == "Seal Works Inc"


def test_over_delivery_is_a_400_naming_the_quantity_and_nothing_is_counted(
    api, people, three_items
):
    request, (actuator, _, _) = three_items
    api("supplier_us").post(
        url(request.reference, "supplier-accept"),
        {"committed_delivery_date": JUNE},
        format="json",
    )

    response = api("supplier_us").post(
        url(request.reference, "record-delivery"),
        {"item": actuator, "quantity": 7, "delivered_on": PAST},
        format="json",
    )

    assert response.status_code == 400
    assert "quantity" in response.json()["errors"]
    listed = api("supplier_us").get(url(request.reference)).json()
    assert [i["quantity_delivered"] for i in listed["items"]] == [0, 0, 0]


def test_a_link_by_api_shows_at_both_ends_to_those_who_see_both(api, people, make_request):
    one = make_request("submitted")
    two = make_request("submitted", title="Same gyroscopes, filed twice")

    made = api("liaison_us").post(
        url(two.reference, "links"),
        {"kind": "duplicate_of", "reference": one.reference},
        format="json",
    )

    assert made.status_code == 201, made.json()
    assert made.json()["relation"] == "Duplicate of"
    back = api("liaison_in").get(url(one.reference, "links")).json()
    assert [(link["relation"], link["reference"]) for link in back] == [
        ("Has a duplicate", two.reference)
    ]
    refused = api("requester_in").post(
        url(two.reference, "links"), {"kind": "related", "reference": one.reference}, format="json"
    )
    assert refused.status_code == 403
    missing = api("liaison_us").post(
        url(two.reference, "links"),
        {"kind": "related", "reference": "GB-2026-00009"},
        format="json",
    )
    assert missing.status_code == 400 and "reference" in missing.json()["errors"]
    assert PriorityRequest.objects.count() == 2
