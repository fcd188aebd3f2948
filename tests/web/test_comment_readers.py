"""Who reads a comment (issue 16 point 7): the choice names the request's two nations, the
default follows the role, and an internal note looks different while it is typed."""

from __future__ import annotations

import re
from html import unescape

import pytest

from tests.helpers import sign_in, text_of


def choices(page: str) -> dict[str, str]:
    found = re.findall(
        r'(<input type="radio" name="visibility" value="(\w+)"[^>]*>)\s*([^<]+)<', page
    )
    return {
        value: label.strip() + (" [checked]" if " checked" in tag else "")
        for tag, value, label in found
    }


@pytest.mark.parametrize(
    ("who", "checked"), [("liaison_us", "shared"), ("reviewer_us", "national")]
)
def test_the_choice_names_both_nations_and_the_default_follows_the_role(
    client, people, make_request, who, checked
):
    request = make_request("in_review")
    sign_in(client, getattr(people, who))

    page = text_of(client.get(f"/requests/{request.reference}/"))

    offered = choices(page)
    assert "officials of India and United States only" in offered["internal"]
    assert "not the requester or supplier" in offered["internal"]
    assert "the requester and the supplier included" in offered["shared"]
    assert offered[checked].endswith("[checked]")
    assert "data-internal-flag" in page


def test_a_requester_is_offered_no_choice(client, people, make_request):
    request = make_request("in_review")
    sign_in(client, people.requester_in)
    page = text_of(client.get(f"/requests/{request.reference}/"))
    assert not choices(page)
    assert "data-internal-flag" not in page


def test_waiting_for_names_the_nation_the_person_and_the_time_left(client, people, make_request):
    people.reviewer_us.first_name, people.reviewer_us.last_name = "Dana", "Cole"
    people.reviewer_us.save()
    triage = make_request("submitted")
    review = make_request("in_review")
    sign_in(client, people.liaison_us)

    triage_page = unescape(text_of(client.get(f"/requests/{triage.reference}/")))
    review_page = unescape(text_of(client.get(f"/requests/{review.reference}/")))

    assert re.search(
        r"<strong>United States' liaison officer — triage, \d working days? left</strong>",
        triage_page,
    )
    assert re.search(
        r"<strong>United States' reviewer \(Dana Cole\) — determination, \d working days? left<",
        review_page,
    )
