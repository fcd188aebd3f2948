"""The language switch in a real browser (issue 16 point 10): a signed-in person switches to
Hindi in the header, the page and the next ones are in Hindi with lang="hi", and English comes
back the same way; at a phone's width the switch fits the header."""

import pytest
from playwright.sync_api import expect

from tests.i18n.catalogue import ensure_compiled

from .test_story import person

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _compiled_catalogue():
    ensure_compiled()


def test_a_person_switches_to_hindi_follows_a_link_and_switches_back(live_server, browser, people):
    page = person(browser, live_server.url, "requester.in")
    switch = page.get_by_role("group", name="Language")
    expect(switch.get_by_role("button", name="English")).to_have_attribute("aria-pressed", "true")

    switch.get_by_role("button", name="हिन्दी").click()

    expect(page.locator("html")).to_have_attribute("lang", "hi")
    expect(page.get_by_role("heading", level=1)).to_contain_text("स्वागत है")
    expect(page.get_by_role("button", name="साइन आउट")).to_be_visible()
    page.get_by_role("navigation", name="मुख्य").get_by_role("link", name="अनुरोध", exact=True).click()

    expect(page).to_have_url(f"{live_server.url}/requests/")
    expect(page.locator("html")).to_have_attribute("lang", "hi")
    expect(page.get_by_role("heading", level=1)).to_have_text("अनुरोध")
    switch = page.get_by_role("group", name="भाषा / Language")
    expect(switch.get_by_role("button", name="हिन्दी")).to_have_attribute("aria-pressed", "true")

    switch.get_by_role("button", name="English").click()

    expect(page).to_have_url(f"{live_server.url}/requests/")  # back on the same page
    expect(page.locator("html")).to_have_attribute("lang", "en-gb")
    expect(page.get_by_role("heading", level=1)).to_have_text("Requests")
    page.context.close()


def test_the_switch_works_by_keyboard_and_fits_a_phone_on_the_sign_in_page(live_server, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    hindi = page.get_by_role("button", name="हिन्दी")
    expect(hindi).to_be_visible()

    hindi.focus()
    outline = hindi.evaluate("b => getComputedStyle(b).outlineStyle")
    page.keyboard.press("Enter")

    assert outline != "none"
    expect(page.locator("html")).to_have_attribute("lang", "hi")
    expect(page.get_by_role("heading", level=1)).to_have_text("साइन इन")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()
