"""The data steps of the route split (migrations 0010, 0011, 0013): rows rated under the one
symmetric flow come out on their routes, nothing lost."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)
BEFORE = [("requests_app", "0009_fillfactor"), ("partners", "0005_arrangements")]
AT = dt.datetime(2026, 11, 20, 15, 0, tzinfo=dt.UTC)


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def before_the_split():
    apps = migrate(BEFORE)
    yield apps
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_rated_requests_come_out_on_their_routes_with_both_keys_or_an_approval(before_the_split):
    apps = before_the_split
    nation = apps.get_model("partners", "Nation")
    user = apps.get_model("auth", "User")
    agency = apps.get_model("partners", "Agency")
    request = apps.get_model("requests_app", "PriorityRequest")
    event = apps.get_model("requests_app", "Event")
    webhook = apps.get_model("requests_app", "Webhook")
    us = nation.objects.create(code="US", name="United States", priority_system="dpas")
    india = nation.objects.create(code="IN", name="India", priority_system="code_of_conduct")
    filer = user.objects.create(username="requester.in")
    rater_us = user.objects.create(username="reviewer.us")
    rater_in = user.objects.create(username="reviewer.in")

    def rated(reference, requesting, responding, rater):
        row = request.objects.create(
            reference=reference,
            title="Gyroscopes",
            requesting_nation=requesting,
            responding_nation=responding,
            created_by=filer,
            state="rated",
            rating="DX",
            program_symbol="A1",
            determination_note="Supports G2.",
            rated_at=AT,
        )
        event.objects.create(
            request=row,
            actor=rater,
            action="rate",
            from_state="in_review",
            to_state="rated",
            created_at=AT,
        )
        return row

    to_us = rated("IN-2026-00001", india, us, rater_us)
    to_india = rated("US-2026-00001", us, india, rater_in)
    hook = webhook.objects.create(
        agency=agency.objects.create(nation=india, name="MoD"),
        url="https://erp.example.org/hook",
        event_kinds=["submit", "rate"],
    )

    apps = migrate([("requests_app", "0013_webhook_kinds_after_rate")])
    request = apps.get_model("requests_app", "PriorityRequest")
    event = apps.get_model("requests_app", "Event")

    dpas = request.objects.get(pk=to_us.pk)
    assert (dpas.state, dpas.route, dpas.rating, dpas.program_symbol) == (
        "approved",
        "dpas",
        "DX",
        "A1",
    )
    assert (dpas.recommended_rating, dpas.recommended_symbol) == ("DX", "A1")
    assert dpas.determined_by_id == dpas.approved_by_id == rater_us.pk
    assert dpas.approved_at == AT and dpas.approval_note == "Supports G2."

    conduct = request.objects.get(pk=to_india.pk)
    assert (conduct.state, conduct.route, conduct.rating) == ("approved", "code_of_conduct", "")
    assert conduct.approved_by_id == rater_in.pk
    assert "Rated DX-A1 before the routes were split" in conduct.approval_note
    assert set(event.objects.values_list("to_state", flat=True)) == {"approved"}

    kinds = apps.get_model("requests_app", "Webhook").objects.get(pk=hook.pk).event_kinds
    assert kinds == ["submit", "determine", "authorise", "approve"]


@pytest.fixture
def before_items_were_answered():
    apps = migrate([("requests_app", "0013_webhook_kinds_after_rate")])
    yield apps
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_the_items_of_accepted_and_fulfilled_requests_become_accepted(before_items_were_answered):
    apps = before_items_were_answered
    nation = apps.get_model("partners", "Nation")
    user = apps.get_model("auth", "User")
    request = apps.get_model("requests_app", "PriorityRequest")
    item = apps.get_model("requests_app", "RequestItem")
    us = nation.objects.create(code="US", name="United States", priority_system="dpas")
    india = nation.objects.create(code="IN", name="India")
    filer = user.objects.create(username="requester.in")
    day = dt.date(2027, 3, 1)

    def with_items(reference, **fields):
        row = request.objects.create(
            reference=reference,
            title="Gyroscopes",
            requesting_nation=india,
            responding_nation=us,
            created_by=filer,
            **fields,
        )
        for description in ("Gyroscope", "Bracket"):
            item.objects.create(request=row, description=description, quantity=2)
        return row

    accepted = with_items("IN-2026-00001", state="accepted", committed_delivery_date=day)
    fulfilled = with_items(
        "IN-2026-00002", state="resolved", resolution="fulfilled", committed_delivery_date=day
    )
    forwarded = with_items("IN-2026-00003", state="with_supplier")

    apps = migrate([("requests_app", "0014_item_responses")])
    item = apps.get_model("requests_app", "RequestItem")

    def answers(row):
        return set(
            item.objects.filter(request_id=row.pk).values_list(
                "response", "committed_delivery_date"
            )
        )

    assert answers(accepted) == answers(fulfilled) == {("accepted", day)}
    assert answers(forwarded) == {("", None)}


def test_the_demo_data_as_it_was_before_deliveries_comes_out_delivered_and_clocked_per_item():
    """Migration 0016's data step on a copy of the demo data put back into the shape it had
    before items were delivered one by one: a fulfilled request's items delivered in full on its
    delivery date, by whoever recorded it; an accepted request's one delivery clock shared out
    to each accepted item."""
    import importlib
    import io

    from django.apps import apps
    from django.core.management import call_command

    from requests_app.models import Clock, Delivery, Event, PriorityRequest, RequestItem

    call_command("seed_demo", stdout=io.StringIO(), stderr=io.StringIO())
    fulfilled = list(PriorityRequest.objects.filter(state="resolved", resolution="fulfilled"))
    accepted = list(PriorityRequest.objects.filter(state="accepted"))
    assert fulfilled and accepted, "the demo data has fulfilled and accepted requests"
    # As it was: no deliveries, nothing counted as delivered, one delivery clock per request.
    Delivery.objects.all().delete()
    RequestItem.objects.update(quantity_delivered=0)
    kept = {}
    for request in accepted:
        clocks = list(Clock.objects.filter(request=request, stage="delivery", stopped_at=None))
        kept[request.pk] = clocks[0].due_at
        Clock.objects.filter(pk__in=[c.pk for c in clocks[1:]]).delete()
        Clock.objects.filter(pk=clocks[0].pk).update(item=None)

    step = importlib.import_module("requests_app.migrations.0016_items_delivered_and_linked")
    step.items_delivered_and_clocked(apps, None)

    for request in fulfilled:
        items = list(RequestItem.objects.filter(request=request))
        assert all(i.quantity_delivered == i.quantity for i in items), request.reference
        recorded = Delivery.objects.filter(item__request=request)
        assert recorded.count() == len(items)
        assert {d.delivered_on for d in recorded} == {request.delivered_on}
        actor = Event.objects.filter(request=request, action="fulfil").first()
        assert {d.recorded_by_id for d in recorded} == {actor.actor_id if actor else None}
    for request in accepted:
        owed = set(
            RequestItem.objects.filter(request=request, response="accepted").values_list(
                "id", flat=True
            )
        )
        clocks = Clock.objects.filter(request=request, stage="delivery", stopped_at=None)
        assert set(clocks.values_list("item_id", flat=True)) == owed, request.reference
        assert {c.due_at for c in clocks} == {kept[request.pk]}
