"""Requests over HTTP: the representation, drafts, and every action for allowed and refused."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db.models import F

from requests_app.models import Event, PriorityRequest
from tests import factories as f
from tests.helpers import client_for

from .conftest import url

TODAY = dt.date.today()
FUTURE = (TODAY + dt.timedelta(days=120)).isoformat()
LATER = (TODAY + dt.timedelta(days=150)).isoformat()
# A few days back: "today" in Washington may still be yesterday in UTC.
PAST = (TODAY - dt.timedelta(days=3)).isoformat()

# Issue 4 §2: what every agency system may rely on.
CONTRACT_FIELDS = {
    "reference",
    "title",
    "state",
    "resolution",
    "requesting_nation",
    "responding_nation",
    "requesting_agency",
    "urgency",
    "rating",
    "program_symbol",
    "contract_number",
    "program",
    "justification",
    "required_delivery_date",
    "committed_delivery_date",
    "assignee",
    "supplier",
    "items",
    # "2 of 3 items delivered" (DESIGN §4a).
    "items_delivered",
    "items_accepted",
    "due_at",
    "clock",
    "due_explanation",
    "ball_in_court",
    "escalation_level",
    "version",
    "created_at",
    "updated_at",
}
ITEM_FIELDS = {
    "id",
    "description",
    "part_number",
    "nsn",
    "quantity",
    "unit",
    "required_date",
    # The supplier's answer for the item (DESIGN §4a, §7).
    "response",
    "committed_delivery_date",
    "response_reason",
    "quantity_delivered",
}


def item(**overrides) -> dict:
    return {
        "description": "Gyroscope assembly",
        "part_number": "GY-200",
        "quantity": 4,
        **overrides,
    }


def new_request_body(**overrides) -> dict:
    return {
        "title": "Ring-laser gyros for Tejas",
        "responding_nation": "US",
        "contract_number": "W58RGZ-26-C-0042",
        "program": "Tejas Mk1A",
        "justification": "Aircraft on ground without them.",
        "urgency": "urgent",
        "required_delivery_date": FUTURE,
        "items": [item(), item(description="Mounting kit", part_number="MK-7", quantity=2)],
        **overrides,
    }


def bump_version(request: PriorityRequest) -> None:
    """Someone else changes the request behind the caller's back."""
    PriorityRequest.objects.filter(pk=request.pk).update(version=F("version") + 1)


# --- representation ---------------------------------------------------------------------------


def test_a_request_reads_with_every_field_agency_systems_rely_on(api, people, request_in):
    accepted = request_in("accepted")

    body = api("requester_in").get(url(accepted.reference)).json()

    assert set(body) >= CONTRACT_FIELDS
    assert body["reference"] == accepted.reference
    assert body["state"] == "accepted"
    assert body["resolution"] == ""
    assert body["requesting_nation"] == "IN"
    assert body["responding_nation"] == "US"
    assert body["requesting_agency"]["name"] == "MoD Acquisition Wing"
    assert (body["rating"], body["program_symbol"]) == ("DX", "A1")
    assert body["contract_number"] == "W58RGZ-26-C-0042"
    assert body["required_delivery_date"] == accepted.required_delivery_date.isoformat()
    assert body["committed_delivery_date"] == accepted.committed_delivery_date.isoformat()
    assert body["assignee"] == "liaison.us"  # the officer who forwarded it to the supplier
    assert body["supplier"] == {"id": people.company_us.pk, "name": "Acme Gyro Inc"}
    assert [set(row) for row in body["items"]] == [ITEM_FIELDS]
    assert body["items"][0]["part_number"] == "GY-200"
    assert body["items"][0]["quantity"] == 4
    assert body["clock"]["stage"] == "delivery"
    assert body["clock"]["status"] == "running"
    assert body["clock"]["due_at"] == body["due_at"]
    assert body["due_explanation"] and body["due_explanation"] == body["clock"]["explanation"]
    assert body["ball_in_court"] == {"party": "supplier", "nation": "US", "person": None}
    assert body["escalation_level"] is None
    assert body["version"] == accepted.version
    assert body["created_at"] and body["updated_at"]


def test_a_draft_has_no_clock_and_the_ball_is_with_the_requester(api, request_in):
    draft = request_in("draft")

    body = api("requester_in").get(url(draft.reference)).json()

    assert body["clock"] is None
    assert body["due_at"] is None
    assert body["due_explanation"] is None
    assert body["ball_in_court"] == {"party": "requester", "nation": "IN", "person": "requester.in"}
    assert body["assignee"] is None
    assert body["supplier"] is None


def test_a_request_waiting_for_information_shows_the_answer_clock(api, request_in):
    waiting = request_in("needs_info")

    body = api("requester_in").get(url(waiting.reference)).json()

    assert body["state"] == "needs_info"
    assert body["clock"]["stage"] == "answer"
    assert body["ball_in_court"] == {"party": "requester", "nation": "IN", "person": "requester.in"}


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("awaiting_endorsement", {"party": "liaison", "nation": "IN", "person": None}),
        ("submitted", {"party": "liaison", "nation": "US", "person": None}),
        ("in_review", {"party": "reviewer", "nation": "US", "person": "reviewer.us"}),
        (
            "awaiting_authorisation",
            # Commerce's only authoriser, assigned once the DoD determined it.
            {"party": "rating_authority", "nation": "US", "person": "authority.us"},
        ),
        ("coc_in_review", {"party": "reviewer", "nation": "IN", "person": "reviewer.in"}),
        ("coc_with_supplier", {"party": "supplier", "nation": "IN", "person": None}),
    ],
)
def test_the_ball_in_court_names_the_side_in_detail_and_list(api, request_in, state, expected):
    target = request_in(state)
    who = "requester_us" if state.startswith("coc_") else "requester_in"

    detail = api(who).get(url(target.reference)).json()
    listed = api(who).get(url()).json()["results"]

    assert detail["ball_in_court"] == expected
    assert [row["ball_in_court"] for row in listed if row["reference"] == target.reference] == [
        expected
    ]


def test_the_list_shows_each_request_as_its_detail_does(api, request_in):
    rated = request_in("approved")
    client = api("liaison_us")

    listed = client.get(url()).json()["results"]
    detail = client.get(url(rated.reference)).json()

    assert [row["reference"] for row in listed] == [rated.reference]
    assert listed[0] == detail


def test_the_representation_lists_the_actions_the_caller_may_take_now(api, request_in):
    submitted = request_in("submitted")

    liaison = api("liaison_us").get(url(submitted.reference)).json()
    requester = api("requester_in").get(url(submitted.reference)).json()

    assert set(liaison["allowed_actions"]) == {"request-info", "triage", "decline"}
    assert requester["allowed_actions"] == ["withdraw"]


# --- create and edit drafts -------------------------------------------------------------------


def test_a_requester_files_a_draft_with_its_items(api, people):
    response = api("requester_in").post(url(), new_request_body(), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert re.fullmatch(r"IN-\d{4}-\d{5}", body["reference"])
    assert body["state"] == "draft"
    assert body["version"] == 1
    assert body["requesting_nation"] == "IN"
    assert body["requesting_agency"]["name"] == "MoD Acquisition Wing"
    assert [(i["description"], i["quantity"]) for i in body["items"]] == [
        ("Gyroscope assembly", 4),
        ("Mounting kit", 2),
    ]
    saved = PriorityRequest.objects.get(reference=body["reference"])
    assert saved.created_by == people.requester_in
    assert saved.items.count() == 2


def test_references_count_up_per_nation(api):
    client = api("requester_in")

    first = client.post(url(), new_request_body(), format="json").json()["reference"]
    second = client.post(url(), new_request_body(), format="json").json()["reference"]

    assert int(second[-5:]) == int(first[-5:]) + 1


def test_only_requesters_file_requests(api):
    response = api("liaison_us").post(url(), new_request_body(), format="json")

    assert response.status_code == 403
    assert not PriorityRequest.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"items": [item(quantity=-3)]}, "items[0].quantity"),
        ({"items": [item(quantity=0)]}, "items[0].quantity"),
        ({"items": [item(), item(quantity="many")]}, "items[1].quantity"),
        ({"items": [item(description="")]}, "items[0].description"),
        ({"items": [item(required_date="next week")]}, "items[0].required_date"),
        ({"required_delivery_date": "2026-13-01"}, "required_delivery_date"),
        ({"required_delivery_date": "31/12/2026"}, "required_delivery_date"),
        ({"responding_nation": "XX"}, "responding_nation"),
        ({"responding_nation": "IN"}, "responding_nation"),
        ({"requesting_agency": 10**20}, "requesting_agency"),
        ({"urgency": "yesterday"}, "urgency"),
        ({"title": ""}, "title"),
        ({"state": "resolved"}, "state"),
        ({"rating": "DX"}, "rating"),
    ],
    ids=[
        "negative-quantity",
        "zero-quantity",
        "text-quantity-second-item",
        "item-without-description",
        "bad-item-date",
        "impossible-date",
        "date-not-iso",
        "unknown-nation",
        "own-nation",
        "unknown-agency",
        "unknown-urgency",
        "empty-title",
        "state-not-settable",
        "rating-not-settable",
    ],
)
def test_a_draft_with_a_bad_field_is_refused_naming_it(api, overrides, field):
    response = api("requester_in").post(url(), new_request_body(**overrides), format="json")

    assert response.status_code == 400
    assert field in response.json()["errors"], response.json()
    assert not PriorityRequest.objects.exists()


def test_a_draft_agency_must_belong_to_the_requesting_nation(api, people):
    dod = people.requester_us.profile.agency

    response = api("requester_in").post(
        url(), new_request_body(requesting_agency=dod.pk), format="json"
    )

    assert response.status_code == 400
    assert "requesting_agency" in response.json()["errors"]


def test_patching_a_draft_replaces_its_items(api, request_in):
    draft = request_in("draft")

    response = api("requester_in").patch(
        url(draft.reference),
        {"title": "Gyros, revised", "items": [item(description="Gyro, rev B", quantity=7)]},
        format="json",
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["title"] == "Gyros, revised"
    assert [(i["description"], i["quantity"]) for i in body["items"]] == [("Gyro, rev B", 7)]
    assert body["version"] == draft.version + 1
    assert draft.items.count() == 1


def test_patching_without_items_keeps_them(api, request_in):
    draft = request_in("draft")

    response = api("requester_in").patch(url(draft.reference), {"program": "LCA"}, format="json")

    assert response.status_code == 200
    assert len(response.json()["items"]) == 1


def test_patching_a_draft_with_a_stale_version_is_a_conflict(api, request_in):
    draft = request_in("draft")
    client = api("requester_in")
    first = client.patch(
        url(draft.reference), {"title": "First edit", "version": draft.version}, format="json"
    )
    assert first.status_code == 200

    second = client.patch(
        url(draft.reference), {"title": "Second edit", "version": draft.version}, format="json"
    )

    assert second.status_code == 409
    assert "version" in second.json()["errors"]
    draft.refresh_from_db()
    assert draft.title == "First edit"


def test_patching_a_submitted_request_is_a_conflict(api, request_in):
    submitted = request_in("submitted")

    response = api("requester_in").patch(
        url(submitted.reference), {"title": "Too late"}, format="json"
    )

    assert response.status_code == 409
    assert "state" in response.json()["errors"]


def test_an_official_may_not_patch_a_request(api, request_in):
    submitted = request_in("submitted")

    response = api("liaison_us").patch(url(submitted.reference), {"title": "Mine"}, format="json")

    assert response.status_code == 403


def test_patching_a_draft_with_a_bad_quantity_names_the_item(api, request_in):
    draft = request_in("draft")

    response = api("requester_in").patch(
        url(draft.reference), {"items": [item(quantity=-1)]}, format="json"
    )

    assert response.status_code == 400
    assert "items[0].quantity" in response.json()["errors"]
    assert draft.items.count() == 1


# --- the actions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    name: str  # as in the URL
    state: str  # a state it may be taken from
    actor: str  # a person who may take it
    body: Callable[[object], dict]
    to_state: str
    wrong_role: str | None  # sees the request, but the role may not act
    wrong_state: str  # a state the actor sees the request in, where it is not allowed
    bad_body: Callable[[object], dict]
    bad_field: str


ACTIONS = [
    Action(
        "submit", "draft", "requester_in", lambda p, r: {}, "submitted",
        None, "submitted", lambda p, r: {"version": "one"}, "version",
    ),
    Action(
        "request-info", "submitted", "liaison_us", lambda p, r: {"question": "Which NSN?"},
        "needs_info", "requester_in", "approved", lambda p, r: {}, "question",
    ),
    Action(
        "answer", "needs_info", "requester_in", lambda p, r: {"answer": "NSN 6605-01-123-4567."},
        "submitted", "liaison_us", "submitted", lambda p, r: {"answer": ""}, "answer",
    ),
    Action(
        "triage", "submitted", "liaison_us", lambda p, r: {"assignee": "reviewer.us"},
        "in_review", "reviewer_us", "in_review", lambda p, r: {"assignee": "nobody"}, "assignee",
    ),
    Action(
        "endorse", "awaiting_endorsement", "liaison_in", lambda p, r: {"note": "India endorses."},
        "submitted", "requester_in", "submitted", lambda p, r: {"note": " "}, "note",
    ),
    Action(
        "determine", "in_review", "reviewer_us",
        lambda p, r: {"rating": "DO", "program_symbol": "G2", "note": "Direct defence need."},
        "awaiting_authorisation", "liaison_us", "approved",
        lambda p, r: {"rating": "DO", "program_symbol": "Z9", "note": "x"}, "program_symbol",
    ),
    Action(
        "authorise", "awaiting_authorisation", "authority_us",
        lambda p, r: {"bis_case_number": "BIS-26-0042", "rating": "DX", "program_symbol": "A1",
                   "note": "As determined."},
        "approved", "liaison_us", "in_review",
        lambda p, r: {"rating": "DX", "program_symbol": "A1", "note": "x"}, "bis_case_number",
    ),
    Action(
        "approve", "coc_in_review", "reviewer_in",
        lambda p, r: {"note": "India's MoD supports it."},
        "approved", "liaison_in", "coc_approved", lambda p, r: {}, "note",
    ),
    Action(
        "decline", "submitted", "liaison_us", lambda p, r: {"reason": "No defence program."},
        "resolved", "requester_in", "approved", lambda p, r: {}, "reason",
    ),
    Action(
        "forward", "approved", "liaison_us", lambda p, r: {"supplier": p.company_us.pk},
        "with_supplier", "reviewer_us", "in_review", lambda p, r: {"supplier": 999_999}, "supplier",
    ),
    Action(
        "supplier-accept", "with_supplier", "supplier_us",
        lambda p, r: {"committed_delivery_date": FUTURE}, "accepted", "requester_in", "accepted",
        lambda p, r: {"committed_delivery_date": "31/12/2026"}, "committed_delivery_date",
    ),
    Action(
        "supplier-reject", "with_supplier", "supplier_us",
        lambda p, r: {"reason": "No capacity.", "earliest_date": LATER}, "approved", "reviewer_us",
        "accepted", lambda p, r: {"reason": "No capacity."}, "earliest_date",
    ),
    Action(
        "report-delay", "accepted", "supplier_us",
        lambda p, r: {"reason": "Casting scrapped.", "committed_delivery_date": LATER}, "accepted",
        "requester_in", "with_supplier",
        lambda p, r: {"reason": "Late.", "committed_delivery_date": "soon"},
        "committed_delivery_date",
    ),
    Action(
        "record-delivery", "accepted", "requester_in",
        lambda p, r: {"item": first_item(r), "quantity": 1, "delivered_on": PAST}, "accepted",
        "observer_in", "with_supplier",
        lambda p, r: {"item": first_item(r), "quantity": 99, "delivered_on": PAST}, "quantity",
    ),
    Action(
        "split", "partly_accepted", "liaison_us",
        lambda p, r: {"items": rejected_items(r) or [first_item(r)]}, "accepted",
        "supplier_us", "with_supplier", lambda p, r: {"items": [first_item(r)]}, "items",
    ),
    Action(
        "fulfil", "accepted", "requester_in", lambda p, r: {"delivered_on": PAST}, "resolved",
        "supplier_us", "with_supplier", lambda p, r: {"delivered_on": "2026-02-30"}, "delivered_on",
    ),
    Action(
        "close-unfulfilled", "approved", "liaison_us", lambda p, r: {"reason": "Line closed."},
        "resolved", "reviewer_us", "submitted", lambda p, r: {"reason": "  "}, "reason",
    ),
    Action(
        "withdraw", "submitted", "requester_in", lambda p, r: {"reason": "Found stock."},
        "resolved", "liaison_us", "resolved", lambda p, r: {}, "reason",
    ),
]  # fmt: skip
BY_NAME = {action.name: action for action in ACTIONS}


def first_item(request) -> int:
    return request.items.order_by("id")[0].pk


def rejected_items(request) -> list[int]:
    return list(request.items.filter(response="rejected").values_list("id", flat=True))


ids = [action.name for action in ACTIONS]


def test_every_action_of_the_life_cycle_has_a_case_here():
    from requests_app.transitions import TRANSITIONS

    assert set(BY_NAME) == {t.url_name for t in TRANSITIONS.values()}


@pytest.mark.parametrize("action", ACTIONS, ids=ids)
def test_an_allowed_caller_takes_the_action_and_gets_the_updated_request(
    api, people, request_in, action
):
    target = request_in(action.state)

    response = api(action.actor).post(
        url(target.reference, action.name), action.body(people, target), format="json"
    )

    body = response.json()
    if action.name == "split":  # 201 with the follow-on request it opened
        assert response.status_code == 201, body
        assert (body["state"], body["version"]) == ("approved", 1)
    else:
        assert response.status_code == 200, body
        assert body["reference"] == target.reference
        assert (body["state"], body["version"]) == (action.to_state, target.version + 1)
    current = PriorityRequest.objects.get(pk=target.pk)
    assert (current.state, current.version) == (action.to_state, target.version + 1)
    last = Event.objects.filter(request=target).order_by("-id").first()
    assert last.action == action.name.replace("-", "_")
    assert last.actor == getattr(people, action.actor)


@pytest.mark.parametrize("action", ACTIONS, ids=ids)
def test_an_action_with_the_current_version_is_taken(api, people, request_in, action):
    target = request_in(action.state)

    response = api(action.actor).post(
        url(target.reference, action.name),
        {**action.body(people, target), "version": target.version},
        format="json",
    )

    assert response.status_code == (201 if action.name == "split" else 200), response.json()


@pytest.mark.parametrize("action", [a for a in ACTIONS if a.wrong_role], ids=lambda a: a.name)
def test_a_caller_whose_role_may_not_act_gets_403(api, people, request_in, action):
    target = request_in(action.state)

    response = api(action.wrong_role).post(
        url(target.reference, action.name), action.body(people, target), format="json"
    )

    assert response.status_code == 403
    assert response.json()["errors"]["detail"]
    assert PriorityRequest.objects.get(pk=target.pk).state == target.state


@pytest.mark.parametrize(
    ("name", "state", "actor"),
    [
        ("triage", "submitted", "liaison_in"),
        ("decline", "submitted", "liaison_in"),
        ("forward", "approved", "liaison_in"),
        ("supplier-accept", "with_supplier", "liaison_in"),
        ("close-unfulfilled", "accepted", "liaison_in"),
    ],
)
def test_a_liaison_of_the_requesting_side_may_not_act_for_the_responding_side(
    api, people, request_in, name, state, actor
):
    target = request_in(state)

    response = api(actor).post(
        url(target.reference, name), BY_NAME[name].body(people, target), format="json"
    )

    assert response.status_code == 403


@pytest.mark.parametrize("third", ["requester_gb", "liaison_gb", "reviewer_gb", "supplier_gb"])
@pytest.mark.parametrize("action", ACTIONS, ids=ids)
def test_a_third_nation_gets_404_on_every_action(api, people, request_in, action, third):
    target = request_in(action.state)

    response = api(third).post(
        url(target.reference, action.name), action.body(people, target), format="json"
    )

    assert response.status_code == 404
    assert response.json() == {"errors": {"detail": ["Not found."]}}


@pytest.mark.parametrize("action", ACTIONS, ids=ids)
def test_an_action_in_the_wrong_state_is_a_conflict(api, people, request_in, action):
    target = request_in(action.wrong_state)

    response = api(action.actor).post(
        url(target.reference, action.name), action.body(people, target), format="json"
    )

    assert response.status_code == 409, response.json()
    assert "state" in response.json()["errors"]
    assert Event.objects.filter(request=target).count() == target.events.count()


@pytest.mark.parametrize("action", ACTIONS, ids=ids)
def test_an_action_on_a_stale_version_is_a_conflict_and_changes_nothing(
    api, people, request_in, action
):
    target = request_in(action.state)
    seen = target.version
    bump_version(target)
    events = target.events.count()

    response = api(action.actor).post(
        url(target.reference, action.name),
        {**action.body(people, target), "version": seen},
        format="json",
    )

    assert response.status_code == 409
    assert "version" in response.json()["errors"]
    assert PriorityRequest.objects.get(pk=target.pk).state == target.state
    assert target.events.count() == events


@pytest.mark.parametrize("action", ACTIONS, ids=ids)
def test_an_action_with_a_bad_body_names_the_field(api, people, request_in, action):
    target = request_in(action.state)

    response = api(action.actor).post(
        url(target.reference, action.name), action.bad_body(people, target), format="json"
    )

    assert response.status_code == 400, response.json()
    assert action.bad_field in response.json()["errors"]
    assert PriorityRequest.objects.get(pk=target.pk).state == target.state


@pytest.mark.parametrize(
    ("name", "body", "field"),
    [
        ("triage", lambda p, r: {"assignee": "reviewer.in"}, "assignee"),
        ("triage", lambda p, r: {"assignee": "requester.us"}, "assignee"),
        ("triage", lambda p, r: {}, "assignee"),
        ("determine", lambda p, r: {"rating": "DZ", "program_symbol": "A1", "note": "x"}, "rating"),
        ("determine", lambda p, r: {"rating": "DX", "program_symbol": "A1"}, "note"),
        (
            "authorise",
            lambda p, r: {
                "bis_case_number": "B-1",
                "rating": "DO",
                "program_symbol": "A1",
                "note": "x",
            },
            "change_reason",
        ),
        ("forward", lambda p, r: {"supplier": p.company_in_signed.pk}, "supplier"),
        ("forward", lambda p, r: {"supplier": 10**20}, "supplier"),
        ("forward", lambda p, r: {"supplier": "Acme"}, "supplier"),
        (
            "supplier-accept",
            lambda p, r: {"committed_delivery_date": PAST},
            "committed_delivery_date",
        ),
        ("supplier-accept", lambda p, r: {}, "committed_delivery_date"),
        ("supplier-reject", lambda p, r: {"earliest_date": FUTURE}, "reason"),
        ("supplier-reject", lambda p, r: {"reason": "x", "earliest_date": PAST}, "earliest_date"),
        ("fulfil", lambda p, r: {"delivered_on": LATER}, "delivered_on"),
        ("fulfil", lambda p, r: {"delivered_on": None}, "delivered_on"),
        ("withdraw", lambda p, r: {"reason": ["a", "b"]}, "reason"),
        ("request-info", lambda p, r: {"question": "x" * 5001}, "question"),
        ("submit", lambda p, r: {"version": 0}, "version"),
    ],
)
def test_more_bad_bodies_are_400s_naming_the_field(api, people, request_in, name, body, field):
    action = BY_NAME[name]
    target = request_in(action.state)

    response = api(action.actor).post(
        url(target.reference, name), body(people, target), format="json"
    )

    assert response.status_code == 400, response.json()
    assert field in response.json()["errors"], response.json()


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        ("[1, 2]", "application/json"),
        ('"reason"', "application/json"),
        ("{not json", "application/json"),
        ("reason=x", "application/x-www-form-urlencoded"),
        ("<reason>x</reason>", "application/xml"),
    ],
    ids=["list", "string", "broken-json", "form", "xml"],
)
def test_a_body_that_is_not_a_json_object_is_refused_without_a_server_error(
    api, request_in, content, content_type
):
    target = request_in("submitted")

    response = api("requester_in").post(
        url(target.reference, "withdraw"), content, content_type=content_type
    )

    assert response.status_code in (400, 415)
    assert "errors" in response.json()


def test_submitting_an_incomplete_draft_names_what_is_missing(api, request_in):
    draft = request_in("draft", items=[], justification="")

    response = api("requester_in").post(url(draft.reference, "submit"), {}, format="json")

    assert response.status_code == 400
    assert {"items", "justification"} <= set(response.json()["errors"])


def test_an_unknown_action_is_not_found(api, request_in):
    target = request_in("submitted")

    response = api("liaison_us").post(url(target.reference, "rate"), {}, format="json")

    assert response.status_code == 404


def test_the_url_names_use_dashes_not_underscores(api, request_in):
    target = request_in("with_supplier")

    response = api("supplier_us").post(
        url(target.reference, "supplier_accept"),
        {"committed_delivery_date": FUTURE},
        format="json",
    )

    assert response.status_code == 404


def test_the_whole_life_cycle_runs_over_http(api, people):
    requester, liaison, reviewer = api("requester_in"), api("liaison_us"), api("reviewer_us")
    authority, supplier, other = api("authority_us"), api("supplier_us"), api("other_supplier_us")
    created = requester.post(url(), new_request_body(), format="json")
    assert created.status_code == 201
    current = created.json()
    ref = current["reference"]

    steps = [
        (requester, "submit", {}, "submitted"),
        (liaison, "request-info", {"question": "Which NSN?"}, "needs_info"),
        (requester, "answer", {"answer": "6605-01-123-4567"}, "submitted"),
        (liaison, "triage", {"assignee": "reviewer.us"}, "in_review"),
        (
            reviewer,
            "determine",
            {"rating": "DX", "program_symbol": "G2", "note": "G2 need"},
            "awaiting_authorisation",
        ),
        (
            authority,
            "authorise",
            {"bis_case_number": "BIS-26-7", "rating": "DX", "program_symbol": "G2", "note": "OK"},
            "approved",
        ),
        (liaison, "forward", {"supplier": people.company_us_other.pk}, "with_supplier"),
        (supplier, "forward", {"supplier": people.company_us.pk}, None),  # not forwarded to it
        (other, "supplier-reject", {"reason": "No", "earliest_date": LATER}, "approved"),
        (liaison, "forward", {"supplier": people.company_us.pk}, "with_supplier"),
        (supplier, "supplier-accept", {"committed_delivery_date": FUTURE}, "accepted"),
        (
            supplier,
            "report-delay",
            {"reason": "Scrap", "committed_delivery_date": LATER},
            "accepted",
        ),
        (requester, "fulfil", {"delivered_on": PAST}, "resolved"),
    ]
    for client, name, body, state in steps:
        response = client.post(
            url(ref, name), {**body, "version": current["version"]}, format="json"
        )
        if state is None:
            assert response.status_code == 404, name
            continue
        assert response.status_code == 200, (name, response.json())
        assert response.json()["version"] == current["version"] + 1
        current = response.json()
        assert current["state"] == state, name

    assert current["resolution"] == "fulfilled"
    assert current["committed_delivery_date"] == LATER
    assert current["supplier"]["name"] == "Acme Gyro Inc"
    assert current["clock"] is None
    assert current["allowed_actions"] == []
    events = requester.get(url(ref, "events")).json()
    assert [event["action"] for event in events] == [
        "create",
        "submit",
        "request_info",
        "answer",
        "triage",
        "determine",
        "authorise",
        "forward",
        "supplier_reject",
        "forward",
        "supplier_accept",
        "report_delay",
        "fulfil",
    ]


def test_a_supplier_that_rejects_gets_the_result_then_loses_sight_of_the_request(api, request_in):
    target = request_in("with_supplier")
    supplier = api("supplier_us")

    response = supplier.post(
        url(target.reference, "supplier-reject"),
        {"reason": "No capacity.", "earliest_date": LATER},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "approved"
    assert response.json()["supplier"] is None
    assert supplier.get(url(target.reference)).status_code == 404


# --- two routes, two keys ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "state", "actor", "body"),
    [
        ("determine", "coc_in_review", "reviewer_in", BY_NAME["determine"].body),
        ("authorise", "coc_in_review", "reviewer_in", BY_NAME["authorise"].body),
        ("approve", "in_review", "reviewer_us", BY_NAME["approve"].body),
    ],
)
def test_an_action_of_the_other_route_is_a_conflict_naming_the_route(
    api, people, request_in, name, state, actor, body
):
    target = request_in(state)

    response = api(actor).post(url(target.reference, name), body(people, target), format="json")

    assert response.status_code == 409, response.json()
    assert "route" in response.json()["errors"]
    assert PriorityRequest.objects.get(pk=target.pk).state == target.state


@pytest.mark.parametrize(
    ("name", "state", "actor"),
    [
        ("determine", "in_review", "authority_us"),
        ("authorise", "awaiting_authorisation", "reviewer_us"),
    ],
)
def test_a_reviewer_without_the_key_gets_403(api, people, request_in, name, state, actor):
    target = request_in(state)

    response = api(actor).post(
        url(target.reference, name), BY_NAME[name].body(people, target), format="json"
    )

    assert response.status_code == 403, response.json()
    assert PriorityRequest.objects.get(pk=target.pk).state == state


def test_the_responding_nation_cannot_see_a_request_before_it_is_endorsed(api, request_in):
    target = request_in("awaiting_endorsement")

    assert api("liaison_us").get(url(target.reference)).status_code == 404
    assert target.reference not in str(api("liaison_us").get(url()).json())
    assert api("liaison_in").get(url(target.reference)).status_code == 200

    endorsed = api("liaison_in").post(
        url(target.reference, "endorse"), {"note": "India endorses."}, format="json"
    )

    assert endorsed.status_code == 200
    assert endorsed.json()["endorsement"]["by"]
    assert api("liaison_us").get(url(target.reference)).status_code == 200


def test_the_rating_and_both_signers_are_in_the_api(api, request_in):
    target = request_in("approved")

    body = api("requester_in").get(url(target.reference)).json()

    assert body["route"] == "dpas"
    assert (body["rating"], body["rating_label"]) == ("DX", "DX-A1")
    assert body["authorisation"]["bis_case_number"] == "BIS-26-0042"
    assert body["determination"]["by"] != body["authorisation"]["by"]


def test_the_list_filters_by_route(api, request_in):
    dpas = request_in("submitted")
    conduct = request_in("coc_submitted")

    def listed(route):
        response = api("liaison_in").get(url(), {"route": route})
        assert response.status_code == 200
        return {row["reference"] for row in response.json()["results"]}

    assert listed("dpas") == {dpas.reference}
    assert listed("code_of_conduct") == {conduct.reference}
    refused = api("liaison_in").get(url(), {"route": "fast"})
    assert refused.status_code == 400
    assert "route" in refused.json()["errors"]


def test_a_request_india_answers_runs_the_code_of_conduct_route_over_http(api, people):
    supplier_in = f.make_user(
        "supplier.in", "supplier", people.india, supplier=people.company_in_signed
    )
    requester, liaison, reviewer = api("requester_us"), api("liaison_in"), api("reviewer_in")
    created = requester.post(url(), new_request_body(responding_nation="IN"), format="json")
    assert created.status_code == 201, created.json()
    ref = created.json()["reference"]
    assert created.json()["route"] == "code_of_conduct"

    steps = [
        (requester, "submit", {}, "submitted"),
        (liaison, "triage", {"assignee": "reviewer.in"}, "in_review"),
        (reviewer, "approve", {"note": "India's MoD supports it."}, "approved"),
        (liaison, "forward", {"supplier": people.company_in_signed.pk}, "with_supplier"),
    ]
    for client, name, body, state in steps:
        response = client.post(url(ref, name), body, format="json")
        assert response.status_code == 200, (name, response.json())
        assert response.json()["state"] == state, name

    seen = client_for(supplier_in).get(url(ref))
    body = seen.json()
    assert seen.status_code == 200
    assert body["rating"] is None and body["authorisation"] is None
    assert (body["program_symbol"], body["rating_label"]) == (None, None)
    assert body["approval"]["by"] == "reviewer.in"
    assert body["due_explanation"].startswith(
        "India's Code of Conduct asks a response within 10 working days (best effort)"
    )
    assert body["ball_in_court"] == {"party": "supplier", "nation": "IN", "person": None}
    for word in ("DPAS", "15 CFR"):
        assert word not in seen.content.decode()


def test_the_supplier_answers_item_by_item_over_the_api(api, people, request_in):
    target = request_in("with_supplier", items=[item(), item(description="Seal kit", quantity=12)])
    gyro, seals = (
        row["id"] for row in api("supplier_us").get(url(target.reference)).json()["items"]
    )

    response = api("supplier_us").post(
        url(target.reference, "supplier-accept"),
        {
            "items": [{"id": gyro, "committed_delivery_date": FUTURE}],
            "rejected_items": [{"id": seals, "reason": "No seal capacity."}],
        },
        format="json",
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["state"] == "accepted"
    assert body["committed_delivery_date"] == FUTURE
    assert [
        (row["id"], row["response"], row["committed_delivery_date"]) for row in body["items"]
    ] == [
        (gyro, "accepted", FUTURE),
        (seals, "rejected", None),
    ]
    assert body["items"][1]["response_reason"] == "No seal capacity."
    listed = api("requester_in").get(url()).json()["results"]
    assert [row["items"] for row in listed if row["reference"] == target.reference] == [
        body["items"]
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            lambda gyro: {"items": [{"id": gyro, "committed_delivery_date": "soon"}]},
            "items[0].committed_delivery_date",
        ),
        (lambda gyro: {"items": [{"id": 10**9, "committed_delivery_date": FUTURE}]}, "items[0].id"),
        (lambda gyro: {"rejected_items": [{"id": gyro, "reason": "No."}]}, "items"),
        (lambda gyro: {"items": [{"committed_delivery_date": FUTURE}]}, "items[0].id"),
    ],
    ids=["bad-date", "foreign-item", "all-rejected", "no-id"],
)
def test_a_per_item_answer_that_does_not_add_up_is_a_400_naming_the_field(
    api, request_in, body, field
):
    target = request_in("with_supplier")
    gyro = target.items.get().pk

    response = api("supplier_us").post(
        url(target.reference, "supplier-accept"), body(gyro), format="json"
    )

    assert response.status_code == 400, response.json()
    assert field in response.json()["errors"], response.json()
    assert PriorityRequest.objects.get(pk=target.pk).state == "with_supplier"
