"""The queue in a real browser (issue 16 point 2): liaison.us opens it and the first row is
work for the US; a column sorts by a click, with the order in the URL; select-all ticks every
request the officer may assign; a saved view appears in the side list with its count; "Next
in queue" on a request page opens the next request that needs the US."""

import datetime as dt

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from requests_app.models import PriorityRequest

from .test_story import person

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_queue_puts_the_us_officers_own_work_first(
    live_server, browser, people, make_request, make_coc_request
):
    base = live_server.url
    device = TOTPDevice.objects.create(user=people.liaison_us, name="app", confirmed=True)
    calm = make_request("in_review", title="Calm review with the DoD")  # the DoD's move, on time
    make_coc_request("submitted", title="India triages this one")  # India's move
    to_triage = [make_request("submitted", title=f"Valves {n}") for n in range(3)]
    PriorityRequest.objects.filter(pk=to_triage[2].pk).update(
        due_at=dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)
    )
    page = person(browser, base, "liaison.us", device)

    page.goto(f"{base}/queue/")

    expect(page.get_by_role("heading", level=1)).to_contain_text("Needs us now")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.first).to_have_attribute("data-reference", to_triage[2].reference)
    for n in range(3):
        expect(rows.nth(n)).to_contain_text("Submitted")
    views = page.get_by_role("navigation", name="Queue views")
    expect(views.get_by_role("link", name="Needs us now 3")).to_have_attribute(
        "aria-current", "page"
    )

    # Select-all ticks every request the officer may assign, and unticks them.
    page.locator("#pick-all").check()
    expect(page.locator('input[name="references"]:checked')).to_have_count(3)
    page.locator("#pick-all").uncheck()
    expect(page.locator('input[name="references"]:checked')).to_have_count(0)

    # All open requests, sorted by the Due column: the order is in the URL.
    views.get_by_role("link", name="All open 5").click()
    page.get_by_role("link", name="Due", exact=True).click()
    expect(page).to_have_url(f"{base}/queue/?view=all&sort=due_at")
    expect(page.locator('th[aria-sort="ascending"]')).to_contain_text("Due")

    # Saved as a view of one's own, listed with its count.
    page.fill("#id_view_name", "Everything by due time")
    page.get_by_role("button", name="Save view").click()
    expect(page.locator(".messages")).to_contain_text("View “Everything by due time” saved.")
    expect(views.get_by_role("link", name="Everything by due time 5")).to_have_attribute(
        "aria-current", "page"
    )

    # From a request page, "Next in queue" opens the next request that needs the US.
    page.goto(f"{base}/requests/{to_triage[2].reference}/")
    page.get_by_role("link", name="Next in queue →").click()
    expect(page.locator(".request-reference")).not_to_have_text(calm.reference)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Valves")
