"""Basic accessibility checks on the main pages, in the browser: labels, names, headings, keys."""

import pytest
from playwright.sync_api import expect

from tests.helpers import PASSWORD, sign_in_page

pytestmark = pytest.mark.django_db(transaction=True)

# Controls without an accessible name, images without alt, and the page's h1 count.
AUDIT = """() => {
  const visible = el => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
  const named = el => {
    if (el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')) return true;
    if (el.id && document.querySelector(`label[for="${CSS.escape(el.id)}"]`)) return true;
    if (el.closest('label')) return true;
    if (el.tagName === 'BUTTON') return el.textContent.trim().length > 0;
    return !!el.getAttribute('title');
  };
  const controls = [...document.querySelectorAll(
    'input:not([type=hidden]), select, textarea, button')].filter(visible);
  return {
    unnamed: controls.filter(el => !named(el)).map(el => el.outerHTML.slice(0, 120)),
    no_alt: [...document.querySelectorAll('img:not([alt])')].map(el => el.outerHTML),
    h1: document.querySelectorAll('h1').length,
    lang: document.documentElement.lang,
    title: document.title,
  };
}"""


def test_main_pages_have_labels_alt_texts_one_heading_and_a_language(
    live_server, page, people, make_request
):
    request = make_request("with_supplier")
    for path in ("/help/", "/accounts/login/"):  # signed out
        page.goto(f"{live_server.url}{path}")
        report = page.evaluate(AUDIT)
        assert report["unnamed"] == [] and report["lang"], path
        assert report["no_alt"] == [] and report["h1"] == 1, path
    page.fill("#id_username", "requester.in")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".site-user")).to_contain_text("requester.in")
    for path in (
        "/",
        "/requests/",
        "/requests/new/",
        f"/requests/{request.reference}/",
        "/reports/",
        "/notifications/",
        "/account/tokens/",
        "/help/",
    ):
        page.goto(f"{live_server.url}{path}")
        report = page.evaluate(AUDIT)
        assert report["unnamed"] == [], f"{path}: controls without a label {report['unnamed']}"
        assert report["no_alt"] == [], f"{path}: images without alt {report['no_alt']}"
        assert report["h1"] == 1, f"{path}: {report['h1']} h1 headings"
        assert report["lang"] == "en-gb" or report["lang"].startswith("en"), path
        assert "SOSA Portal" in report["title"], path


def test_the_skip_link_is_the_first_stop_for_keyboard_users(live_server, page, people):
    sign_in_page(page, live_server.url, "requester.in")
    expect(page.locator(".site-user")).to_contain_text("requester.in")
    # The home page has no autofocus field (the sign-in form does): a fresh load starts at the top.
    page.goto(f"{live_server.url}/requests/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_the_help_fits_a_phone_and_a_hint_takes_the_keyboard(live_server, browser, people):
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = phone.new_page()
    page.goto(f"{live_server.url}/help/#nsn")
    expect(page.locator("#nsn h3")).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the help page is {overflow}px wider than the phone"
    phone.close()

    desk = browser.new_context(viewport={"width": 1366, "height": 900})
    page = desk.new_page()
    sign_in_page(page, live_server.url, "requester.in")
    expect(page.locator(".site-user")).to_contain_text("requester.in")
    page.goto(f"{live_server.url}/requests/new/")
    part_number = page.locator("[data-formset-list] input[name$='-part_number']").first
    part_number.focus()
    page.keyboard.press("Tab")  # the NSN's "What is this?" comes before its input
    focused = page.evaluate(
        "(() => { const el = document.activeElement;"
        " return [el.dataset.hint, getComputedStyle(el).outlineStyle]; })()"
    )
    assert focused == ["nsn", "solid"]
    size = page.locator(".hint[data-hint='nsn']").first.bounding_box()
    assert size["width"] >= 24 and size["height"] >= 24  # WCAG 2.2 target size (minimum)
    desk.close()
