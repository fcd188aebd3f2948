"""A comment typed while the session ends on the server is not lost (issue 16 point 5): the
portal asks the person to sign in again and puts the text back in the comment box."""

import pytest
from django.contrib.sessions.models import Session
from playwright.sync_api import expect

from requests_app.models import Comment
from tests.browser.test_story import person
from tests.helpers import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)
TYPED = "Four aircraft still grounded: can the supplier ship two gyroscopes first?"


def test_a_comment_typed_as_the_session_ends_is_back_after_signing_in(
    live_server, browser, people, make_request
):
    request = make_request("submitted")
    page = person(browser, live_server.url, "requester.in")
    page.goto(f"{live_server.url}/requests/{request.reference}/")
    page.fill("#id_comment_body", TYPED)

    Session.objects.all().delete()  # the session ends on the server (idle timeout, or cleared)
    page.get_by_role("button", name="Add comment").click()

    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.locator(".messages")).to_contain_text(
        "Your session ended — sign in to continue. What you typed is kept."
    )
    page.fill("#id_username", "requester.in")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.locator(".request-reference")).to_have_text(request.reference)
    expect(page.locator("#id_comment_body")).to_have_value(TYPED)
    assert not Comment.objects.filter(request=request).exists()
    page.get_by_role("button", name="Add comment").click()
    expect(page.locator(".messages")).to_contain_text("Comment added.")
    assert Comment.objects.get(request=request).body == TYPED
    page.context.close()
