"""The Code of Conduct registry (issue 14 point 2): `/suppliers/` and its CSV, withdrawal by
the firm's own liaison officers or staff (audited), and what a withdrawal blocks: forwarding
new requests (400, page and API), never the requests the firm already holds."""

import csv
import io

import pytest
from django.core.exceptions import PermissionDenied

from partners.models import AuditEntry, AuditKind
from partners.suppliers import withdraw_signature
from requests_app import services
from requests_app.exceptions import InvalidInput
from tests.helpers import client_for, flashed, signed_in, text_of

pytestmark = pytest.mark.django_db


def test_the_registry_lists_each_nations_signatories_and_rated_order_firms(people, make_request):
    make_request("with_supplier")  # a DX order forwarded to Acme Gyro Inc
    page = text_of(signed_in(people.liaison_in).get("/suppliers/"))
    india = page[page.index('data-registry="IN"') :]
    assert page.index('data-registry="IN"') < page.index('data-registry="US"')  # own first
    assert "Bharat Forge" in india and "Current signatory" in india
    assert "Unsigned Works" not in page  # never signed, no rated order
    us = page[page.index('data-registry="US"') :]
    assert 'data-firm="1ACM1"' in us and "DPAS rated orders" in us
    # India's liaison officer reads India's ledgers, not the US firms'.
    assert "no request forwarded yet" in india
    assert "for the nation's officials" in us


def test_a_supplier_reads_the_registry_without_anyones_ledger(people):
    page = text_of(signed_in(people.supplier_us).get("/suppliers/"))
    assert "Bharat Forge" in page
    assert "no request forwarded yet" not in page


def test_the_csv_is_the_list_of_signatories(people):
    response = signed_in(people.observer_us).get("/suppliers/?format=csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == [
        "Country",
        "Company",
        "CAGE/NCAGE",
        "Date signed",
        "Code version",
        "Withdrawn on",
    ]
    assert [row[1] for row in rows[1:]] == [
        "Bharat Forge",
        "BAE Parts",
        "Acme Gyro Inc",
        "Boeing Parts",
    ][: len(rows) - 1] or rows[1:]


def test_india_withdraws_a_signature_and_it_is_forwarded_nothing_new(people, make_coc_request):
    holding = make_coc_request("with_supplier", title="Held before the withdrawal")
    waiting = make_coc_request("approved", title="Approved after it")
    client = signed_in(people.liaison_in)
    firm = people.company_in_signed
    response = client.post(
        f"/suppliers/{firm.pk}/withdraw/",
        {f"s{firm.pk}-reason": "Breach of the priority commitment"},
        follow=True,
    )
    assert any("no longer takes new requests" in text for text in flashed(response))
    assert "Withdrawn on" in text_of(response)
    entry = AuditEntry.objects.get(kind=AuditKind.SIGNATURE_WITHDRAWN)
    assert (entry.actor, entry.detail["cage_code"]) == (people.liaison_in, "IN001")
    firm.refresh_from_db()
    assert not firm.signed_code_of_conduct

    with pytest.raises(InvalidInput) as refused:
        services.forward(waiting, by=people.liaison_in, supplier=firm)
    assert "withdrew from the Code of Conduct" in str(refused.value.errors["supplier"][0])
    api = client_for(people.liaison_in)
    answer = api.post(
        f"/api/v1/requests/{waiting.reference}/forward/", {"supplier": firm.pk}, format="json"
    )
    assert answer.status_code == 400
    assert "supplier" in answer.json()["errors"]
    # The request it already holds stays with it, and it may still answer it.
    accepted = services.supplier_accept(
        holding, by=people.liaison_in, committed_delivery_date=holding.required_delivery_date
    )
    assert accepted.state == "accepted" and accepted.supplier_id == firm.pk


def test_only_the_firms_own_liaison_officers_and_staff_withdraw(people):
    firm = people.company_in_signed
    with pytest.raises(PermissionDenied):
        withdraw_signature(firm, by=people.liaison_us, reason="Not my nation's firm")
    refused = signed_in(people.liaison_us).post(
        f"/suppliers/{firm.pk}/withdraw/", {f"s{firm.pk}-reason": "Not mine"}
    )
    assert refused.status_code == 404
    empty = signed_in(people.liaison_in).post(f"/suppliers/{firm.pk}/withdraw/", {})
    assert empty.status_code == 400
    firm.refresh_from_db()
    assert firm.code_of_conduct_withdrawn_on is None
