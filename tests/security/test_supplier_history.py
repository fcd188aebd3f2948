"""Issue 17, point 6: a supplier forwarded a request after another firm refused it sees only its
own part of the history — from its own forward on, nothing about the other firm — in the
request page's timeline, the events API and the event feed."""

from __future__ import annotations

import datetime as dt

import pytest

from requests_app import services
from tests.helpers import client_for, signed_in

LATER = dt.date.today() + dt.timedelta(days=150)


@pytest.fixture
def reforwarded(people, make_request):
    """Refused by Boeing Parts ("No capacity until spring"), then forwarded to Acme Gyro."""
    request = make_request("approved")
    services.add_comment(
        request, by=people.liaison_us, body="Trying Boeing Parts first.", visibility="shared"
    )
    request = services.forward(request, by=people.liaison_us, supplier=people.company_us_other)
    request = services.supplier_reject(
        request,
        by=people.other_supplier_us,
        reason="No capacity until spring.",
        earliest_date=LATER,
    )
    request = services.forward(request, by=people.liaison_us, supplier=people.company_us)
    services.add_comment(
        request, by=people.liaison_us, body="Acme, please confirm by Friday.", visibility="shared"
    )
    return request


def test_the_supplier_reads_nothing_of_the_firm_asked_before_it(people, reforwarded):
    page = signed_in(people.supplier_us).get(f"/requests/{reforwarded.reference}/")
    api = client_for(people.supplier_us)
    events = api.get(f"/api/v1/requests/{reforwarded.reference}/events/").json()
    comments = api.get(f"/api/v1/requests/{reforwarded.reference}/comments/").json()
    feed = api.get("/api/v1/events/").json()["results"]

    assert page.status_code == 200
    text = page.content.decode()
    for seen in (text, str(events), str(comments), str(feed)):
        assert "Boeing Parts" not in seen
        assert "No capacity until spring" not in seen
        assert "Trying Boeing Parts first" not in seen
    assert "Acme, please confirm by Friday." in text
    assert [e["action"] for e in events][:1] == ["forward"]  # its own forward starts its part
    assert "supplier_reject" not in [e["action"] for e in events]
    assert {e["data"].get("supplier") for e in events if "supplier" in e["data"]} == {
        people.company_us.pk
    }
    assert [c["body"] for c in comments] == ["Acme, please confirm by Friday."]


def test_the_officials_still_read_the_whole_history(people, reforwarded):
    events = (
        client_for(people.liaison_us)
        .get(f"/api/v1/requests/{reforwarded.reference}/events/")
        .json()
    )

    actions = [e["action"] for e in events]
    assert "supplier_reject" in actions and actions.count("forward") == 2
