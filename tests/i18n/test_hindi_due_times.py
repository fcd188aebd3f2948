"""How a due time was counted, in the reader's language (issue 16 point 10): a clock keeps its
explanation as words (`requests_app.explained`), which a Hindi page or e-mail says in Hindi —
weekdays, months, counts and all — while the stored English sentence, the one the API gives,
reads word for word as before. Holiday names are names: they stay as given."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.utils import translation

from partners.calendars import WorkingCalendar
from requests_app import explained
from requests_app.deadlines import open_due, resumed_due, sla_rule
from requests_app.models import Clock, Notification, State
from requests_app.outbox.notices import render_email
from requests_app.postures import posture_rule
from requests_app.services.events import notice_payload
from tests.helpers import client_for, new_york, sign_in, text_of

US = WorkingCalendar(country="US", time_zone="America/New_York")
WED_25 = new_york(2026, 11, 25, 9)  # the day before Thanksgiving


def in_hindi(phrase) -> str:
    with translation.override("hi"):
        return explained.say(phrase)


def test_a_dx_orders_due_time_is_explained_in_hindi_and_stored_in_english_as_before():
    due = open_due(sla_rule(State.WITH_SUPPLIER), started_at=WED_25, calendar=US, rating="DX")

    assert due.explanation == (
        "DX-rated order: 10 working days after receipt on Wed 25 Nov 2026, skipping Thu 26 Nov "
        "Thanksgiving Day and two weekends → due Thu 10 Dec 17:00 EST"
    )
    assert in_hindi(due.words) == (
        "DX-रेटेड ऑर्डर: बुध 25 नव 2026 को प्राप्ति के बाद 10 कार्य दिवस, गुरू 26 नव "
        "Thanksgiving Day और दो सप्ताहांत छोड़कर → देय गुरू 10 दिस् 17:00 EST"
    )
    # Whatever language is active while a clock is counted, the stored sentence is English.
    with translation.override("hi"):
        assert due.explanation.startswith("DX-rated order: 10 working days after receipt")


def test_a_posture_and_a_resumed_clock_are_explained_in_hindi_too():
    emergency = posture_rule("emergency", since=dt.datetime(2026, 11, 20, tzinfo=dt.UTC))
    armed = posture_rule("armed_conflict", since=dt.datetime(2026, 11, 20, tzinfo=dt.UTC))

    legal = open_due(
        sla_rule(State.WITH_SUPPLIER), started_at=WED_25, calendar=US, rating="DO",
        posture=emergency,
    )  # fmt: skip
    around = open_due(sla_rule(State.SUBMITTED), started_at=WED_25, calendar=US, posture=armed)
    resumed = resumed_due(1, resumed_at=WED_25, calendar=US)

    assert legal.explanation.startswith(
        "Emergency posture since Thu 19 Nov 2026 (the DPAS duty is the same in every posture): "
        "DO-rated order: 15 working days"
    )
    assert in_hindi(legal.words).startswith(
        "गुरू 19 नव 2026 से आपातकाल स्थिति (DPAS दायित्व हर स्थिति में समान रहता है): "
        "DO-रेटेड ऑर्डर: बुध 25 नव 2026 को प्राप्ति के बाद 15 कार्य दिवस"
    )
    assert "और तीन सप्ताहांत छोड़कर → देय गुरू 17 दिस् 17:00 EST" in in_hindi(legal.words)
    assert around.explanation == (
        "Armed conflict posture since Thu 19 Nov 2026: 1 day around the clock after receipt at "
        "Wed 25 Nov 09:00 EST → due Thu 26 Nov 09:00 EST"
    )
    assert in_hindi(around.words) == (
        "गुरू 19 नव 2026 से सशस्त्र संघर्ष स्थिति: बुध 25 नव 09:00 EST पर प्राप्ति के बाद "
        "चौबीसों घंटे गिना गया 1 दिन → देय गुरू 26 नव 09:00 EST"
    )
    assert resumed.explanation.startswith("resumed on Wed 25 Nov 2026 with 1 working day left")
    assert in_hindi(resumed.words).startswith("बुध 25 नव 2026 को 1 कार्य दिवस शेष रहते पुनः आरंभ")


def test_a_clock_written_before_explanations_were_kept_as_words_shows_its_sentence():
    stored = "DX-rated order: 10 working days after receipt on Wed 25 Nov 2026"

    with translation.override("hi"):
        assert explained.text(None, stored) == stored
        assert explained.text({"w": "a key no one knows"}, stored) == stored


@pytest.mark.django_db
def test_the_request_page_explains_the_due_time_in_hindi_and_the_api_in_english(
    client, people, make_request
):
    request = make_request("with_supplier")
    clock = Clock.objects.get(request=request, stopped_at__isnull=True)
    assert clock.explanation.startswith("DX-rated order: 10 working days after receipt on")
    sign_in(client, people.liaison_us)
    client.cookies.load({settings.LANGUAGE_COOKIE_NAME: "hi"})

    html = text_of(client.get(f"/requests/{request.reference}/"))

    counted = re.search(r"इसकी गणना कैसे हुई: ([^<]*)</div>", html)
    assert counted, "the explanation line"
    assert counted[1].startswith("DX-रेटेड ऑर्डर: ")
    assert "को प्राप्ति के बाद 10 कार्य दिवस" in counted[1]
    assert "→ देय " in counted[1]
    assert "working days" not in counted[1]

    body = client_for(people.liaison_us).get(f"/api/v1/requests/{request.reference}/").json()
    assert body["due_explanation"] == clock.explanation  # the API: English, as it always was


@pytest.mark.django_db
def test_a_deadline_notice_to_a_hindi_reader_explains_its_due_time_in_hindi(people, make_request):
    request = make_request("with_supplier")
    clock = Clock.objects.select_related("item").get(request=request, stopped_at__isnull=True)
    payload = notice_payload(request, kind="due_soon", clock=clock)
    people.liaison_us.profile.language = "hi"
    people.liaison_us.profile.save(update_fields=["language"])
    to_hindi = Notification.objects.create(
        recipient=people.liaison_us, kind="due_soon", request=request, payload=payload
    )
    to_english = Notification.objects.create(
        recipient=people.liaison_in, kind="due_soon", request=request, payload=payload
    )

    subject, text, html = render_email(to_hindi)
    english_subject, english_text, _ = render_email(to_english)

    assert subject.startswith(f"[SOSA] {request.reference} ")
    assert "DX-रेटेड ऑर्डर: " in text and "को प्राप्ति के बाद 10 कार्य दिवस" in text
    assert "DX-रेटेड ऑर्डर: " in html
    assert "working days" not in text
    assert "Due soon" in english_subject
    assert clock.explanation in english_text
