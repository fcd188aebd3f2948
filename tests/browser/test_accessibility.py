"""Accessibility in the browser: axe-core's WCAG 2.2 AA sweep of every main page of every role
at a desk and a phone width (issue 16), then our own checks: labels, names, headings, keys."""

import datetime as dt
from pathlib import Path

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from partners.accounts.invitations import invite_path, issue_invitation
from requests_app.models import PriorityRequest
from tests.helpers import PASSWORD, sign_in_page

from .test_story import person
from .test_two_factor import code_for

pytestmark = pytest.mark.django_db(transaction=True)

# Installed by `make test` (`npm ci`, package-lock.json); without it the sweep fails, never skips.
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
RUN_AXE = """async tags => {
  const result = await axe.run(document, {
    runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'],
  });
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map(n => n.target.join(' ')),
  }));
}"""
DESK, PHONE = {"width": 1366, "height": 900}, {"width": 390, "height": 844}
# Every role's main pages ("{request}" is a request each of them may read), beyond those all share.
EVERYONE = (
    "/",
    "/requests/",
    "{request}",
    "/arrangements/",
    "/notifications/",
    "/notifications/settings/",
    "/account/tokens/",
)
ROLES = {
    "requester.in": ("/requests/new/", "/reports/", "/suppliers/", "/help/"),
    "liaison.us": ("/queue/", "/queue/?view=all", "/reports/", "/suppliers/", "/help/"),
    "reviewer.us": ("/reports/", "/suppliers/", "/help/"),
    "supplier.us": ("/help/",),
    "observer.us": ("/reports/", "/suppliers/", "/help/"),
}
SIGNED_OUT = ("/accounts/login/", "/help/")


def axe_violations(page, url: str) -> list[str]:
    """axe-core's WCAG A/AA violations of the page at `url`, at the desk and the phone width."""
    response = page.goto(url)
    assert response is not None and response.ok, f"{url}: {response and response.status}"
    return axe_here(page, url)


def axe_here(page, label: str) -> list[str]:
    """axe-core's WCAG A/AA violations of the page shown now (reached by a form, say)."""
    page.add_script_tag(path=str(AXE))
    # Action panels, filters and views fold away behind <details>: open them to check them too.
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    found = []
    for viewport in (DESK, PHONE):
        page.set_viewport_size(viewport)
        for v in page.evaluate(RUN_AXE, WCAG):
            found.append(
                f"{label} at {viewport['width']}px: {v['id']} ({v['impact']}) {v['help']}"
                f" — {', '.join(v['targets'][:6])}{' …' if len(v['targets']) > 6 else ''}"
            )
    return found


def test_axe_finds_no_wcag_violation_on_any_main_page_of_any_role(
    live_server, browser, people, make_request, make_coc_request
):
    assert AXE.is_file(), f"{AXE} is missing: `make test` installs it (npm ci)"
    base = live_server.url
    request = make_request("with_supplier", title="Gyroscopes for the Tejas fleet")
    soon, late = make_request("submitted", title="Valves"), make_request("submitted", title="Seals")
    now = dt.datetime.now(dt.UTC)
    PriorityRequest.objects.filter(pk=soon.pk).update(due_at=now + dt.timedelta(hours=2))
    PriorityRequest.objects.filter(pk=late.pk).update(due_at=now - dt.timedelta(days=2))
    make_coc_request("submitted")
    devices = {
        username: TOTPDevice.objects.create(user=user, name="app", confirmed=True)
        for username, user in (
            ("liaison.us", people.liaison_us),
            ("reviewer.us", people.reviewer_us),
        )
    }
    # bypass_csp: the portal's CSP rightly refuses the inline script axe is injected as.
    found = []
    context = browser.new_context(viewport=DESK, bypass_csp=True)
    page = context.new_page()
    for path in SIGNED_OUT:
        found += axe_violations(page, f"{base}{path}")
    context.close()
    for username, own_pages in ROLES.items():
        page = person(
            browser, base, username, devices.get(username), viewport=DESK, bypass_csp=True
        )
        for path in (*EVERYONE, *own_pages):
            found += axe_violations(
                page, base + path.format(request=f"/requests/{request.reference}/")
            )
        page.context.close()
    assert found == [], "axe-core found:\n" + "\n".join(found)


def test_axe_finds_no_wcag_violation_on_the_second_factor_pages(live_server, browser, people):
    base = live_server.url
    _, invitation = issue_invitation(people.reviewer_us)
    context = browser.new_context(viewport=DESK, bypass_csp=True)
    page = context.new_page()
    sign_in_page(page, base, "reviewer.us")
    found = axe_violations(page, f"{base}/account/two-factor/")  # ask for an invitation
    found += axe_violations(page, f"{base}{invite_path(invitation)}")  # → set up the app
    page.set_viewport_size(DESK)
    page.fill("#id_code", code_for(page.locator("code.secret").inner_text()))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.locator(".recovery-codes code")).to_have_count(10)
    found += axe_here(page, "the recovery codes")
    page.set_viewport_size(DESK)
    page.get_by_role("button", name="Sign out").click()
    sign_in_page(page, base, "reviewer.us")
    found += axe_violations(page, f"{base}/account/two-factor/verify/")  # code or recovery code
    context.close()
    assert found == [], "axe-core found:\n" + "\n".join(found)


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
