"""Dates people type are judged where they happen (DESIGN §4): a delivery in the requesting
nation's calendar, a supplier's commitment in the responding nation's, at any UTC hour."""

import datetime as dt

import pytest
import time_machine

from requests_app import services
from requests_app.exceptions import InvalidInput
from tests import factories as f

pytestmark = pytest.mark.django_db

# 01:00 UTC on 3 Dec 2026: 06:30 on 3 Dec in Delhi, still 20:00 on 2 Dec in New York.
EARLY = dt.datetime(2026, 12, 3, 1, 0, tzinfo=dt.UTC)
# 23:00 UTC on 3 Dec 2026: already 04:30 on 4 Dec in Delhi, 18:00 on 3 Dec in New York.
LATE = dt.datetime(2026, 12, 3, 23, 0, tzinfo=dt.UTC)
DEC = {day: dt.date(2026, 12, day) for day in range(1, 6)}


def accepted_india_to_us(make_request, moment):
    with time_machine.travel(moment - dt.timedelta(days=30), tick=False):
        return make_request("accepted")


@pytest.mark.parametrize(
    ("moment", "delivered_today"), [(EARLY, DEC[3]), (LATE, DEC[4])], ids=["01:00Z", "23:00Z"]
)
def test_todays_delivery_in_the_requesting_nation_is_accepted_at_any_utc_hour(
    people, make_request, moment, delivered_today
):
    request = accepted_india_to_us(make_request, moment)
    with time_machine.travel(moment, tick=False):
        done = services.fulfil(request, by=people.liaison_us, delivered_on=delivered_today)
    assert done.state == "resolved"
    assert done.delivered_on == delivered_today


@pytest.mark.parametrize(
    ("moment", "tomorrow_there"), [(EARLY, DEC[4]), (LATE, DEC[5])], ids=["01:00Z", "23:00Z"]
)
def test_a_delivery_after_today_in_the_requesting_nation_is_refused(
    people, make_request, moment, tomorrow_there
):
    request = accepted_india_to_us(make_request, moment)
    with time_machine.travel(moment, tick=False), pytest.raises(InvalidInput) as refused:
        services.fulfil(request, by=people.liaison_us, delivered_on=tomorrow_there)
    assert refused.value.errors == {"delivered_on": ["The delivery date cannot be in the future."]}


def test_a_commitment_is_judged_in_the_responding_nations_calendar(people, make_request):
    with time_machine.travel(EARLY - dt.timedelta(days=30), tick=False):
        request = make_request("with_supplier")
    with time_machine.travel(EARLY, tick=False):
        # Still 2 Dec in New York, where the supplier is: the 2nd is today, the 1st is past.
        with pytest.raises(InvalidInput) as refused:
            services.supplier_accept(request, by=people.supplier_us, committed_delivery_date=DEC[1])
        assert refused.value.errors == {
            "committed_delivery_date": ["The date cannot be in the past."]
        }
        accepted = services.supplier_accept(
            request, by=people.supplier_us, committed_delivery_date=DEC[2]
        )
    assert accepted.committed_delivery_date == DEC[2]


def test_the_required_date_must_be_after_today_in_the_requesting_nation(people):
    with time_machine.travel(LATE, tick=False):
        draft = f.draft(people.requester_in, people.us, required_delivery_date=DEC[4])
        # 4 Dec is tomorrow in New York but today in Delhi, where the requester needs it.
        with pytest.raises(InvalidInput) as refused:
            services.submit(draft, by=people.requester_in)
    assert "required_delivery_date" in refused.value.errors
