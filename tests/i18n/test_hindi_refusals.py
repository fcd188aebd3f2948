"""Refusals in the reader's language (issue 16 points 1 and 10): what the services refuse — a
wrong state, a role that may not, a bad field — reads in Hindi on a Hindi page, while the API,
whose error texts agency systems read, answers in English unless the caller asks otherwise."""

import pytest
from django.conf import settings
from django.utils import translation

from requests_app.web.field_labels import labelled
from tests.helpers import flashed, sign_in, text_of

from ..api.conftest import api, url

__all__ = ["api"]  # the API's token clients, as its own tests have them

HINDI = {settings.LANGUAGE_COOKIE_NAME: "hi"}

pytestmark = pytest.mark.django_db


def test_an_action_in_the_wrong_state_is_refused_in_hindi_on_a_hindi_page(
    client, people, make_request
):
    target = make_request("in_review")
    sign_in(client, people.liaison_us)
    client.cookies.load(HINDI)

    response = client.post(
        f"/requests/{target.reference}/act/triage/",
        {"assignee": people.reviewer_us.pk, "version": target.version},
    )

    refusal = f"{target.reference} पर “प्राथमिकता-निर्धारण” संभव नहीं है: यह समीक्षाधीन है।"
    assert response.status_code == 409
    assert flashed(response) == [refusal]
    assert refusal in text_of(response)
    assert "Cannot triage" not in text_of(response)


def test_a_role_that_may_not_act_is_told_so_in_hindi(client, people, make_request):
    target = make_request("submitted")
    sign_in(client, people.requester_in)
    client.cookies.load(HINDI)

    response = client.post(
        f"/requests/{target.reference}/act/triage/",
        {"assignee": people.reviewer_us.pk, "version": target.version},
    )

    assert response.status_code == 403
    assert flashed(response) == ["आपकी भूमिका को इस अनुरोध पर “प्राथमिकता-निर्धारण” की अनुमति नहीं है।"]


def test_the_same_refusal_stays_english_on_an_english_page(client, people, make_request):
    target = make_request("in_review")
    sign_in(client, people.liaison_us)

    response = client.post(
        f"/requests/{target.reference}/act/triage/",
        {"assignee": people.reviewer_us.pk, "version": target.version},
    )

    assert flashed(response) == [f"Cannot triage {target.reference}: it is in review."]


def test_a_field_the_service_refuses_is_explained_in_hindi(client, people, make_request):
    """The supplier's committed date in the past: the service's own check, not the form's."""
    target = make_request("with_supplier")
    sign_in(client, people.supplier_us)
    client.cookies.load(HINDI)

    response = client.post(
        f"/requests/{target.reference}/act/supplier_accept/",
        {"committed_delivery_date": "2020-01-06", "version": target.version},
    )

    html = text_of(response)
    assert response.status_code == 400
    assert "तिथि अतीत की नहीं हो सकती।" in html
    assert "The date cannot be in the past." not in html


def test_the_api_answers_the_same_refusal_in_english_without_accept_language(
    api, people, make_request
):
    target = make_request("in_review")

    response = api("liaison_us").post(
        url(target.reference, "triage"), {"assignee": "reviewer.us"}, format="json"
    )

    assert response.status_code == 409
    assert response["Content-Language"] == "en-gb"
    assert response.json() == {
        "errors": {"state": ["'triage' is not allowed in state 'in_review'."]}
    }


def test_the_api_keeps_english_field_errors_without_accept_language(api, people, make_request):
    target = make_request("with_supplier")

    response = api("supplier_us").post(
        url(target.reference, "supplier-accept"),
        {"committed_delivery_date": "2020-01-06"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["errors"]["committed_delivery_date"] == [
        "The date cannot be in the past."
    ]


def test_an_api_caller_that_asks_for_hindi_gets_hindi(api, people, make_request):
    """Content negotiation, as for every other text: only when the caller asks for it."""
    target = make_request("in_review")

    response = api("liaison_us").post(
        url(target.reference, "triage"),
        {"assignee": "reviewer.us"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="hi",
    )

    assert response.status_code == 409
    assert response["Content-Language"] == "hi"
    assert response.json() == {
        "errors": {"state": ["स्थिति 'in_review' में 'triage' की अनुमति नहीं है।"]}
    }


def test_a_refused_field_no_form_shows_is_named_in_the_pages_language():
    """A refusal of a field the page has no input for is prefixed with the field's name as the
    page calls it: in Hindi on a Hindi page, never the code's `assignee`."""
    with translation.override("hi"):
        hindi = labelled("assignee", "यह व्यक्ति नहीं।")
    with translation.override("en-gb"):
        english = labelled("assignee", "Not this person.")
        whole = labelled("state", "It is closed.")

    assert hindi == "सौंपा गया व्यक्ति: यह व्यक्ति नहीं।"
    assert english == "Assignee: Not this person."
    assert whole == "It is closed."
