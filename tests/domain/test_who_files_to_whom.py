"""Who may file to whom (DESIGN §1, issue 12 point 2): only to a nation with an active
arrangement, and only where a liaison officer of that nation serves the requester's."""

import pytest
from django.test import Client

from partners.filing import filing_refusal, filing_targets
from partners.models import Arrangement, Nation
from requests_app import services
from requests_app.exceptions import InvalidInput
from tests import factories as f
from tests.helpers import client_for, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def japan():
    return Nation.objects.create(
        code="JP", name="Japan", time_zone="Asia/Tokyo", holiday_calendar="JP"
    )


def refusal_on_submit(draft, by) -> list[str]:
    with pytest.raises(InvalidInput) as refused:
        services.submit(draft, by=by)
    return refused.value.errors["responding_nation"]


def test_filing_to_a_nation_without_an_arrangement_is_refused_and_says_why(people, japan):
    draft = f.draft(people.requester_in, japan)
    assert refusal_on_submit(draft, people.requester_in) == [
        "No active arrangement between India and Japan."
    ]
    draft.refresh_from_db()
    assert draft.state == "draft"  # nothing lost: the draft waits


def test_filing_where_no_liaison_officer_serves_the_requester_is_refused(people, japan):
    Arrangement.objects.create(first_nation=people.india, second_nation=japan)
    draft = f.draft(people.requester_in, japan)
    assert refusal_on_submit(draft, people.requester_in) == [
        "No liaison officer of Japan serves India yet."
    ]
    f.make_user("liaison.jp", "liaison", japan, serves=(people.india,))
    assert services.submit(draft, by=people.requester_in).state == "submitted"


def test_a_suspended_arrangement_stops_new_filings(people):
    Arrangement.objects.between(people.us, people.india).update(status="suspended")
    draft = f.draft(people.requester_in, people.us)
    assert refusal_on_submit(draft, people.requester_in) == [
        "No active arrangement between India and United States."
    ]


def test_india_and_the_uk_have_no_arrangement(people):
    assert filing_refusal(people.india, people.uk) == (
        "No active arrangement between India and United Kingdom."
    )
    assert filing_refusal(people.india, people.us) is None
    assert list(filing_targets(people.india)) == [people.us]
    assert list(filing_targets(people.uk)) == [people.us]
    assert set(filing_targets(people.us)) == {people.india, people.uk}


def test_the_filing_form_offers_only_the_nations_one_may_file_to(people, japan):
    client = Client()
    sign_in(client, people.requester_in)
    form = client.get("/requests/new/").context["form"]
    assert list(form.fields["responding_nation"].queryset) == [people.us]
    Arrangement.objects.create(first_nation=japan, second_nation=people.india)
    f.make_user("liaison.jp", "liaison", japan, serves=(people.india,))
    form = client.get("/requests/new/").context["form"]
    assert list(form.fields["responding_nation"].queryset) == [japan, people.us]


def test_the_api_refuses_the_submission_with_a_400_naming_responding_nation(people, japan):
    draft = f.draft(people.requester_in, japan)
    response = client_for(people.requester_in).post(
        f"/api/v1/requests/{draft.reference}/submit/", {}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"]["responding_nation"] == [
        "No active arrangement between India and Japan."
    ]
