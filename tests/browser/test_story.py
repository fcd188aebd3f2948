"""The whole story in a real browser, one browser context per person (DESIGN §4, issue 5).

requester.in files a request with two items and an attachment and submits; liaison.in endorses
it for India; liaison.us triages and assigns reviewer.us; reviewer.us (DoD) makes the program
determination, DX-G2; authority.us (Commerce BIS) authorises it under a BIS case number;
liaison.us forwards to a supplier; supplier.us accepts with a date; liaison.us records delivery;
requester.in sees it resolved; requester.gb gets a not-found page. Screenshots of the main pages
go to docs/screenshots/.
"""

import datetime as dt
import os
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from requests_app.models import PriorityRequest, RequestItem
from tests.helpers import sign_in_page, us_working_day
from tests.i18n.catalogue import ensure_compiled

pytestmark = pytest.mark.django_db(transaction=True)
# `make screenshots` refreshes docs/screenshots/; ordinary runs keep the tree clean.
SHOTS = (
    Path(__file__).resolve().parents[2] / "docs" / "screenshots"
    if os.environ.get("SOSA_SCREENSHOTS") == "1"
    else Path(tempfile.gettempdir()) / "sosa-screenshots"
)
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def shot(page, name: str, *, full_page: bool = True) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)


def current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():06d}"


def person(
    browser, base_url: str, username: str, device: TOTPDevice | None = None, **context_options
):
    """A browser context signed in as `username` (with the second factor when enrolled);
    `context_options` go to `browser.new_context` (a viewport of 1280×900 unless given)."""
    context = browser.new_context(**{"viewport": {"width": 1280, "height": 900}, **context_options})
    page = context.new_page()
    sign_in_page(page, base_url, username)
    if device is not None:
        expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
        page.fill("#id_code", current_code(device))
        page.get_by_role("button", name="Verify").click()
    expect(page.locator(".site-user")).to_contain_text(username)
    return page


def act(page, label: str, fields: dict | None = None, choices: dict | None = None) -> None:
    """Open an action's panel on the request page, fill it, and press its button.

    `choices` maps a select to the `select_option` keywords (value=…, label=…)."""
    panel = page.locator("details.action", has=page.locator("summary", has_text=label))
    panel.locator("summary").click()
    for selector, value in (fields or {}).items():
        panel.locator(selector).fill(value)
    for selector, option in (choices or {}).items():
        panel.locator(selector).select_option(**option)
    panel.get_by_role("button", name=label).click()


def test_a_request_goes_from_filing_to_delivery_in_the_browser(
    live_server, browser, people, settings
):
    base = live_server.url
    people.india.requires_endorsement = True  # as in the demo: India endorses its requests
    people.india.save()
    devices = {
        name: TOTPDevice.objects.create(user=getattr(people, attr), name="app", confirmed=True)
        for name, attr in (
            ("liaison.in", "liaison_in"),
            ("liaison.us", "liaison_us"),
            ("reviewer.us", "reviewer_us"),
            ("authority.us", "authority_us"),
        )
    }

    # 1. requester.in files a request with three items and an attachment, then submits it.
    requester = person(browser, base, "requester.in")
    shot(requester, "home-requester")
    requester.goto(f"{base}/requests/new/")
    requester.fill("#id_title", "Gyroscopes for the Tejas fleet")
    requester.select_option("#id_responding_nation", label="United States (US)")
    requester.fill("#id_justification", "Four aircraft grounded without spare gyroscopes.")
    needed = (dt.date.today() + dt.timedelta(days=120)).isoformat()
    requester.fill("#id_required_delivery_date", needed)
    requester.fill("#id_contract_number", "W58RGZ-26-C-0042")
    requester.fill("#id_items-0-description", "Gyroscope assembly")
    requester.fill("#id_items-0-part_number", "GY-200")
    requester.fill("#id_items-0-quantity", "4")
    requester.get_by_role("button", name="+ Add another item").click()  # no page reload
    requester.fill("#id_items-1-description", "Mounting bracket")
    requester.fill("#id_items-1-quantity", "8")
    requester.get_by_role("button", name="+ Add another item").click()
    requester.fill("#id_items-2-description", "Seal kit")
    requester.fill("#id_items-2-quantity", "12")
    requester.set_input_files(
        "#id_attachments",
        files=[{"name": "purchase-order.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    # A full-page shot resizes headless Chromium's view and the next click misses: not here.
    shot(requester, "new-request", full_page=False)
    requester.get_by_role("button", name="Continue to check and send").click()
    # "Check your answers": what the partner will read, then the button that sends it.
    expect(
        requester.get_by_role("heading", name="Check your answers before sending")
    ).to_be_visible()
    expect(requester.locator("main")).to_contain_text("W58RGZ-26-C-0042")
    requester.locator("[data-send]").click()
    expect(requester.locator(".messages")).to_contain_text("IN-")
    reference = PriorityRequest.objects.get(title="Gyroscopes for the Tejas fleet").reference
    expect(requester.locator("main")).to_contain_text(reference)
    expect(requester.locator("main")).to_contain_text("purchase-order.pdf")
    expect(requester.locator("main")).to_contain_text("Mounting bracket")
    expect(requester.locator("main")).to_contain_text("Awaiting endorsement")
    page_of = f"{base}/requests/{reference}/"

    # 2. Until India endorses it, the US cannot see it; liaison.in endorses it.
    liaison = person(browser, base, "liaison.us", devices["liaison.us"])
    assert liaison.goto(page_of).status == 404
    endorser = person(browser, base, "liaison.in", devices["liaison.in"])
    endorser.goto(page_of)
    expect(endorser.locator("main")).to_contain_text("India's liaison officer — endorsement")
    act(endorser, "Endorse for the partner nation", fields={"textarea": "India's MoD needs it."})
    expect(endorser.locator(".messages")).to_contain_text("done")
    expect(endorser.locator("main")).to_contain_text("Submitted")

    # 3. liaison.us finds it in the queue, triages it and assigns reviewer.us.
    liaison.goto(f"{base}/queue/")
    expect(liaison.locator("main")).to_contain_text(reference)
    shot(liaison, "queue")
    liaison.goto(page_of)
    act(
        liaison,
        "Accept for review and assign",
        choices={"select": {"value": str(people.reviewer_us.pk)}},
    )
    expect(liaison.locator("main")).to_contain_text("In review")

    # 4. reviewer.us (DoD) makes the program determination: DX, G2.
    reviewer = person(browser, base, "reviewer.us", devices["reviewer.us"])
    reviewer.goto(page_of)
    act(
        reviewer,
        "Make the program determination",
        fields={"textarea": "A foreign government's direct defence need."},
        choices={
            "#id_determine_rating": {"value": "DX"},
            "#id_determine_program_symbol": {"value": "G2"},
        },
    )
    expect(reviewer.locator("main")).to_contain_text("Awaiting rating authorisation")
    # The assignee follows the stage: Commerce's only authoriser holds it now.
    expect(reviewer.locator("main")).to_contain_text(
        "United States' Commerce (BIS) (authority.us) — rating authorisation"
    )

    # 5. authority.us (Commerce BIS) authorises the rating under its case number.
    authority = person(browser, base, "authority.us", devices["authority.us"])
    authority.goto(page_of)
    act(
        authority,
        "Authorise the rating",
        fields={"#id_authorise_bis_case_number": "BIS-26-0107", "#id_authorise_note": "As asked."},
    )
    expect(authority.locator("main")).to_contain_text("DX-G2")
    expect(authority.locator("main")).to_contain_text("BIS-26-0107")
    shot(authority, "request-authorised")

    # 6. liaison.us forwards it to the supplier.
    liaison.goto(page_of)
    act(
        liaison,
        "Forward to a supplier",
        choices={"select": {"value": str(people.company_us.pk)}},
    )
    expect(liaison.locator("main")).to_contain_text("With supplier")
    shot(liaison, "request-with-supplier")

    # 7. supplier.us accepts the gyroscopes and brackets by one date and rejects the seal kits.
    gyros, brackets, seals = RequestItem.objects.filter(request__reference=reference).order_by("id")
    supplier = person(browser, base, "supplier.us")
    shot(supplier, "home-supplier")
    supplier.goto(page_of)
    committed = us_working_day(90).isoformat()
    act(
        supplier,
        "Accept the order",
        fields={
            "#id_supplier_accept_committed_delivery_date": committed,
            f"#id_supplier_accept_item_{seals.pk}_reason": "No seal capacity this year.",
        },
        choices={f"#id_supplier_accept_item_{seals.pk}_answer": {"value": "rejected"}},
    )
    expect(supplier.locator("main")).to_contain_text("Accepted")
    expect(supplier.locator("#items")).to_contain_text("Rejected: No seal capacity this year.")
    expect(supplier.locator("#items")).to_contain_text("0 of 2 items delivered")

    # 7a. liaison.us splits the seal kits into a follow-on request and forwards it at once.
    liaison.goto(page_of)
    act(liaison, "Split the rejected items into a follow-on request")
    expect(liaison.locator(".messages")).to_contain_text("Follow-on request")
    expect(liaison.locator("#links")).to_contain_text(f"Follow-on of {reference}")
    follow_on = liaison.url
    act(
        liaison,
        "Forward to a supplier",
        choices={"select": {"value": str(people.company_us_other.pk)}},
    )
    expect(liaison.locator("main")).to_contain_text("With supplier")

    # 8. The gyroscopes arrive in two parts and the brackets at once: three deliveries, by the
    # requester, the supplier and the liaison officer. A delivery is judged in the requesting
    # nation, where it arrives: today in Delhi.
    today_in_delhi = timezone.localdate(timezone=ZoneInfo("Asia/Kolkata")).isoformat()
    for who, item, quantity in [
        (requester, gyros, "2"),
        (supplier, brackets, "8"),
        (liaison, gyros, "2"),
    ]:
        who.goto(page_of)
        act(
            who,
            "Record a delivery",
            fields={
                "#id_record_delivery_quantity": quantity,
                "#id_record_delivery_delivered_on": today_in_delhi,
            },
            choices={"#id_record_delivery_item": {"value": str(item.pk)}},
        )
        expect(who.locator(".messages")).to_contain_text("done")
        if who is requester:
            expect(who.locator("#items")).to_contain_text("2 of 4 each")
            shot(requester, "request-partly-delivered")
    expect(liaison.locator("main")).to_contain_text("Resolved")
    liaison.goto(follow_on)
    expect(liaison.locator("main")).to_contain_text("With supplier")
    expect(liaison.locator("main")).to_contain_text("Supplier response")

    # 9. requester.in sees it resolved and fulfilled, with the whole timeline.
    requester.goto(page_of)
    expect(requester.locator("main")).to_contain_text("Fulfilled")
    expect(requester.locator(".timeline")).to_contain_text("reviewer.us")
    expect(requester.locator(".timeline")).to_contain_text("authority.us")
    expect(requester.locator(".timeline")).to_contain_text("liaison.in")
    shot(requester, "request-resolved")
    requester.goto(f"{base}/reports/")
    shot(requester, "reports")

    # 10. requester.gb is told there is nothing there.
    outsider = person(browser, base, "requester.gb")
    response = outsider.goto(page_of)
    assert response.status == 404
    expect(outsider.locator("main")).to_contain_text("There is nothing here")
    expect(outsider.locator("main")).not_to_contain_text("Gyroscopes")

    request = PriorityRequest.objects.get(reference=reference)
    assert request.state == "resolved" and request.resolution == "fulfilled"
    assert request.rating_display == "DX-G2" and request.items.count() == 2  # one split off
    assert (request.bis_case_number, request.endorsed_by, request.approved_by) == (
        "BIS-26-0107",
        people.liaison_in,
        people.authority_us,
    )
    assert request.attachments.get().name == "purchase-order.pdf"


def test_pages_fit_a_phone_screen(live_server, browser, people, make_request):
    request = make_request("with_supplier")
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    sign_in_page(page, live_server.url, "requester.in")
    page.goto(f"{live_server.url}/requests/{request.reference}/")
    expect(page.locator("main")).to_contain_text(request.reference)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the page is {overflow}px wider than the phone"
    shot(page, "request-phone")
    context.close()

    # The liaison officer's queue on a phone: each row a card, the filters folded.
    make_request("submitted", title="Seal kits for the Arjun tanks")
    device = TOTPDevice.objects.create(user=people.liaison_us, name="app", confirmed=True)
    phone = {"viewport": {"width": 390, "height": 844}, "is_mobile": True}
    liaison = person(browser, live_server.url, "liaison.us", device, **phone)
    liaison.goto(f"{live_server.url}/queue/")
    cards = liaison.locator("table.table--cards tbody tr")
    expect(cards.first).to_be_visible()
    assert cards.first.evaluate("row => getComputedStyle(row).display") != "table-row"
    overflow = liaison.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the queue is {overflow}px wider than the phone"
    shot(liaison, "queue-phone")
    liaison.context.close()


def test_the_pages_read_in_hindi(live_server, browser, people, make_request):
    """The README's Hindi screenshots: a request page and the queue after the switch."""
    ensure_compiled()
    request = make_request("with_supplier")
    requester = person(browser, live_server.url, "requester.in")
    requester.get_by_role("group", name="Language").get_by_role("button", name="हिन्दी").click()
    expect(requester.locator("html")).to_have_attribute("lang", "hi")
    requester.goto(f"{live_server.url}/requests/{request.reference}/")
    expect(requester.locator("main")).to_contain_text(request.reference)
    expect(requester.locator("main")).to_contain_text("आपूर्तिकर्ता")  # "supplier"
    shot(requester, "request-hindi")
    requester.context.close()

    waiting = make_request("submitted", title="Seal kits for the Arjun tanks")
    device = TOTPDevice.objects.create(user=people.liaison_us, name="app", confirmed=True)
    liaison = person(browser, live_server.url, "liaison.us", device)
    liaison.get_by_role("group", name="Language").get_by_role("button", name="हिन्दी").click()
    liaison.goto(f"{live_server.url}/queue/")
    expect(liaison.locator("html")).to_have_attribute("lang", "hi")
    expect(liaison.locator("main")).to_contain_text(waiting.reference)  # work for the US
    expect(liaison.get_by_role("heading", level=1)).not_to_have_text("Queue")
    shot(liaison, "queue-hindi")
    liaison.context.close()
