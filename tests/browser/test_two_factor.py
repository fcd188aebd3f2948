"""A liaison officer enrols an authenticator app with an administrator's invitation and signs in
with it, in a real browser."""

import base64
import re
import time

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from partners.accounts.invitations import invite_path, issue_invitation
from tests.helpers import sign_in_page

pytestmark = pytest.mark.django_db(transaction=True)


def code_for(secret: str, *, step_ahead: int = 0) -> str:
    clean = "".join(secret.split()).upper()
    key = base64.b32decode(clean + "=" * (-len(clean) % 8))
    totp = TOTP(key)
    totp.time = time.time() + 30 * step_ahead
    return f"{totp.token():06d}"


def test_a_liaison_enrols_two_factor_then_needs_the_code_to_sign_in(live_server, page, people):
    _, invitation = issue_invitation(people.liaison_us)
    sign_in_page(page, live_server.url, "liaison.us")
    # The role requires a second factor: the portal sends the officer to enrolment first, where
    # the password alone shows no secret (pen-test finding 7).
    expect(page).to_have_url(re.compile(r"/account/two-factor/"))
    expect(page.get_by_role("heading", name="second-factor invitation")).to_be_visible()
    expect(page.locator(".qr")).to_have_count(0)

    page.goto(f"{live_server.url}{invite_path(invitation)}")  # the administrator's link
    expect(page).to_have_url(re.compile(r"/account/two-factor/$"))
    expect(page.locator(".qr svg")).to_be_visible()  # QR drawn by the server, inline
    secret = page.locator("code.secret").inner_text()

    page.goto(f"{live_server.url}/queue/")
    expect(page).to_have_url(re.compile(r"/account/two-factor/"))  # no way around it

    page.fill("#id_code", "000000" if code_for(secret) != "000000" else "111111")
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.locator(".errorlist")).to_be_visible()

    page.wait_for_timeout(1200)  # django-otp throttles the next try for a second after a miss
    page.fill("#id_code", code_for(secret))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.locator(".recovery-codes code")).to_have_count(10)  # shown this once
    page.get_by_role("link", name="I have saved them — continue").click()
    expect(page).not_to_have_url(re.compile(r"/account/two-factor/"))
    expect(page.locator(".site-user")).to_contain_text("liaison.us")

    page.get_by_role("button", name="Sign out").click()
    sign_in_page(page, live_server.url, "liaison.us")
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    # A code is good once: the next 30-second step's code (within the allowed drift) is new.
    page.fill("#id_code", code_for(secret, step_ahead=1))
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", name="Enter your code")).to_have_count(0)
    expect(page.locator(".site-user")).to_contain_text("liaison.us")
