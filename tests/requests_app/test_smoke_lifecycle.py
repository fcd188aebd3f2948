import datetime as dt

import pytest

from requests_app import services
from requests_app.models import Clock, Event


@pytest.mark.django_db
def test_a_dx_request_goes_from_draft_to_fulfilled(people, make_request):
    request = make_request("accepted")
    assert request.state == "accepted"
    assert request.reference.startswith("IN-")
    request = services.fulfil(request, by=people.liaison_us, delivered_on=dt.date.today())
    assert request.state == "resolved"
    assert request.resolution == "fulfilled"
    actions = list(Event.objects.filter(request=request).values_list("action", flat=True))
    assert actions == ["create", "submit", "triage", "rate", "forward", "supplier_accept", "fulfil"]
    assert not Clock.objects.filter(request=request, stopped_at__isnull=True).exists()
