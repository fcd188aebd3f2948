from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from requests_app import services
from requests_app.models import Clock, Event


@pytest.mark.django_db
def test_a_dx_request_goes_from_draft_to_fulfilled(people, make_request):
    request = make_request("accepted")
    assert request.state == "accepted"
    assert request.reference.startswith("IN-")
    # "Today" is the responding nation's date (New York): delivery cannot be in its future.
    today_in_new_york = timezone.localdate(timezone=ZoneInfo("America/New_York"))
    request = services.fulfil(request, by=people.liaison_us, delivered_on=today_in_new_york)
    assert request.state == "resolved"
    assert request.resolution == "fulfilled"
    actions = list(Event.objects.filter(request=request).values_list("action", flat=True))
    assert actions == [
        "create",
        "submit",
        "triage",
        "determine",
        "authorise",
        "forward",
        "supplier_accept",
        "fulfil",
    ]
    assert not Clock.objects.filter(request=request, stopped_at__isnull=True).exists()
