"""A firm's response ledger (issue 14 point 3) against a small case counted by hand: three
US→India requests forwarded to Bharat Forge on Mon 7 Dec 2026; India answers in its own working
days (Delhi: no holiday from 7 to 22 Dec 2026) and its Code of Conduct asks 10 of them, so each
answer was due Mon 21 Dec 17:00 IST."""

import datetime as dt
import importlib

import pytest
from django.apps import apps

from requests_app import services
from requests_app.models import Clock, Stage
from requests_app.queries.ledger import Ledger, ledgers
from tests.helpers import new_delhi

pytestmark = pytest.mark.django_db

FORWARDED = new_delhi(2026, 12, 7, 10)


@pytest.fixture
def three_forwarded(people, make_coc_request):
    forwarded = []
    for title in ("Forgings A", "Forgings B", "Forgings C"):
        request = make_coc_request("approved", title=title, now=new_delhi(2026, 12, 4, 10))
        forwarded.append(
            services.forward(
                request, by=people.liaison_in, supplier=people.company_in_signed, now=FORWARDED
            )
        )
    return forwarded


def test_the_ledger_of_a_firm_counted_by_hand(people, three_forwarded):
    accepted, rejected, _still_waiting = three_forwarded
    # A: accepted Wed 9 Dec (2 working days), on time; then delivered in full on time.
    accepted = services.supplier_accept(
        accepted,
        by=people.liaison_in,
        committed_delivery_date=dt.date(2027, 1, 15),
        now=new_delhi(2026, 12, 9, 10),
    )
    (item,) = accepted.items.all()
    services.record_delivery(
        accepted,
        by=people.liaison_in,
        item=item.pk,
        quantity=item.quantity,
        delivered_on=dt.date(2027, 1, 14),
        now=new_delhi(2027, 1, 14, 12),
    )
    # B: rejected Tue 22 Dec, a day late: 11 working days (8–11, 14–18, 21, 22 Dec).
    services.supplier_reject(
        rejected,
        by=people.liaison_in,
        reason="No forging capacity.",
        earliest_date=dt.date(2027, 6, 1),
        now=new_delhi(2026, 12, 22, 10),
    )
    assert (
        Clock.objects.filter(
            stage=Stage.SUPPLIER_RESPONSE, supplier=people.company_in_signed
        ).count()
        == 3
    )

    ledger = ledgers([people.company_in_signed.pk, people.company_in_unsigned.pk])
    firm = ledger[people.company_in_signed.pk]
    assert (firm.forwarded, firm.accepted, firm.rejected, firm.waiting) == (3, 1, 1, 1)
    assert firm.answered_late == 1
    assert sorted(firm.days_to_answer) == [2, 11]
    assert (firm.median_days, firm.p90_days) == (6.5, 11)
    assert (firm.delivered, firm.delivered_on_time, firm.on_time_delivery_percent) == (1, 1, 100.0)
    assert firm.summary == "answered 1 of 2 on time, median 6.5 working days"
    assert ledger[people.company_in_unsigned.pk] == Ledger()
    assert ledger[people.company_in_unsigned.pk].summary == "no request forwarded yet"


def test_the_ninetieth_percentile_is_the_nearest_rank():
    ledger = Ledger(days_to_answer=[1, 2, 3, 4, 5, 6, 7, 8, 9, 30])
    assert (ledger.median_days, ledger.p90_days) == (5.5, 9)


def test_the_migration_names_the_firm_of_clocks_opened_before_it(people, three_forwarded):
    """0018: a supplier clock gets the firm of the forward that opened it (even once the
    rejection cleared the request's supplier); a delivery clock the firm that accepted."""
    migration = importlib.import_module("requests_app.migrations.0018_clock_supplier")
    rejected, accepted, _ = three_forwarded
    services.supplier_reject(
        rejected,
        by=people.liaison_in,
        reason="No capacity.",
        earliest_date=dt.date(2027, 6, 1),
        now=new_delhi(2026, 12, 8, 10),
    )
    services.supplier_accept(
        accepted,
        by=people.liaison_in,
        committed_delivery_date=dt.date(2027, 1, 15),
        now=new_delhi(2026, 12, 8, 11),
    )
    Clock.objects.update(supplier=None)
    migration.clocks_name_their_firm(apps, None)
    firm = people.company_in_signed.pk
    assert set(
        Clock.objects.filter(stage=Stage.SUPPLIER_RESPONSE).values_list("supplier_id", flat=True)
    ) == {firm}
    assert set(
        Clock.objects.filter(stage=Stage.DELIVERY).values_list("supplier_id", flat=True)
    ) == {firm}
