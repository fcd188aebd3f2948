"""No dead ends, no lost work (issue 16 point 5): a form address opened by GET goes back to its
page; a form posted after the session ended keeps what was typed through sign-in (and the
second factor); a form refused by the CSRF check is not a dead end either; signing out says so;
and the sign-in page warns one failed attempt before the lock-out."""

import datetime as dt
import re
from html import unescape

import pytest
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from requests_app.models import Comment
from requests_app.web.typed_text import SESSION_KEY
from tests.helpers import (
    PASSWORD,
    code_for,
    enrolled,
    sign_in,
    sign_in_with_password,
    text_of,
)

ENDED = "Your session ended — sign in to continue. What you typed is kept."
BACK = "What you typed is back in the form: check it and send it."


def messages_on(response) -> list[str]:
    return [
        unescape(m) for m in re.findall(r'<li class="message[^"]*">(.*?)</li>', text_of(response))
    ]


def field_value(response, element_id: str) -> str:
    """The text of a textarea, by its id."""
    found = re.search(
        rf'<textarea[^>]*id="{element_id}"[^>]*>(.*?)</textarea>', text_of(response), re.S
    )
    assert found, f"no textarea #{element_id}"
    return unescape(found.group(1)).strip()


def browser() -> Client:
    """A client that, like a browser, must send the CSRF token with each form."""
    return Client(enforce_csrf_checks=True)


def token(client) -> str:
    """The CSRF value a page's form carries (the cookie's secret is accepted as the token)."""
    return client.cookies["csrftoken"].value


def sign_in_by_form(client, username: str, next_url: str = ""):
    client.get("/accounts/login/")  # sets the CSRF cookie, as a browser opening the page
    data = {"username": username, "password": PASSWORD, "next": next_url}
    return client.post("/accounts/login/", {**data, "csrfmiddlewaretoken": token(client)})


def end_session(client) -> None:
    """The session ends on the server (idle timeout, or cleared): its row is gone."""
    Session.objects.filter(session_key=client.cookies["sessionid"].value).delete()


# --- (a) a GET on a form address goes back to its page ----------------------------------------


@pytest.mark.parametrize(
    ("tail", "landing"),
    [
        ("act/withdraw/", "?open=withdraw#act-withdraw"),
        ("act/no-such-action/", ""),
        ("comment/", "#comment"),
        ("attach/", "#attachments"),
        ("link/", "#links"),
    ],
)
def test_opening_a_form_address_goes_back_to_the_request_page_at_that_form(
    client, people, make_request, tail, landing
):
    request = make_request("submitted")
    sign_in(client, people.requester_in)

    response = client.get(f"/requests/{request.reference}/{tail}")

    assert response.status_code == 302
    assert response["Location"] == f"/requests/{request.reference}/{landing}"


def test_the_action_address_opens_that_actions_panel(client, people, make_request):
    request = make_request("submitted")
    sign_in(client, people.requester_in)

    page = client.get(f"/requests/{request.reference}/act/withdraw/", follow=True)

    assert page.status_code == 200
    assert re.search(r'<details[^>]*id="act-withdraw"[^>]* open>', text_of(page))


def test_a_form_address_of_a_request_you_cannot_see_is_the_same_not_found(
    client, people, make_request
):
    request = make_request("submitted")
    sign_in(client, people.requester_gb)

    assert client.get(f"/requests/{request.reference}/comment/").status_code == 404
    assert client.get("/requests/IN-1999-99999/comment/").status_code == 404


def test_a_signed_out_visitor_opening_a_form_address_signs_in_and_lands_on_the_page(
    client, make_request
):
    request = make_request("submitted")
    page = f"/requests/{request.reference}/"

    response = client.get(page + "comment/", follow=True)

    assert response.redirect_chain[0] == (page + "#comment", 302)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/?next=")


def test_a_post_still_does_what_it_did(client, people, make_request):
    request = make_request("submitted")
    sign_in(client, people.requester_in)

    response = client.post(f"/requests/{request.reference}/comment/", {"body": "Still works."})

    assert response.status_code == 302
    assert Comment.objects.filter(request=request, body="Still works.").exists()


@pytest.mark.parametrize(
    ("address", "landing"), [("/queue/assign/", "/queue/"), ("/queue/views/", "/queue/")]
)
def test_opening_a_queue_form_address_goes_back_to_the_queue(client, people, address, landing):
    sign_in(client, people.liaison_us)
    response = client.get(address)
    assert (response.status_code, response["Location"]) == (302, landing)


def test_opening_the_watch_address_goes_back_to_the_request_page(client, people, make_request):
    request = make_request("submitted")
    sign_in(client, people.liaison_us)
    response = client.get(f"/requests/{request.reference}/watch/")
    assert (response.status_code, response["Location"]) == (302, f"/requests/{request.reference}/")


# --- (b) what was typed survives the end of the session --------------------------------------


def test_a_comment_posted_after_the_session_ended_is_back_in_the_form_after_sign_in(
    people, make_request
):
    request = make_request("submitted")
    client = browser()
    sign_in_by_form(client, "requester.in")
    page = f"/requests/{request.reference}/"
    client.get(page)
    end_session(client)

    # The CSRF cookie outlives the session: the post is not refused, it goes to sign in.
    posted = client.post(
        page + "comment/",
        {"body": "Gyros needed by March <b>please</b>.", "csrfmiddlewaretoken": token(client)},
    )
    assert posted.status_code == 302
    assert posted["Location"] == f"/accounts/login/?next={page}%23comment"
    sign_in_page = client.get(posted["Location"])
    assert ENDED in messages_on(sign_in_page)
    assert not Comment.objects.filter(request=request).exists()

    signed_in = sign_in_by_form(client, "requester.in", next_url=page + "#comment")
    assert signed_in["Location"] == page + "#comment"
    back = client.get(page)
    assert field_value(back, "id_comment_body") == "Gyros needed by March <b>please</b>."
    assert "&lt;b&gt;please" in text_of(back)  # escaped, as any text
    assert BACK in messages_on(back)
    assert field_value(client.get(page), "id_comment_body") == ""  # given back once


def test_an_actions_text_comes_back_in_its_open_panel_after_sign_in_and_the_second_factor(
    people, make_request
):
    request = make_request("submitted")
    device = enrolled(people.liaison_us)
    client = browser()
    sign_in_by_form(client, "liaison.us")
    client.post(
        "/account/two-factor/verify/",
        {"code": code_for(device), "csrfmiddlewaretoken": token(client)},
    )
    page = f"/requests/{request.reference}/"
    assert client.get(page).status_code == 200
    end_session(client)

    posted = client.post(
        page + "act/request-info/",
        {
            "question": "Which tail numbers?",
            "version": str(request.version),
            "csrfmiddlewaretoken": token(client),
        },
    )
    landing = page + "?open=request_info#act-request_info"
    assert posted["Location"].startswith("/accounts/login/?next=")
    signed_in = sign_in_by_form(client, "liaison.us", next_url=landing)
    assert signed_in["Location"].startswith("/account/two-factor/verify/")
    verified = client.post(
        signed_in["Location"],
        {"code": code_for(device, steps_ahead=1), "csrfmiddlewaretoken": token(client)},
    )
    assert verified["Location"] == landing

    back = client.get(landing)
    assert re.search(r'<details[^>]*id="act-request_info"[^>]* open>', text_of(back))
    assert field_value(back, "id_request_info_question") == "Which tail numbers?"
    request.refresh_from_db()
    assert request.state == "submitted"  # nothing was done without the person


def test_only_typed_text_is_kept_never_the_token_a_password_or_files(people, make_request):
    request = make_request("submitted")
    client = browser()
    sign_in_by_form(client, "requester.in")
    end_session(client)
    posted = client.post(
        f"/requests/{request.reference}/act/withdraw/",
        {
            "reason": "Bought elsewhere.",
            "password": "hunter2",
            "api_token": "abc",
            "version": "3",
            "attachments": SimpleUploadedFile("order.pdf", b"%PDF-1.4"),
            "csrfmiddlewaretoken": token(client),
        },
    )

    kept = client.session[SESSION_KEY]["fields"]
    assert kept == {"reason": ["Bought elsewhere."]}
    assert "Files are not kept" in " ".join(messages_on(client.get(posted["Location"])))


def test_nothing_typed_nothing_kept(people, make_request):
    request = make_request("submitted")
    client = browser()
    sign_in_by_form(client, "requester.in")
    end_session(client)

    posted = client.post(
        f"/requests/{request.reference}/comment/",
        {"body": "  ", "csrfmiddlewaretoken": token(client)},
    )

    assert SESSION_KEY not in client.session
    assert messages_on(client.get(posted["Location"])) == [
        "Your session ended — sign in to continue."
    ]


def test_kept_text_is_not_put_in_a_form_the_person_signing_in_may_not_use(people, make_request):
    """Someone else signs in on that browser: a requester's withdrawal is not their form."""
    request = make_request("submitted")
    client = browser()
    sign_in_by_form(client, "requester.in")
    end_session(client)
    client.post(
        f"/requests/{request.reference}/act/withdraw/",
        {"reason": "Bought elsewhere.", "csrfmiddlewaretoken": token(client)},
    )
    sign_in(client, people.observer_in)

    page = client.get(f"/requests/{request.reference}/")

    assert page.status_code == 200
    assert 'id="act-withdraw"' not in text_of(page)
    assert any("no longer open to you" in message for message in messages_on(page))


def test_kept_text_older_than_an_hour_is_dropped(people, make_request):
    request = make_request("submitted")
    client = browser()
    sign_in_by_form(client, "requester.in")
    end_session(client)
    client.post(
        f"/requests/{request.reference}/comment/",
        {"body": "Old words.", "csrfmiddlewaretoken": token(client)},
    )
    session = client.session
    session[SESSION_KEY]["at"] -= 2 * 60 * 60
    session.save()
    sign_in_by_form(client, "requester.in")

    assert field_value(client.get(f"/requests/{request.reference}/"), "id_comment_body") == ""


# --- the CSRF check after a new sign-in --------------------------------------------------------


def test_a_form_from_before_the_last_sign_in_is_refused_but_its_text_comes_back(
    people, make_request
):
    """Two tabs: the session ended, the person signed in again in one (a new CSRF secret); the
    other tab's form carries the old token."""
    request = make_request("submitted")
    client = browser()
    sign_in_by_form(client, "requester.in")
    old_token = token(client)
    sign_in_by_form(client, "requester.in")  # signing in rotates the CSRF secret
    assert token(client) != old_token
    page = f"/requests/{request.reference}/"

    refused = client.post(
        page + "comment/",
        {"body": "From the other tab.", "csrfmiddlewaretoken": old_token},
        HTTP_ORIGIN="http://testserver",
    )

    assert refused.status_code == 302 and refused["Location"] == page + "#comment"
    assert not Comment.objects.filter(request=request).exists()
    back = client.get(page)
    assert field_value(back, "id_comment_body") == "From the other tab."
    assert any("Nothing was sent" in message for message in messages_on(back))


def test_a_refused_form_from_another_site_keeps_nothing_and_explains(people, make_request):
    request = make_request("submitted")
    client = browser()
    sign_in_by_form(client, "requester.in")

    refused = client.post(
        f"/requests/{request.reference}/comment/",
        {"body": "Forged.", "csrfmiddlewaretoken": "x" * 32},
        HTTP_ORIGIN="https://evil.example",
    )

    assert refused.status_code == 403
    assert "The form was not sent, and nothing was changed." in text_of(refused)
    assert SESSION_KEY not in client.session


def test_a_refused_sign_in_form_is_the_portals_page_with_a_way_back(db):
    refused = browser().post("/accounts/login/", {"username": "requester.in"})
    assert refused.status_code == 403
    assert "The form was not sent" in text_of(refused) and 'href="/"' in text_of(refused)


# --- (d) signing out ---------------------------------------------------------------------------


def test_signing_out_lands_on_the_sign_in_page_saying_so(client, people):
    sign_in(client, people.requester_in)

    page = client.post("/accounts/logout/", follow=True)

    assert page.redirect_chain == [("/accounts/login/", 302)]
    assert "You are signed out." in messages_on(page)
    assert client.get("/").status_code == 302


# --- (e) one attempt before the lock-out ------------------------------------------------------

WARNING = "One more failed attempt will lock this account for 30 minutes."


@pytest.mark.parametrize("username", ["requester.in", "nobody.at.all"])
def test_the_failure_that_leaves_one_try_warns_of_the_lock_out(client, people, username):
    """The same for a user name that does not exist: the page tells nothing more."""
    for _ in range(3):
        assert WARNING not in text_of(sign_in_with_password(client, username, "wrong"))
    fourth = sign_in_with_password(client, username, "wrong")
    assert fourth.status_code == 200
    assert WARNING in text_of(fourth)
    assert sign_in_with_password(client, username, "wrong").status_code == 429  # locked


def test_the_warning_names_the_cool_off_of_the_settings(client, people, settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=10)
    sign_in_with_password(client, "requester.in", "wrong")
    page = text_of(sign_in_with_password(client, "requester.in", "wrong"))
    assert "One more failed attempt will lock this account for 10 minutes." in page


# --- (c) the demo's second factor with DEBUG off ------------------------------------------------


def test_the_demo_with_debug_off_keeps_the_second_factor_optional(client, people, settings):
    settings.DEBUG, settings.SOSA_DEMO, settings.SOSA_DEMO_SKIP_2FA = False, True, True
    client.force_login(people.liaison_us)
    assert client.get("/notifications/").status_code == 200
    settings.SOSA_DEMO = False
    assert client.get("/notifications/").status_code == 302
