"""Deliveries item by item, delays of one item, follow-on requests for rejected items and the
delivery clock of each item (DESIGN §4a; issue 13, points 2–4)."""

import datetime as dt

import pytest

from requests_app import services
from requests_app.exceptions import InvalidInput, InvalidTransition
from requests_app.models import (
    Clock,
    Delivery,
    Escalation,
    Event,
    Notification,
    PriorityRequest,
    RequestItem,
    RequestLink,
    Stage,
)
from requests_app.services.sweep import sweep_deadlines
from tests import factories as f
from tests.helpers import us_working_day

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()
JUNE, SEPTEMBER = us_working_day(180), us_working_day(270)


def deliver(request, item, quantity, *, by, on=TODAY, **extra):
    return services.record_delivery(
        request, by=by, item=item.pk, quantity=quantity, delivered_on=on, **extra
    )


def open_item_clocks(request) -> dict[int, dt.date]:
    return {
        clock.item_id: clock.due_at.date()
        for clock in Clock.objects.filter(request=request, stage=Stage.DELIVERY, stopped_at=None)
    }


def test_partial_deliveries_add_up_and_only_the_last_one_resolves_the_request(people, two_of_three):
    request, actuator, _, bracket = two_of_three

    deliver(request, actuator, 4, by=people.supplier_us)
    deliver(request, bracket, 6, by=people.requester_in)
    still_open = PriorityRequest.objects.get(pk=request.pk)
    assert (still_open.state, still_open.resolution) == ("accepted", "")
    last = deliver(request, actuator, 2, by=people.liaison_us, on=TODAY - dt.timedelta(days=1))

    assert (last.state, last.resolution) == ("resolved", "fulfilled")
    assert last.delivered_on == TODAY  # the day the last of it arrived, not the last typed
    delivered = RequestItem.objects.filter(request=request)
    assert dict(delivered.values_list("description", "quantity_delivered")) == {
        "Gear actuator": 6,
        "Seal kit": 0,
        "Mounting bracket": 6,
    }
    assert Delivery.objects.filter(item__request=request).count() == 3
    line = Event.objects.filter(request=request, action="record_delivery").latest("id").data
    assert (line["quantity_delivered"], line["items_delivered"], line["items_accepted"]) == (
        6,
        2,
        2,
    )
    assert open_item_clocks(request) == {}


def test_more_than_is_still_owed_is_refused_naming_the_quantity(people, two_of_three):
    request, actuator, _, _ = two_of_three
    deliver(request, actuator, 4, by=people.supplier_us)

    with pytest.raises(InvalidInput) as refused:
        deliver(request, actuator, 3, by=people.supplier_us)

    assert refused.value.errors["quantity"] == [
        "Only 2 of 6 each are still to be delivered (4 delivered)."
    ]
    assert RequestItem.objects.get(pk=actuator.pk).quantity_delivered == 4


@pytest.mark.parametrize(
    ("item", "quantity", "on", "field"),
    [
        ("seals", 1, TODAY, "item"),  # rejected: nothing of it is owed here
        ("other", 1, TODAY, "item"),
        ("actuator", 0, TODAY, "quantity"),
        ("actuator", 1, TODAY + dt.timedelta(days=3), "delivered_on"),
        ("actuator", 1, None, "delivered_on"),
    ],
)
def test_a_bad_delivery_names_its_field_and_changes_nothing(
    people, two_of_three, make_request, item, quantity, on, field
):
    request, actuator, seals, _ = two_of_three
    other = make_request("accepted").items.first()
    target = {"seals": seals, "other": other, "actuator": actuator}[item]

    with pytest.raises(InvalidInput) as refused:
        services.record_delivery(
            request, by=people.supplier_us, item=target.pk, quantity=quantity, delivered_on=on
        )

    assert field in refused.value.errors
    assert not Delivery.objects.filter(item__request=request).exists()


def test_the_delivery_clock_follows_the_earliest_date_still_owed(people, two_of_three):
    request, actuator, _, bracket = two_of_three
    request.refresh_from_db()
    assert open_item_clocks(request) == {actuator.pk: SEPTEMBER, bracket.pk: JUNE}
    assert request.due_at.date() == JUNE

    after = deliver(request, bracket, 6, by=people.supplier_us)

    assert open_item_clocks(request) == {actuator.pk: SEPTEMBER}
    assert (after.due_at.date(), after.committed_delivery_date) == (SEPTEMBER, SEPTEMBER)


def test_a_delay_of_one_item_moves_only_that_items_clock(people, two_of_three):
    request, actuator, _, bracket = two_of_three
    later = JUNE + dt.timedelta(days=30)

    delayed = services.report_delay(
        request,
        by=people.supplier_us,
        reason="Bracket forging re-run.",
        committed_delivery_date=later,
        item=bracket.pk,
    )

    assert open_item_clocks(request) == {actuator.pk: SEPTEMBER, bracket.pk: later}
    assert RequestItem.objects.get(pk=actuator.pk).committed_delivery_date == SEPTEMBER
    assert delayed.committed_delivery_date == later
    event = Event.objects.filter(request=request, action="report_delay").latest("id")
    assert event.data["item_description"] == "Mounting bracket"


def test_fulfil_delivers_everything_still_owed(people, two_of_three):
    request, actuator, seals, bracket = two_of_three
    deliver(request, actuator, 4, by=people.supplier_us)

    done = services.fulfil(request, by=people.requester_in, delivered_on=TODAY)

    assert (done.state, done.resolution) == ("resolved", "fulfilled")
    owed = Delivery.objects.filter(item__request=request).order_by("id")
    assert [(d.item_id, d.quantity) for d in owed] == [
        (actuator.pk, 4),
        (actuator.pk, 2),
        (bracket.pk, 6),
    ]
    assert RequestItem.objects.get(pk=seals.pk).quantity_delivered == 0  # fmt: skip


def test_the_rejected_items_go_on_as_an_approved_follow_on_with_its_own_clock(people, two_of_three):
    request, actuator, seals, bracket = two_of_three

    follow_on = services.split(request, by=people.liaison_us, items=[seals.pk])

    assert follow_on.reference != request.reference
    assert follow_on.reference.startswith("IN-")
    assert (follow_on.state, follow_on.rating, follow_on.program_symbol) == (
        "approved",
        request.rating,
        request.program_symbol,
    )
    assert follow_on.requesting_nation == request.requesting_nation
    assert follow_on.bis_case_number == request.bis_case_number
    assert list(follow_on.items.values_list("description", "response")) == [("Seal kit", "")]
    assert list(request.items.values_list("description", flat=True)) == [
        "Gear actuator",
        "Mounting bracket",
    ]
    link = RequestLink.objects.get(source=follow_on)
    assert (link.kind, link.target_id) == ("split_from", request.pk)
    forward_clock = Clock.objects.get(request=follow_on, stopped_at=None)
    assert forward_clock.stage == Stage.FORWARD
    follow_on.refresh_from_db()
    assert follow_on.due_at == forward_clock.due_at
    # The request itself goes on as it was: its item clocks keep running.
    request.refresh_from_db()
    assert request.state == "accepted"
    assert open_item_clocks(request) == {actuator.pk: SEPTEMBER, bracket.pk: JUNE}
    moved = Event.objects.filter(request=request, action="split").get().data
    assert (moved["follow_on"], [i["description"] for i in moved["items"]]) == (
        follow_on.reference,
        ["Seal kit"],
    )
    assert Event.objects.get(request=follow_on, action="split").data["split_from"] == (
        request.reference
    )


def test_the_follow_on_goes_to_another_supplier_while_the_first_resolves(people, two_of_three):
    request, actuator, seals, bracket = two_of_three
    other = f.SupplierFactory(nation=people.us, name="Seal Works Inc", cage_code="2SEAL")
    follow_on = services.split(request, by=people.liaison_us, items=[seals.pk])

    services.forward(follow_on, by=people.liaison_us, supplier=other)
    deliver(request, bracket, 6, by=people.supplier_us)
    deliver(request, actuator, 3, by=people.supplier_us)
    done = deliver(request, actuator, 3, by=people.requester_in)

    assert (done.state, done.resolution) == ("resolved", "fulfilled")
    follow_on.refresh_from_db()
    assert (follow_on.state, follow_on.supplier) == ("with_supplier", other)
    clock = Clock.objects.get(request=follow_on, stopped_at=None)
    assert clock.stage == Stage.SUPPLIER_RESPONSE


def test_only_rejected_items_can_be_split_and_only_while_the_request_goes_on(
    people, two_of_three, make_request
):
    request, actuator, seals, _ = two_of_three
    with pytest.raises(InvalidInput) as refused:
        services.split(request, by=people.liaison_us, items=[actuator.pk])
    assert "items" in refused.value.errors

    withdrawn = services.withdraw(request, by=people.requester_in, reason="Met from stock.")
    with pytest.raises(InvalidTransition):
        services.split(withdrawn, by=people.liaison_us, items=[seals.pk])
    assert RequestItem.objects.get(pk=seals.pk).request_id == request.pk


def test_the_sweep_escalates_only_the_late_item_and_the_notice_names_it(people, two_of_three):
    request, actuator, _, bracket = two_of_three
    past_june = dt.datetime.combine(JUNE + dt.timedelta(days=5), dt.time(16), dt.UTC)

    result = sweep_deadlines(now=past_june)

    late = Clock.objects.get(item=bracket, stopped_at=None)
    on_time = Clock.objects.get(item=actuator, stopped_at=None)
    assert late.level is not None and on_time.level is None
    assert not Escalation.objects.filter(clock=on_time).exists()
    assert result.clocks == 1
    event = Event.objects.filter(request=request, action="escalate").latest("id")
    assert event.data["item_description"] == "Mounting bracket"
    notice = Notification.objects.filter(event=event).first()
    assert notice is not None and "Mounting bracket" in str(notice.payload)
    # Once per item and level: a second sweep at the same time does nothing more.
    assert sweep_deadlines(now=past_june).escalations == 0
