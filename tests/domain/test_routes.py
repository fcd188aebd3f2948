"""The two routes (DESIGN §1, §4): what a supplier reads, which clock runs, and what never appears
on the Code of Conduct route — DPAS, 15 CFR 700 or the 10/15-working-day duty."""

import datetime as dt

import pytest

from requests_app import services
from requests_app.models import Clock, Notification, Stage
from requests_app.outbox.notices import render_email
from tests import factories as f
from tests.helpers import Tables, by_label, client_for, new_delhi, sign_in

pytestmark = pytest.mark.django_db
DPAS_WORDS = ("DPAS", "15 CFR", "rated order", "DX", "DO-", "10 working days (DX)")


def supplier_mail(request, user) -> tuple[str, str, str]:
    notice = Notification.objects.get(request=request, recipient=user, kind="forward")
    return render_email(notice)


@pytest.fixture
def supplier_in(people):
    """A sales desk of India's Code of Conduct signatory."""
    return f.make_user("supplier.in", "supplier", people.india, supplier=people.company_in_signed)


def test_the_supplier_of_a_rated_order_reads_its_legal_standing(people, make_request):
    request = make_request("with_supplier")

    subject, text, html = supplier_mail(request, people.supplier_us)

    standing = "This is a rated order under 15 CFR 700: DX-A1, BIS case BIS-26-0042."
    assert standing in text
    assert standing in html
    assert request.reference in subject


def test_a_code_of_conduct_request_reads_as_every_reasonable_effort_and_never_as_dpas(
    people, make_coc_request, supplier_in
):
    request = make_coc_request("with_supplier")

    subject, text, html = supplier_mail(request, supplier_in)

    assert (
        "India's Code of Conduct asks every reasonable effort: a response within 10 working days "
        "(best effort)." in text
    )
    for word in DPAS_WORDS:
        assert word not in subject + text + html, word


def test_the_code_of_conduct_clock_counts_indias_working_days_across_its_holiday(
    people, make_coc_request
):
    # Forwarded Mon 23 Nov 2026, 10:00 in New Delhi; Tue 24 Nov is Guru Nanak's Birthday.
    forwarded = new_delhi(2026, 11, 23, 10)
    approved = make_coc_request("approved", now=forwarded - dt.timedelta(hours=1))

    services.forward(
        approved, by=people.liaison_in, supplier=people.company_in_signed, now=forwarded
    )

    clock = Clock.objects.get(request=approved, stage=Stage.SUPPLIER_RESPONSE)
    # Wed 25 … Tue 8 Dec: ten working days, skipping the holiday and two weekends.
    assert clock.due_at == new_delhi(2026, 12, 8)
    assert clock.explanation.startswith(
        "India's Code of Conduct asks a response within 10 working days (best effort)"
    )
    assert "Guru Nanak" in clock.explanation
    for word in DPAS_WORDS:
        assert word not in clock.explanation, word


def test_no_page_or_api_text_of_a_code_of_conduct_request_mentions_dpas(
    client, people, make_coc_request, supplier_in
):
    request = make_coc_request("with_supplier")

    sign_in(client, supplier_in)
    page = client.get(f"/requests/{request.reference}/").content.decode()
    home = client.get("/").content.decode()
    api = client_for(supplier_in).get(f"/api/v1/requests/{request.reference}/").content.decode()

    assert request.reference in page and request.reference in home
    main = page.split("<main", 1)[1].split("</main>", 1)[0]
    for word in ("DPAS", "15 CFR", "10 working days (DX)", "DPAS requires"):
        assert word not in main, word
        assert word not in api, word
        assert word not in home.split("<main", 1)[1].split("</main>", 1)[0], word
    assert "India&#x27;s Code of Conduct" in home or "India's Code of Conduct" in home


def test_the_request_page_says_who_must_act_and_for_which_key(client, people, make_request):
    request = make_request("awaiting_authorisation")
    sign_in(client, people.liaison_us)

    html = client.get(f"/requests/{request.reference}/").content.decode()

    assert "Waiting for" in html
    # Commerce's only authoriser holds it now: the assignee follows the stage.
    assert "United States&#x27; Commerce (BIS) (authority.us) — rating authorisation" in html


def test_before_endorsement_the_responding_nation_sees_nothing_of_the_request(
    client, people, make_request
):
    waiting = make_request("awaiting_endorsement")
    sign_in(client, people.liaison_us)

    assert client.get(f"/requests/{waiting.reference}/").status_code == 404
    assert waiting.reference not in client.get("/requests/").content.decode()
    assert waiting.reference not in client.get("/queue/").content.decode()
    assert "0 requests you can see" in client.get("/requests/").content.decode()

    services.endorse(waiting, by=people.liaison_in, note="India endorses it.")

    assert client.get(f"/requests/{waiting.reference}/").status_code == 200
    assert waiting.reference in client.get("/queue/").content.decode()


def test_the_request_page_shows_the_rating_its_bis_case_and_both_signers(
    client, people, make_request
):
    request = make_request("approved")
    sign_in(client, people.requester_in)

    html = client.get(f"/requests/{request.reference}/").content.decode()
    main = html.split("<main", 1)[1]

    for text in ("DX-A1", "BIS-26-0042", "reviewer.us", "authority.us"):
        assert text in main, text


def test_reports_count_a_request_awaiting_endorsement_only_for_the_requesting_nation(
    client, people, make_request
):
    make_request("awaiting_endorsement")

    def open_awaiting(user) -> str:
        sign_in(client, user)
        tables = Tables(client.get("/reports/").content.decode()).tables
        if "open_by_state" not in tables:  # the empty state: nothing open to count
            return "0"
        return by_label(tables["open_by_state"])["Awaiting endorsement"][-1]

    assert open_awaiting(people.liaison_in) == "1"
    assert open_awaiting(people.liaison_us) == "0"
