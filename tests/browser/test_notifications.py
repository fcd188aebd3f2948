"""Notifications in a real browser (issue 16 point 8): liaison.us opens the notifications page,
shows only the unread notices, opens a request from its group, comes back and finds that group
read — gone from the unread ones, and without its unread mark among all."""

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from requests_app.models import Notification

from .test_story import person

pytestmark = pytest.mark.django_db(transaction=True)


def test_opening_a_request_from_its_group_reads_that_group(
    live_server, browser, people, make_request
):
    base = live_server.url
    device = TOTPDevice.objects.create(user=people.liaison_us, name="app", confirmed=True)
    gyros, valves, seals = (
        make_request("submitted", title=title) for title in ("Gyros", "Valves", "Seals")
    )  # liaison.us heard of each submission
    Notification.objects.filter(recipient=people.liaison_us, request=seals).update(
        read_at=timezone.now()
    )
    page = person(browser, base, "liaison.us", device)

    page.goto(f"{base}/notifications/")
    groups = page.locator("section.notice-group")
    expect(groups).to_have_count(3)
    expect(groups.first).to_contain_text(seals.reference)  # the newest group first

    page.get_by_role("switch", name="Unread only").click()
    expect(page).to_have_url(f"{base}/notifications/?unread=1")
    expect(groups).to_have_count(2)
    gyros_group = page.locator(f'[data-group="request-{gyros.pk}"]')
    expect(gyros_group).to_contain_text("Gyros")
    expect(gyros_group.locator("[data-group-unread]")).to_have_text("1 unread")

    gyros_group.get_by_role("link", name=gyros.reference).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Gyros")

    page.go_back()
    expect(page).to_have_url(f"{base}/notifications/?unread=1")
    expect(groups).to_have_count(1)
    expect(page.locator(f'[data-group="request-{valves.pk}"]')).to_be_visible()
    expect(gyros_group).to_have_count(0)

    page.get_by_role("switch", name="Unread only").click()
    expect(page).to_have_url(f"{base}/notifications/")
    expect(groups).to_have_count(3)
    expect(gyros_group).not_to_have_class("card notice-group notice-group--has-unread")
    expect(gyros_group.locator("[data-group-unread]")).to_have_count(0)
    expect(gyros_group.locator(".notice--unread")).to_have_count(0)
