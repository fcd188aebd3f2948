"""/reports/: figures computed from a known history of clocks, as page tables, SVG charts and CSV.

The history (India → United States, so every clock counts in US working days, New York time;
March 2026 has no US federal holiday and daylight time starts on 8 March):

  A  submitted Mon 9 Mar, triaged Tue 10 (met, 1 day), the DoD determined DX Wed 11 (met, 1),
     Commerce authorised it Thu 12 (met, 1), forwarded Fri 13 (met, 1), supplier accepted
     Wed 18 (met, 3; DX due Fri 27); delivery clock open.
  B  submitted Mon 9 Mar, triaged Fri 13 (missed: due Wed 11; 4 days); determination clock open,
     due Fri 20 Mar 17:00 EDT, overdue after that.
  C  submitted Mon 16 Mar; info requested Tue 17 (triage clock paused with 1 day left); answered
     Mon 23 (answer clock met, 4 days; triage resumed, due Tue 24); triaged Tue 24 (met: 1 day
     before the pause + 1 after = 2); determination clock open, due Tue 31 Mar, overdue after.
  D  a draft (never counted).
  G  United Kingdom → United States, submitted Tue 10 Mar, never triaged (seen by GB, not by the
     India–US people).
"""

import csv
import datetime as dt
import io
import re

import pytest
import time_machine

from partners.calendars import WorkingCalendar
from requests_app import services
from requests_app.models import Clock
from requests_app.queries import reports
from requests_app.web import charts
from tests import factories as f
from tests.helpers import NEW_YORK, Tables, by_label, sign_in

UTC = dt.UTC
PERIOD = {"start": "2026-03-01", "end": "2026-04-30"}
STAGE_LABELS = [
    "Endorsement",
    "Triage",
    "Requester answer",
    "Determination",
    "Review",
    "Rating authorisation",
    "Forward to supplier",
    "Supplier response",
    "Delivery",
]


def at(day: int, month: int = 3, hour: int = 14) -> dt.datetime:
    """14:00 UTC is 10:00 in New York in (late) March 2026."""
    return dt.datetime(2026, month, day, hour, tzinfo=UTC)


@pytest.fixture
def history(people):
    p = people
    a = services.submit(f.draft(p.requester_in, p.us, title="A"), by=p.requester_in, now=at(9))
    a = services.triage(a, by=p.liaison_us, assignee=p.reviewer_us, now=at(10))
    a = services.determine(
        a, by=p.reviewer_us, rating="DX", program_symbol="A1", note="Supports G2.", now=at(11)
    )
    a = services.authorise(
        a,
        by=p.authority_us,
        bis_case_number="BIS-26-0007",
        rating="DX",
        program_symbol="A1",
        note="As determined.",
        now=at(12),
    )
    a = services.forward(a, by=p.liaison_us, supplier=p.company_us, now=at(13))
    a = services.supplier_accept(
        a, by=p.supplier_us, committed_delivery_date=dt.date(2026, 6, 30), now=at(18)
    )

    b = services.submit(f.draft(p.requester_in, p.us, title="B"), by=p.requester_in, now=at(9))
    b = services.triage(b, by=p.liaison_us, assignee=p.reviewer_us, now=at(13))

    c = services.submit(f.draft(p.requester_in, p.us, title="C"), by=p.requester_in, now=at(16))
    c = services.request_info(c, by=p.liaison_us, question="Which lot?", now=at(17))
    c = services.answer(c, by=p.requester_in, answer="Lot 7.", now=at(23))
    c = services.triage(c, by=p.liaison_us, assignee=p.reviewer_us, now=at(24))

    f.draft(p.requester_in, p.us, title="D")
    g = services.submit(f.draft(p.requester_gb, p.us, title="G"), by=p.requester_gb, now=at(10))
    return {"a": a, "b": b, "c": c, "g": g}


def page(client, user, **params):
    sign_in(client, user)
    response = client.get("/reports/", {**PERIOD, **params})
    assert response.status_code == 200
    return response


def tables_of(response) -> dict[str, list[list[str]]]:
    return Tables(response.content.decode()).tables


def csv_of(client, user, table: str, **params) -> list[list[str]]:
    sign_in(client, user)
    response = client.get("/reports/", {**PERIOD, **params, "format": "csv", "table": table})
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode())))


def svg_of(response, name: str) -> str:
    html = response.content.decode()
    start = html.index(f'aria-labelledby="chart-{name}-title')
    return html[html.rindex("<svg", 0, start) : html.index("</svg>", start)]


# --- pure pieces --------------------------------------------------------------------------------


def test_median_and_90th_percentile_interpolate_between_closest_ranks():
    values = [7, 1, 10, 3, 2, 9, 4, 8, 6, 5]
    assert reports.percentile(values, 0.5) == 5.5
    assert reports.percentile(values, 0.9) == pytest.approx(9.1)
    assert reports.percentile([1, 2, 4], 0.9) == pytest.approx(3.6)
    assert reports.percentile([3], 0.9) == 3
    assert reports.percentile([], 0.5) is None


def test_running_working_days_leave_out_the_paused_interval():
    calendar = WorkingCalendar(country="US", time_zone="America/New_York")
    ledger = [
        {"status": "running", "from": at(16).isoformat(), "to": at(17).isoformat()},
        {"status": "paused", "from": at(17).isoformat(), "to": at(23).isoformat()},
        {"status": "running", "from": at(23).isoformat(), "to": None},
    ]
    days = reports.running_working_days(
        ledger, started_at=at(16), stopped_at=at(24), calendar=calendar
    )
    assert days == 2  # Mon→Tue, then Mon→Tue: the paused Wed–Fri are not charged


def test_the_default_period_is_this_month_and_the_five_before():
    period = reports.default_period(dt.date(2026, 11, 24), UTC)
    assert (period.start_on, period.end_on) == (dt.date(2026, 6, 1), dt.date(2026, 11, 24))
    assert len(period.months()) == 6


def test_trend_points_are_twelve_week_ends_up_to_the_end_of_the_period_or_now():
    tz = NEW_YORK
    period = reports.Period(dt.date(2026, 3, 1), dt.date(2026, 4, 30), tz)
    points = reports.trend_points(period, now=at(24, month=11))
    assert len(points) == 12
    assert points[-1] == dt.datetime(2026, 5, 1, tzinfo=tz)
    assert points[0] == dt.datetime(2026, 2, 13, tzinfo=tz)
    assert reports.trend_points(period, now=at(20, month=4))[-1] == at(20, month=4)


def test_a_bar_chart_escapes_its_labels_and_draws_one_group_per_label():
    svg = charts.bar_chart(
        chart_id="chart-x",
        title="T <b>",
        description="D",
        labels=["<script>", "Two"],
        series=[charts.Series("Met", [1, 0], "#000", "met")],
    )
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert svg.count('<g class="bar"') == 2
    assert svg.count('<rect class="bar__segment') == 1  # a zero draws no segment
    assert 'role="img"' in svg and 'aria-labelledby="chart-x-title chart-x-desc"' in svg


# --- the page from the known history ------------------------------------------------------------


def test_sla_compliance_by_stage_counts_met_and_missed_clocks(client, people, history):
    rows = tables_of(page(client, people.liaison_us))["sla_by_stage"]
    assert rows[0] == ["Stage", "Met", "Missed", "Stopped clocks", "Met on time"]
    assert rows[1:] == [
        ["Endorsement", "0", "0", "0", "—"],  # India needs none here
        ["Triage", "2", "1", "3", "66.7%"],
        ["Requester answer", "1", "0", "1", "100.0%"],
        ["Determination", "1", "0", "1", "100.0%"],
        ["Review", "0", "0", "0", "—"],  # the Code of Conduct route's
        ["Rating authorisation", "1", "0", "1", "100.0%"],
        ["Forward to supplier", "1", "0", "1", "100.0%"],
        ["Supplier response", "1", "0", "1", "100.0%"],
        ["Delivery", "0", "0", "0", "—"],
    ]


def test_sla_compliance_by_nation_and_by_month(client, people, history):
    tables = tables_of(page(client, people.liaison_us))
    assert tables["sla_by_nation"][1:] == [["United States", "7", "1", "8", "87.5%"]]
    assert tables["sla_by_month"][1:] == [
        ["Mar 2026", "7", "1", "8", "87.5%"],
        ["Apr 2026", "0", "0", "0", "—"],
    ]


def test_time_per_stage_gives_median_and_90th_percentile_in_working_days(client, people, history):
    rows = tables_of(page(client, people.liaison_us))["time_by_stage"]
    assert rows[0] == [
        "Stage",
        "Stages finished",
        "Median (working days)",
        "90th percentile (working days)",
    ]
    assert rows[1:] == [
        ["Endorsement", "0", "—", "—"],
        ["Triage", "3", "2", "3.6"],  # 1, 4 and 2 working days
        ["Requester answer", "1", "4", "4"],
        ["Determination", "1", "1", "1"],  # the DoD's key
        ["Review", "0", "—", "—"],
        ["Rating authorisation", "1", "1", "1"],  # Commerce's key
        ["Forward to supplier", "1", "1", "1"],
        ["Supplier response", "1", "3", "3"],
        ["Delivery", "0", "—", "—"],
    ]


def test_open_requests_by_state_and_by_rating_leave_out_drafts(client, people, history):
    tables = tables_of(page(client, people.liaison_us))
    assert tables["open_by_state"][1:] == [
        ["Awaiting endorsement", "0", "0", "0", "0"],
        ["Submitted", "0", "0", "0", "0"],
        ["Needs information", "0", "0", "0", "0"],
        ["In review", "0", "0", "2", "2"],
        ["Awaiting rating authorisation", "0", "0", "0", "0"],
        ["Approved", "0", "0", "0", "0"],
        ["With supplier", "0", "0", "0", "0"],
        ["Accepted", "1", "0", "0", "1"],
    ]
    assert tables["open_by_rating"][1:] == [["DX", "1"], ["DO", "0"], ["Unrated", "2"]]


def test_the_overdue_trend_counts_requests_overdue_at_each_week_end(client, people, history):
    rows = tables_of(page(client, people.liaison_us))["overdue_trend"]
    assert rows[0] == ["Week ending", "Overdue requests"]
    assert rows[1:] == [
        ["12 Feb 2026", "0"],
        ["19 Feb 2026", "0"],
        ["26 Feb 2026", "0"],
        ["5 Mar 2026", "0"],
        ["12 Mar 2026", "1"],  # B's triage, due Wed 11, done Fri 13
        ["19 Mar 2026", "0"],  # C is paused, B's determination not yet due
        ["26 Mar 2026", "1"],  # B's determination, due Fri 20
        ["2 Apr 2026", "2"],  # and C's, due Tue 31
        ["9 Apr 2026", "2"],
        ["16 Apr 2026", "2"],
        ["23 Apr 2026", "2"],
        ["30 Apr 2026", "2"],
    ]


def test_each_chart_is_inline_svg_with_a_bar_per_row_and_its_labels(client, people, history):
    response = page(client, people.liaison_us)
    stages = svg_of(response, "sla_by_stage")
    assert stages.count('<g class="bar"') == 9
    assert [label for label in re.findall(r'<g class="bar" data-label="([^"]+)"', stages)] == (
        STAGE_LABELS
    )
    assert stages.count("bar__segment--met") == 6
    assert stages.count("bar__segment--missed") == 1
    assert "2 of 3 met" in stages
    assert '<title id="chart-sla_by_stage-title">SLA compliance by stage</title>' in stages
    ratings = svg_of(response, "open_by_rating")
    assert re.findall(r'data-label="([^"]+)"', ratings) == ["DX", "DO", "Unrated"]
    assert svg_of(response, "overdue_trend").count('class="line__point"') == 12
    html = response.content.decode()
    assert "<script" not in html and "cdn" not in html.lower()


def test_csv_downloads_hold_the_same_numbers_as_the_tables(client, people, history):
    assert csv_of(client, people.liaison_us, "sla_by_stage")[:3] == [
        ["stage", "met", "missed", "total", "percent_met"],
        ["Endorsement", "0", "0", "0", ""],
        ["Triage", "2", "1", "3", "66.7"],
    ]
    assert csv_of(client, people.liaison_us, "sla_by_month") == [
        ["month", "met", "missed", "total", "percent_met"],
        ["2026-03", "7", "1", "8", "87.5"],
        ["2026-04", "0", "0", "0", ""],
    ]
    assert csv_of(client, people.liaison_us, "time_by_stage")[2] == [
        "Triage",
        "3",
        "2.0",
        "3.6",
    ]
    trend = csv_of(client, people.liaison_us, "overdue_trend")
    assert trend[0] == ["week_ending", "overdue"]
    assert trend[5:8] == [["2026-03-12", "1"], ["2026-03-19", "0"], ["2026-03-26", "1"]]


def test_a_csv_download_is_an_attachment_of_type_text_csv(client, people, history):
    sign_in(client, people.liaison_us)
    response = client.get("/reports/", {**PERIOD, "format": "csv", "table": "open_by_rating"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="sosa-open_by_rating-2026-03-01-2026-04-30.csv"'
    )
    assert response.content.decode().splitlines() == ["rating,open", "DX,1", "DO,0", "Unrated,2"]


def test_the_page_links_each_table_to_its_csv_with_the_same_filters(client, people, history):
    html = page(client, people.liaison_us, nation="IN").content.decode()
    assert (
        "?start=2026-03-01&amp;end=2026-04-30&amp;nation=IN&amp;format=csv&amp;table=sla_by_stage"
        in html
    )


def test_an_unknown_csv_table_is_not_found(client, people):
    sign_in(client, people.liaison_us)
    assert client.get("/reports/", {"format": "csv", "table": "salaries"}).status_code == 404


# --- who sees what ------------------------------------------------------------------------------


def test_requester_gb_sees_none_of_the_india_us_data(client, people, history):
    response = page(client, people.requester_gb)
    tables = tables_of(response)
    for name in ("sla_by_stage", "sla_by_nation", "sla_by_month", "time_by_stage"):
        assert name not in tables  # empty states instead
    assert response.content.decode().count("No clock stopped in this period.") == 3
    assert tables["open_by_rating"][1:] == [["DX", "0"], ["DO", "0"], ["Unrated", "1"]]
    assert by_label(tables["open_by_state"])["Submitted"][-1] == "1"  # G
    assert max(int(row[1]) for row in tables["overdue_trend"][1:]) == 1
    assert csv_of(client, people.requester_gb, "sla_by_nation") == [
        ["nation", "met", "missed", "total", "percent_met"]
    ]
    nation_select = response.content.decode().split('name="nation"')[1].split("</select>")[0]
    nation_choices = re.findall(r'<option value="([A-Z]*)"', nation_select)
    assert nation_choices == ["", "GB", "US"]  # India is not even offered


def test_the_india_us_people_do_not_count_the_uk_request(client, people, history):
    tables = tables_of(page(client, people.requester_in))
    assert by_label(tables["open_by_state"])["Submitted"] == ["Submitted", "0", "0", "0", "0"]


def test_the_nation_filter_counts_requests_that_nation_files_or_answers(client, people, history):
    uk_only = tables_of(page(client, people.observer_us, nation="GB"))
    assert uk_only["open_by_rating"][1:] == [["DX", "0"], ["DO", "0"], ["Unrated", "1"]]
    assert "sla_by_stage" not in uk_only
    india = tables_of(page(client, people.observer_us, nation="IN"))
    assert india["open_by_rating"][1:] == [["DX", "1"], ["DO", "0"], ["Unrated", "2"]]
    assert india["sla_by_nation"][1][3] == "8"


def test_a_supplier_is_refused_politely(client, people, history):
    sign_in(client, people.supplier_us)
    response = client.get("/reports/")
    assert response.status_code == 403
    assert "Reports are for officials" in response.content.decode()
    csv_response = client.get("/reports/", {"format": "csv", "table": "open_by_state"})
    assert csv_response.status_code == 403


def test_reports_need_a_signed_in_user(client):
    response = client.get("/reports/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# --- filters and empty states -------------------------------------------------------------------


def test_without_filters_the_page_covers_the_last_six_months(client, people):
    with time_machine.travel(dt.datetime(2026, 11, 24, 15, tzinfo=UTC)):
        sign_in(client, people.liaison_us)
        html = client.get("/reports/").content.decode()
    assert 'value="2026-06-01"' in html and 'value="2026-11-24"' in html
    assert "Period Mon 1 Jun 2026 to Tue 24 Nov 2026" in html  # the date-only format


def test_with_no_data_every_section_says_so_and_offers_no_download(client, people):
    response = page(client, people.liaison_us)
    html = response.content.decode()
    assert "No clock stopped in this period." in html
    assert "No stage finished in this period." in html
    assert "No open requests." in html
    assert "No request was overdue at the end of any of these weeks." in html
    assert "<svg" not in html.split("</header>", 1)[1]
    assert "format=csv" not in html


def test_an_end_before_the_start_is_explained_not_computed(client, people):
    sign_in(client, people.liaison_us)
    response = client.get("/reports/", {"start": "2026-04-30", "end": "2026-03-01"})
    html = response.content.decode()
    assert response.status_code == 400  # the page, with the reason beside the field
    assert "The end date must not be before the start date." in html
    assert 'aria-invalid="true"' in html
    bad_csv = client.get(
        "/reports/",
        {"start": "2026-04-30", "end": "2026-03-01", "format": "csv", "table": "sla_by_stage"},
    )
    assert bad_csv.status_code == 400
    assert bad_csv.content.decode() == "end: The end date must not be before the start date."


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_a_date_at_the_edge_of_the_calendar_is_a_400_naming_it(client, people, day):
    sign_in(client, people.liaison_us)
    page = client.get("/reports/", {"start": "2026-01-01", "end": day})
    csv = client.get("/reports/", {"end": day, "format": "csv", "table": "sla_by_stage"})
    assert page.status_code == 400
    assert "Enter a date between 2000-01-01 and 2099-12-31." in page.content.decode()
    assert csv.status_code == 400 and csv.content.decode().startswith("end: Enter a date")


def test_withdrawn_stages_count_neither_as_met_nor_missed(client, people):
    request = services.submit(
        f.draft(people.requester_in, people.us), by=people.requester_in, now=at(9)
    )
    services.withdraw(request, by=people.requester_in, reason="No longer needed.", now=at(20))
    assert Clock.objects.get(request=request).stop_reason == "withdraw"
    html = page(client, people.liaison_us).content.decode()
    assert "No clock stopped in this period." in html


# --- bounded queries ----------------------------------------------------------------------------

# The tables: 3 SLA, 4 for time per stage and route (clocks, item clocks per request, their
# nations, their closures),
# 1 open requests, 1 overdue trend, 1 on-time delivery by item. The page adds 11: the session
# (read and saved), the user, the second factor, profile, role, served nations, the nation filter
# and the unread count.
PAGE_QUERIES = 21
TABLE_QUERIES = 10


def _requests(make_request, count: int) -> None:
    states = ["submitted", "in_review", "approved", "with_supplier", "accepted"]
    for index in range(count):
        make_request(states[index % len(states)], now=at(2 + index % 20))


@pytest.mark.parametrize("count", [5, 25])
def test_the_tables_take_the_same_few_queries_for_5_or_25_requests(
    people, make_request, django_assert_max_num_queries, count
):
    _requests(make_request, count)
    period = reports.Period(dt.date(2026, 3, 1), dt.date(2026, 4, 30), UTC)
    scope = reports.Scope(reports.scoped_requests(people.liaison_us), period, at(24, month=11))
    with django_assert_max_num_queries(TABLE_QUERIES):
        tables = reports.all_tables(scope)
    assert sum(tables[0].values("total")) == Clock.objects.filter(stopped_at__isnull=False).count()


@pytest.mark.parametrize("count", [5, 25])
def test_the_page_takes_the_same_bounded_queries_for_5_or_25_requests(
    client, people, make_request, django_assert_max_num_queries, count
):
    _requests(make_request, count)
    sign_in(client, people.liaison_us)
    with django_assert_max_num_queries(PAGE_QUERIES):
        response = client.get("/reports/", PERIOD)
    assert tables_of(response)["sla_by_nation"][1][3] == str(
        Clock.objects.filter(stopped_at__isnull=False).count()
    )


def test_turnaround_by_route_shows_each_key_and_the_endorsement(client, people, history):
    rows = tables_of(page(client, people.liaison_us))["time_by_route"]
    assert rows[0] == [
        "Route",
        "Stage",
        "Stages finished",
        "Median (working days)",
        "90th percentile (working days)",
    ]
    assert rows[1:] == [
        ["DPAS", "Endorsement", "0", "—", "—"],
        ["DPAS", "Triage", "3", "2", "3.6"],
        ["DPAS", "Requester answer", "1", "4", "4"],
        ["DPAS", "Determination", "1", "1", "1"],
        ["DPAS", "Rating authorisation", "1", "1", "1"],
        ["DPAS", "Forward to supplier", "1", "1", "1"],
        ["DPAS", "Supplier response", "1", "3", "3"],
        ["DPAS", "Delivery", "0", "—", "—"],
        ["Code of Conduct", "Endorsement", "0", "—", "—"],
        ["Code of Conduct", "Triage", "0", "—", "—"],
        ["Code of Conduct", "Requester answer", "0", "—", "—"],
        ["Code of Conduct", "Review", "0", "—", "—"],
        ["Code of Conduct", "Forward to supplier", "0", "—", "—"],
        ["Code of Conduct", "Supplier response", "0", "—", "—"],
        ["Code of Conduct", "Delivery", "0", "—", "—"],
    ]


def test_the_route_filter_counts_only_that_routes_requests(client, people, history):
    conduct = tables_of(page(client, people.liaison_us, route="code_of_conduct"))
    dpas = tables_of(page(client, people.liaison_us, route="dpas"))

    assert "sla_by_stage" not in conduct  # nothing of the India→US history runs that route
    assert "time_by_route" not in conduct and "open_by_state" not in conduct
    assert dpas["sla_by_nation"][1:] == [["United States", "7", "1", "8", "87.5%"]]
    html = page(client, people.liaison_us, route="dpas").content.decode()
    assert '<option value="dpas" selected>DPAS</option>' in html
    assert "&amp;route=dpas&amp;format=csv" in html


# --- on-time delivery by item -----------------------------------------------------------------


THREE_ITEMS = (("Gear actuator", 6), ("Mounting bracket", 2), ("Seal kit", 12))


def accepted_three_items(make_request, people, committed: list[dt.date]):
    """A DPAS request whose three items (actuator, bracket, seal kit) the US supplier accepted on
    Mon 2 Mar, each for its own committed date; returns the request and its items."""
    with time_machine.travel(at(2), tick=False):
        request = make_request(
            "with_supplier",
            items=[f.item(description=name, quantity=qty) for name, qty in THREE_ITEMS],
        )
        items = list(request.items.order_by("id"))
        services.supplier_accept(
            request,
            by=people.supplier_us,
            items=[
                {"id": item.pk, "committed_delivery_date": day}
                for item, day in zip(items, committed, strict=True)
            ],
            rejected_items=[],
        )
    return request, items


def deliver(request, people, day: int, item, quantity: int) -> None:
    """The requester records `quantity` of `item` delivered on `day` March, that day."""
    with time_machine.travel(at(day), tick=False):
        services.record_delivery(
            request,
            by=people.requester_in,
            item=item.pk,
            quantity=quantity,
            delivered_on=dt.date(2026, 3, day),
        )


def test_on_time_delivery_by_item_counts_each_item_by_its_own_committed_date(
    client, people, make_request
):
    """Three items accepted in March: the actuator due 20 Mar arrives in two parts, the last on
    18 Mar (on time); the bracket due 10 Mar arrives 12 Mar (late); the seal kit due 30 Apr is
    still on its way (not counted)."""
    request, (actuator, bracket, _seals) = accepted_three_items(
        make_request, people, [dt.date(2026, 3, 20), dt.date(2026, 3, 10), dt.date(2026, 4, 30)]
    )
    for day, item, quantity in [(9, actuator, 4), (12, bracket, 2), (18, actuator, 2)]:
        deliver(request, people, day, item, quantity)

    rows = csv_of(client, people.liaison_us, "delivery_by_item")

    assert rows == [
        ["nation", "route", "rating", "on_time", "late", "total", "percent_on_time"],
        ["United States", "DPAS", "DX", "1", "1", "2", "50.0"],
    ]
    # The page draws it (this table once crashed the page: it fell through to the trend chart).
    chart = svg_of(page(client, people.liaison_us), "delivery_by_item")
    assert "United States · DPAS · DX" in chart and "1 of 2 on time" in chart


def test_delivery_counts_once_per_request_from_acceptance_to_the_last_item_in(
    client, people, make_request
):
    """Three items accepted on Mon 2 Mar, each with its own delivery clock: while the seal kit is
    still owed the request's delivery has not finished; when it arrives on Fri 27 Mar the stage
    counts once, 19 US working days, not three times."""
    request, (actuator, bracket, seals) = accepted_three_items(
        make_request, people, [dt.date(2026, 4, 30)] * 3
    )

    def delivery_row() -> list[str]:
        return tables_of(page(client, people.liaison_us))["time_by_stage"][-1]

    deliver(request, people, 9, actuator, 6)
    deliver(request, people, 12, bracket, 2)
    assert delivery_row() == ["Delivery", "0", "—", "—"]

    deliver(request, people, 27, seals, 12)
    assert delivery_row() == ["Delivery", "1", "19", "19"]
    assert Clock.objects.filter(request=request, item__isnull=False).count() == 3
