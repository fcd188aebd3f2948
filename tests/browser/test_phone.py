"""Phones (issue 16 point 9), at 390px: list and queue rows are cards (reference, title, state and
the working days left), the filters and the queue's views fold behind a button that counts the
filters in use, and the report charts shrink to the screen: nothing scrolls sideways."""

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from .test_story import person

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
DAYS_LEFT = re.compile(r"\d+ working days? left")


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def assert_rows_are_cards(page, count: int) -> None:
    """Each row spans the list's width and shows its reference, title, state and time left;
    the header row is hidden."""
    expect(page.locator("table.table--cards thead")).to_be_hidden()
    rows = page.locator("table.table--cards tbody tr")
    expect(rows).to_have_count(count)
    list_box = page.locator(".table-wrap").bounding_box()
    for index in range(count):
        row = rows.nth(index)
        box = row.bounding_box()
        assert box["x"] - list_box["x"] <= 2 and box["width"] >= list_box["width"] - 4, box
        reference, title = row.locator(".cell--ref"), row.locator(".cell--title")
        expect(reference).to_be_visible()
        expect(row.locator(".cell--state .badge")).to_be_visible()
        expect(row.locator(".cell--due")).to_contain_text(DAYS_LEFT)
        # The title has a line of its own, under the reference.
        assert title.bounding_box()["y"] >= reference.bounding_box()["y"] + 10
    assert page_width(page) <= PHONE["width"]


def test_the_request_list_is_cards_with_the_filters_behind_a_button(
    live_server, browser, people, make_request
):
    for title in ("Valves for the Tejas fleet", "Valves for the Jaguar fleet"):
        make_request("submitted", title=title)
    make_request("with_supplier", title="Gyroscopes")
    page = person(browser, live_server.url, "requester.in", viewport=PHONE, is_mobile=True)

    page.goto(f"{live_server.url}/requests/?q=Valves&state=submitted")

    assert_rows_are_cards(page, 2)
    toggle = page.locator("summary[data-filters-toggle]")
    expect(toggle).to_have_text(re.compile(r"^Filters \(2\)"))
    expect(page.locator("#f-q")).to_be_hidden()
    toggle.click()
    expect(page.locator("#f-q")).to_have_value("Valves")
    expect(page.locator("#f-state")).to_have_value("submitted")

    # Without filters the button has no count; at a desk the filters show without it.
    page.goto(f"{live_server.url}/requests/")
    expect(toggle).to_have_text(re.compile(r"^Filters\W*$"))
    assert_rows_are_cards(page, 3)
    page.set_viewport_size({"width": 1366, "height": 900})
    expect(toggle).to_be_hidden()
    expect(page.locator("#f-q")).to_be_visible()
    expect(page.locator("table.table--cards thead")).to_be_visible()
    page.context.close()


def test_the_queue_is_cards_with_its_views_and_filters_folded(
    live_server, browser, people, make_request
):
    for number in range(3):
        make_request("submitted", title=f"Valves {number}")
    device = TOTPDevice.objects.create(user=people.liaison_us, name="app", confirmed=True)
    page = person(browser, live_server.url, "liaison.us", device, viewport=PHONE, is_mobile=True)

    page.goto(f"{live_server.url}/queue/?overdue=false")

    assert_rows_are_cards(page, 3)
    expect(page.locator("summary[data-filters-toggle]")).to_have_text(re.compile(r"^Filters \(1\)"))
    views = page.get_by_role("navigation", name="Queue views")
    all_open = views.get_by_role("link", name="All open 3")
    expect(all_open).to_be_hidden()
    views.locator("summary[data-views-toggle]").click()
    all_open.click()
    expect(page).to_have_url(re.compile(r"/queue/\?view=all"))
    assert_rows_are_cards(page, 3)
    # A tick box for each row the officer may assign, beside its reference.
    ticks = page.locator('input[name="references"]')
    expect(ticks).to_have_count(3)
    first = page.locator("tbody tr").first
    assert (
        first.locator(".cell--pick").bounding_box()["x"]
        < first.locator(".cell--ref").bounding_box()["x"]
    )
    page.context.close()


def test_the_report_charts_fit_a_phone(live_server, browser, people, make_request):
    make_request("accepted", title="Gyroscopes")
    make_request("with_supplier", title="Valves")
    page = person(browser, live_server.url, "requester.in", viewport=PHONE, is_mobile=True)

    page.goto(f"{live_server.url}/reports/")

    charts = page.locator("figure.chart svg")
    expect(charts.first).to_be_visible()
    assert charts.count() >= 3
    for index in range(charts.count()):
        box = charts.nth(index).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    assert page_width(page) <= PHONE["width"]
    page.context.close()
