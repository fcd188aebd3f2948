"""What an integrator relies on beyond the fields (issue 15, points 2 and 5): every error under
/api/ is JSON in the documented shape, bodies are strict, and writes can be made conditional
on the version the client read (ETag / If-Match)."""

from __future__ import annotations

import pytest
from django.test import Client

from requests_app.models import Event, PriorityRequest
from tests.helpers import client_for

from .conftest import url
from .test_requests import ACTIONS, bump_version, ids, new_request_body


def assert_json_error(response, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    errors = response.json()["errors"]
    assert errors and all(isinstance(m, list) and m for m in errors.values())
    return errors


# --- never an HTML error from the API ---------------------------------------------------------


@pytest.mark.parametrize("debug", [False, True], ids=["production", "debug"])
def test_a_post_without_the_trailing_slash_is_a_json_404_naming_the_right_path(
    api, settings, debug
):
    settings.DEBUG = debug  # in DEBUG Django used to answer this with an HTML 500

    response = api("requester_in").post("/api/v1/requests", new_request_body(), format="json")

    errors = assert_json_error(response, 404)
    assert "/api/v1/requests/" in errors["detail"][0]
    assert not PriorityRequest.objects.exists()


def test_an_unknown_api_path_is_a_json_404(api):
    assert_json_error(api("liaison_us").get("/api/v1/no-such-thing"), 404)
    assert_json_error(api("liaison_us").get("/api/v2/requests/"), 404)


def test_a_method_the_resource_does_not_take_is_a_json_405_with_allow(api):
    response = api("liaison_us").delete(url())

    assert_json_error(response, 405)
    assert "GET" in response["Allow"]


def test_asking_for_anything_but_json_is_a_json_406(api):
    response = api("liaison_us").get(url(), HTTP_ACCEPT="text/html")

    errors = assert_json_error(response, 406)
    assert "detail" in errors


def test_a_body_that_is_not_json_is_a_json_415(api):
    response = api("requester_in").post(url(), "title=x", content_type="text/plain")

    assert_json_error(response, 415)


def test_a_body_over_the_limit_is_a_json_413(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    response = api("requester_in").post(
        url(), new_request_body(justification="x" * 5000), format="json"
    )

    assert_json_error(response, 413)
    assert not PriorityRequest.objects.exists()


@pytest.mark.parametrize("debug", [False, True], ids=["production", "debug"])
def test_a_view_that_crashes_still_answers_json(people, request_in, monkeypatch, settings, debug):
    settings.DEBUG = debug
    target = request_in("submitted")

    def crash(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("requests_app.api.views.selectors.requests_for_api", crash)
    client = client_for(people.liaison_us)
    client.raise_request_exception = False

    response = client.get(url(target.reference))

    errors = assert_json_error(response, 500)
    assert "boom" not in response.content.decode()
    assert errors["detail"] == ["Server error; nothing was changed."]


def test_a_signed_out_caller_gets_json_401_not_the_sign_in_page():
    response = Client().get(url())

    assert_json_error(response, 401)


# --- strict bodies ----------------------------------------------------------------------------


@pytest.mark.parametrize("action", ACTIONS, ids=ids)
def test_a_misspelt_field_on_an_action_is_refused_naming_it(api, people, request_in, action):
    target = request_in(action.state)
    stale = target.version
    bump_version(target)  # the check a misspelt "version" would have skipped
    events = Event.objects.filter(request=target).count()

    response = api(action.actor).post(
        url(target.reference, action.name),
        {**action.body(people, target), "versoin": stale},
        format="json",
    )

    errors = assert_json_error(response, 400)
    assert list(errors) == ["versoin"]
    assert "version" in errors["versoin"][0]  # the message lists what the body takes
    assert PriorityRequest.objects.get(pk=target.pk).state == target.state
    assert Event.objects.filter(request=target).count() == events


def test_an_unknown_field_of_an_item_answer_is_named_with_its_place(api, people, request_in):
    target = request_in("with_supplier")
    first = target.items.order_by("id")[0]

    response = api("supplier_us").post(
        url(target.reference, "supplier-accept"),
        {"items": [{"id": first.pk, "committed_date": "2027-06-01"}]},
        format="json",
    )

    errors = assert_json_error(response, 400)
    assert "items[0].committed_date" in errors


def test_an_unknown_field_on_a_new_draft_or_comment_is_refused(api, request_in):
    client = api("requester_in")

    filed = client.post(url(), new_request_body(priority="high"), format="json")
    assert "priority" in assert_json_error(filed, 400)
    target = request_in("submitted")
    commented = client.post(
        url(target.reference, "comments"), {"body": "Hello", "visiblity": "shared"}, format="json"
    )
    assert "visiblity" in assert_json_error(commented, 400)
    assert not target.comments.exists()


def test_read_only_fields_echoed_back_are_ignored(api, request_in):
    draft = request_in("draft")

    response = api("requester_in").patch(
        url(draft.reference),
        {"title": "New title", "reference": "XX-1", "state": "approved"},
        format="json",
    )

    # Fields the representation shows but a draft does not take are unknown to the body.
    assert set(assert_json_error(response, 400)) == {"reference", "state"}


# --- ETag, If-Match, Location -----------------------------------------------------------------


def test_the_detail_carries_its_version_as_etag(api, request_in):
    target = request_in("submitted")

    response = api("liaison_us").get(url(target.reference))

    assert response["ETag"] == f'"{target.version}"'


def test_a_new_draft_answers_201_with_its_location_and_etag(api):
    response = api("requester_in").post(url(), new_request_body(), format="json")

    assert response.status_code == 201
    created = response.json()
    assert response["Location"] == url(created["reference"])
    assert response["ETag"] == f'"{created["version"]}"'
    assert api("requester_in").get(response["Location"]).status_code == 200


@pytest.mark.parametrize("action", ACTIONS, ids=ids)
def test_an_action_with_a_stale_if_match_is_412_and_changes_nothing(
    api, people, request_in, action
):
    target = request_in(action.state)
    seen = target.version
    bump_version(target)
    events = Event.objects.filter(request=target).count()

    response = api(action.actor).post(
        url(target.reference, action.name),
        action.body(people, target),
        format="json",
        HTTP_IF_MATCH=f'"{seen}"',
    )

    errors = assert_json_error(response, 412)
    assert "If-Match" in errors
    assert response["ETag"] == f'"{seen + 1}"'
    assert PriorityRequest.objects.get(pk=target.pk).state == target.state
    assert Event.objects.filter(request=target).count() == events


def test_an_action_with_the_current_if_match_is_taken_and_answers_the_new_etag(
    api, people, request_in
):
    target = request_in("submitted")
    read = api("liaison_us").get(url(target.reference))

    response = api("liaison_us").post(
        url(target.reference, "triage"),
        {"assignee": "reviewer.us"},
        format="json",
        HTTP_IF_MATCH=read["ETag"],
    )

    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "in_review"
    assert response["ETag"] == f'"{response.json()["version"]}"'
    assert response["ETag"] != read["ETag"]


def test_patching_a_draft_with_a_stale_if_match_is_412(api, request_in):
    draft = request_in("draft")
    seen = draft.version
    bump_version(draft)

    response = api("requester_in").patch(
        url(draft.reference), {"title": "Changed"}, format="json", HTTP_IF_MATCH=f'W/"{seen}"'
    )

    assert_json_error(response, 412)
    assert PriorityRequest.objects.get(pk=draft.pk).title == draft.title


def test_a_malformed_if_match_is_a_400_naming_the_header(api, request_in):
    draft = request_in("draft")

    response = api("requester_in").patch(
        url(draft.reference), {"title": "Changed"}, format="json", HTTP_IF_MATCH="yesterday"
    )

    assert "If-Match" in assert_json_error(response, 400)


def test_a_split_answers_201_with_the_follow_on_location(api, request_in):
    target = request_in("partly_accepted")
    rejected = list(target.items.filter(response="rejected").values_list("id", flat=True))

    response = api("liaison_us").post(
        url(target.reference, "split"), {"items": rejected}, format="json"
    )

    assert response.status_code == 201
    assert response["Location"] == url(response.json()["reference"])
