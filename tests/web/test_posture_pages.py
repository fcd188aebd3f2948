"""The posture on the pages: `/arrangements/` lets staff and senior contacts change it (with a
reason, the history kept), nobody else; a request page under a posture says so at the top."""

import pytest

from partners.arrangements import set_posture
from requests_app import services
from requests_app.models import Clock, Notification
from tests.helpers import flashed, signed_in, text_of, us_india

pytestmark = pytest.mark.django_db


def test_a_senior_contact_changes_the_posture_from_the_page(
    people, make_request, django_capture_on_commit_callbacks
):
    request = services.submit(make_request(), by=people.requester_in)
    arrangement = us_india(people)
    client = signed_in(people.senior_us)
    page = text_of(client.get("/arrangements/"))
    assert "Change the posture" in page
    assert f'action="/arrangements/{arrangement.pk}/posture/"' in page
    prefix = f"a{arrangement.pk}"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/arrangements/{arrangement.pk}/posture/",
            {f"{prefix}-posture": "emergency", f"{prefix}-reason": "Supply shock after a cyclone"},
            follow=True,
        )
    assert response.status_code == 200
    assert any("now under the Emergency posture" in text for text in flashed(response))
    page = text_of(response)
    assert 'data-posture="emergency"' in page
    assert "Peacetime → <strong>Emergency</strong>" in page
    assert "Supply shock after a cyclone" in page
    # The task ran (eager, after commit): the request's open clock follows the posture.
    clock = Clock.objects.get(request=request, stopped_at__isnull=True)
    assert clock.posture == "emergency"
    assert Notification.objects.filter(kind="posture", recipient=people.liaison_in).exists()


def test_the_page_keeps_the_reason_missing_error_and_changes_nothing(people):
    arrangement = us_india(people)
    client = signed_in(people.senior_us)
    prefix = f"a{arrangement.pk}"
    response = client.post(
        f"/arrangements/{arrangement.pk}/posture/", {f"{prefix}-posture": "armed_conflict"}
    )
    assert response.status_code == 400
    assert "This field is required." in text_of(response)
    assert '<details class="action" open>' in text_of(response)
    arrangement.refresh_from_db()
    assert arrangement.posture == "peacetime"


def test_others_see_the_posture_but_cannot_change_it(people):
    arrangement = us_india(people)
    client = signed_in(people.liaison_us)
    assert "Change the posture" not in text_of(client.get("/arrangements/"))
    prefix = f"a{arrangement.pk}"
    refused = client.post(
        f"/arrangements/{arrangement.pk}/posture/",
        {f"{prefix}-posture": "emergency", f"{prefix}-reason": "Not mine"},
    )
    assert refused.status_code == 404
    arrangement.refresh_from_db()
    assert arrangement.posture == "peacetime"
    # A GET on the form's address is the page itself, not an error.
    assert client.get(f"/arrangements/{arrangement.pk}/posture/")["Location"] == "/arrangements/"


def test_a_request_page_under_a_posture_shows_the_banner(people, make_request):
    request = services.submit(make_request(), by=people.requester_in)
    client = signed_in(people.requester_in)
    url = f"/requests/{request.reference}/"
    assert "data-posture-banner" not in text_of(client.get(url))
    set_posture(us_india(people), "armed_conflict", by=None, reason="Conflict")
    page = text_of(client.get(url))
    assert 'data-posture-banner="armed_conflict"' in page
    assert "count every day, around the clock" in page
