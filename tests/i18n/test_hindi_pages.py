"""Hindi and English (issue 16 point 10): the language follows the switch (a cookie) or the
browser's Accept-Language; every page says which it is in `lang`; what people typed is shown as
they typed it; dates follow the language."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from requests_app import moments
from tests.helpers import sign_in, text_of

from ..web.test_request_pages import draft_form

HINDI = {settings.LANGUAGE_COOKIE_NAME: "hi"}


def lang_of(html: str) -> str:
    return re.search(r'<html lang="([^"]*)"', html)[1]


def in_hindi(client) -> None:
    client.cookies.load(HINDI)


def switch_of(html: str) -> str:
    return re.search(r'<form class="language-switch".*?</form>', html, re.S)[0]


def test_the_sign_in_page_is_in_hindi_when_the_browser_asks_for_hindi(client):
    html = text_of(client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="hi,en;q=0.5"))

    assert lang_of(html) == "hi"
    assert "<h1>साइन इन</h1>" in html
    assert "उपयोगकर्ता नाम" in html and "पासवर्ड भूल गए?" in html
    switch = switch_of(html)
    assert 'action="/i18n/setlang/"' in switch
    assert 'name="next" value="/accounts/login/"' in switch
    # Each language is named in itself, and says which it is.
    assert '<button type="submit" name="language" value="en-gb" lang="en-gb"' in switch
    assert ">English</button>" in switch
    assert 'lang="hi" aria-pressed="true">हिन्दी</button>' in switch


def test_the_sign_in_page_stays_english_for_an_english_browser(client):
    html = text_of(client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9"))

    assert lang_of(html) == "en-gb"
    assert "<h1>Sign in</h1>" in html
    assert 'lang="en-gb" aria-pressed="true">English</button>' in switch_of(html)


def test_a_failed_sign_in_says_so_in_hindi(client, people):
    in_hindi(client)
    html = text_of(client.post("/accounts/login/", {"username": "requester.in", "password": "x"}))

    assert "उपयोगकर्ता नाम या पासवर्ड सही नहीं है।" in html


@pytest.mark.parametrize(
    ("person", "path", "hindi"),
    [
        ("requester_in", "/", "स्वागत है"),
        ("requester_in", "/requests/", "<h1>अनुरोध</h1>"),
        ("requester_in", "/requests/new/", "नया प्राथमिकता-सहायता अनुरोध"),
        ("liaison_us", "/queue/", "प्राथमिकता-निर्धारण कतार"),
        ("liaison_us", "/reports/", "चरण-वार SLA अनुपालन"),
        ("requester_in", "/arrangements/", "राष्ट्रों के बीच व्यवस्थाएँ"),
        ("requester_in", "/notifications/", "सूचनाएँ"),
        ("requester_in", "/help/", "शब्दावली"),
    ],
)
def test_the_main_pages_come_out_in_hindi_with_the_language_cookie(
    client, people, person, path, hindi
):
    sign_in(client, getattr(people, person))
    in_hindi(client)

    response = client.get(path)

    html = text_of(response)
    assert response.status_code == 200
    assert lang_of(html) == "hi"
    assert response["Content-Language"] == "hi"
    assert hindi in html
    assert "साइन आउट" in html  # the header, on every page
    assert 'aria-pressed="true">हिन्दी</button>' in switch_of(html)


def test_a_request_page_is_in_hindi_and_shows_what_people_typed_as_they_typed_it(
    client, people, make_request
):
    # A title that is also a word of the catalogue: typed text never goes through it.
    request = make_request("in_review", title="Urgent", justification="Four aircraft grounded.")
    sign_in(client, people.requester_in)
    in_hindi(client)

    html = text_of(client.get(f"/requests/{request.reference}/"))

    assert lang_of(html) == "hi"
    assert "अनुरोध का विवरण" in html and "समीक्षाधीन" in html  # labels and the state
    assert re.search(r"<h1[^>]*>\s*Urgent\s*</h1>", html)
    assert "Four aircraft grounded." in html
    assert "तत्काल</h1>" not in html


def test_the_filing_form_reports_its_errors_in_hindi_and_keeps_what_was_typed(client, people):
    sign_in(client, people.requester_in)
    in_hindi(client)
    data = draft_form(
        people, required_delivery_date="soon", justification="Gyroscopes: the fleet is grounded."
    )
    data["submit"] = ""

    response = client.post("/requests/new/", data)

    html = text_of(response)
    assert response.status_code == 400
    assert lang_of(html) == "hi"
    assert "फ़ील्ड में एक समस्या है" in html  # the summary on top
    assert "वैध तिथि भरें" in html  # the field's own error (Django's Hindi)
    assert "Gyroscopes: the fleet is grounded." in html
    assert 'value="Gyroscopes for the Tejas fleet"' in html


def test_the_switch_sets_the_language_and_switching_back_gives_english(client, people):
    sign_in(client, people.requester_in)

    response = client.post("/i18n/setlang/", {"language": "hi", "next": "/requests/"})

    assert response.status_code == 302 and response["Location"] == "/requests/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "hi"
    assert lang_of(text_of(client.get("/requests/"))) == "hi"

    client.post("/i18n/setlang/", {"language": "en-gb", "next": "/requests/"})

    html = text_of(client.get("/requests/"))
    assert lang_of(html) == "en-gb"
    assert "<h1>Requests</h1>" in html


def test_the_switch_never_sends_anyone_to_another_site(client):
    response = client.post("/i18n/setlang/", {"language": "hi", "next": "https://evil.example/"})

    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


def test_error_pages_are_in_hindi_too(client, people):
    sign_in(client, people.requester_in)
    in_hindi(client)

    html = text_of(client.get("/requests/999999/"))

    assert lang_of(html) == "hi"
    assert "यहाँ कुछ नहीं है।" in html


def test_due_times_and_days_name_weekdays_and_months_in_the_chosen_language():
    day = dt.date(2026, 6, 10)
    due = dt.datetime(2026, 12, 3, 22, 0, tzinfo=dt.UTC)

    assert moments.day_text(day) == "Wed 10 Jun 2026"  # English exactly as before
    english = moments.due_time(due, nation_code="US", zone="America/New_York", reader_zone="UTC")
    assert english.acting == "Thu 3 Dec, close of business in Washington, 17:00 EST"
    with translation.override("hi"):
        assert moments.day_text(day) == "बुध 10 जून 2026"
        assert moments.moment_text(due, "Asia/Kolkata") == "शुक्र 4 दिस् 2026, 03:30 IST"
        hindi = moments.due_time(
            due, nation_code="US", zone="America/New_York", reader_zone="Asia/Kolkata"
        )
    # Django's own Hindi names of weekdays and months ("गुरू", "दिस्"); digits and zones as before.
    assert hindi.acting == "गुरू 3 दिस्, Washington में कार्य-समय की समाप्ति, 17:00 EST"
    assert hindi.yours == "= आपके समय अनुसार शुक्र 4 दिस् 03:30"


def test_a_notice_e_mail_rendered_in_hindi_says_so_and_keeps_the_typed_title():
    context = {
        "kind_label": "Forwarded",
        "payload": {"reference": "IN-2026-00042", "title": "Gyroscopes", "state": "accepted"},
        "state_label": "Accepted",
        "url": "http://127.0.0.1:8000/requests/1/",
    }
    with translation.override("hi"):
        html = render_to_string("emails/notice_body.html", context)
        text = render_to_string("emails/notice_body.txt", context)

    assert lang_of(html) == "hi"
    assert "IN-2026-00042 को SOSA पोर्टल में खोलें" in html
    assert "Gyroscopes" in html
    assert "अनुरोध खोलें: http://127.0.0.1:8000/requests/1/" in text
    english = render_to_string("emails/notice_body.txt", context)
    assert "Open the request: http://127.0.0.1:8000/requests/1/" in english


def test_the_switch_works_at_the_code_step_too(client, people):
    """Someone between the password and the code may change the language of that page."""
    from tests.helpers import enrolled

    enrolled(people.liaison_us)
    client.force_login(people.liaison_us)  # the password only: the code step is owed

    response = client.post(
        "/i18n/setlang/", {"language": "hi", "next": "/account/two-factor/verify/"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/account/two-factor/verify/"
    assert client.cookies["django_language"].value == "hi"
