"""The single-source watch (issue 14 point 4): parts only one firm has ever accepted and firms
holding more than a share of a nation's open requests, counted over what the reader may see;
liaison officers, observers and staff only; CSV."""

import csv
import io

import pytest

from requests_app import services
from tests import factories as f
from tests.helpers import signed_in, support, text_of, us_working_day

pytestmark = pytest.mark.django_db


@pytest.fixture
def four_accepted(people, make_request):
    """GY-200 accepted twice, both by Acme; SK-1 accepted by Acme and by Boeing Parts."""
    for _ in range(2):
        make_request("accepted")
    make_request("accepted", items=[f.item(part_number="SK-1", description="Seal kit")])
    request = make_request("in_review", items=[f.item(part_number="SK-1", description="Seal kit")])
    request = support(request, by=people.reviewer_us, rating="DO", program_symbol="A2")
    request = services.forward(request, by=people.liaison_us, supplier=people.company_us_other)
    services.supplier_accept(
        request, by=people.other_supplier_us, committed_delivery_date=us_working_day(200)
    )


def test_the_watch_names_the_sole_source_part_and_the_heavy_firm(people, four_accepted):
    page = text_of(signed_in(people.liaison_in).get("/reports/single-source/"))
    parts = page[page.index('data-watch="parts"') : page.index('data-watch="firms"')]
    assert "GY-200" in parts and "Acme Gyro Inc" in parts
    assert "SK-1" not in parts  # two firms have accepted it
    firms = page[page.index('data-watch="firms"') :]
    assert "Acme Gyro Inc" in firms and "3 / 4" in firms and "75.0%" in firms
    assert "Boeing Parts" not in firms  # 25% is not more than 25%
    lower = text_of(signed_in(people.liaison_in).get("/reports/single-source/?months=12&share=20"))
    assert "Boeing Parts" in lower[lower.index('data-watch="firms"') :]


def test_the_watch_as_csv(people, four_accepted):
    client = signed_in(people.observer_us)
    response = client.get("/reports/single-source/?months=12&share=25&format=csv&table=parts")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][0] == "Part (NSN or part number)"
    assert [(row[0], row[2], row[3]) for row in rows[1:]] == [("GY-200", "2", "Acme Gyro Inc")]
    firms = client.get("/reports/single-source/?months=12&share=25&format=csv&table=firms")
    rows = list(csv.reader(io.StringIO(b"".join(firms.streaming_content).decode())))
    assert [(row[1], row[3], row[4]) for row in rows[1:]] == [("Acme Gyro Inc", "3", "4")]


def test_only_liaison_officers_observers_and_staff_read_it_and_only_their_nations(
    people, four_accepted
):
    for user in (people.requester_in, people.supplier_us, people.reviewer_us):
        assert signed_in(user).get("/reports/single-source/").status_code == 404
    page = text_of(signed_in(people.liaison_gb).get("/reports/single-source/"))
    assert "GY-200" not in page and "Acme Gyro Inc" not in page  # India's requests, not the UK's
    bad = signed_in(people.liaison_in).get("/reports/single-source/?months=0&share=25")
    assert bad.status_code == 400
