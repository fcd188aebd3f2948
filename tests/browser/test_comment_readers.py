"""An internal note looks different while it is typed (issue 16 point 7), in a real browser."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from .test_story import person

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_reviewers_note_starts_national_and_says_so_while_typed(
    live_server, browser, people, make_request
):
    request = make_request("in_review")
    device = TOTPDevice.objects.create(user=people.reviewer_us, name="app", confirmed=True)
    page = person(browser, live_server.url, "reviewer.us", device)
    page.goto(f"{live_server.url}/requests/{request.reference}/")

    national = page.get_by_label("National: officials of United States only")
    expect(national).to_be_checked()  # DoD's deliberation starts national
    page.fill("#id_comment_body", "DoD view: support at DO only.")
    flag = page.locator("[data-internal-flag]")
    expect(flag).to_be_visible()
    expect(flag).to_contain_text("the requester and the supplier will not see this")
    page.get_by_label("Shared: everyone on this request").check()
    expect(flag).to_be_hidden()
    page.get_by_label("Internal: officials of India and United States only").check()
    expect(flag).to_be_visible()
