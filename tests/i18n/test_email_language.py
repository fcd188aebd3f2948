"""E-mails in each person's language (issue 16 point 10): the language switch keeps a signed-in
person's choice on their profile (the notification settings page shows and changes it), and
every notice, digest and posture e-mail — subject, text and HTML, dates included — is written
in it; a person who never chose reads English. What people typed stays as typed."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.utils import translation
from django.utils.dateformat import format as date_format

from partners.arrangements import set_posture
from partners.models import Profile
from requests_app import services
from requests_app.models import Notification
from requests_app.outbox import digest, notices
from tests.helpers import PASSWORD, new_york, sign_in, text_of, us_india

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")


def reads(user, language: str) -> None:
    Profile.objects.filter(user=user).update(language=language)


def language_of(user) -> str:
    return Profile.objects.get(user=user).language


def mail_to(user) -> list:
    return [message for message in mail.outbox if message.to == [user.email]]


def send_notices(**filters) -> None:
    mail.outbox.clear()
    for pk in Notification.objects.filter(**filters).values_list("pk", flat=True):
        notices.deliver_one(pk)


# --- notices ------------------------------------------------------------------------------------


def test_one_event_reaches_a_hindi_reader_in_hindi_and_an_english_reader_in_english(
    people, make_request
):
    reads(people.requester_in, "hi")
    request = make_request("accepted")  # the supplier's acceptance tells both
    send_notices(request=request, kind="supplier_accept")

    [hindi] = mail_to(people.requester_in)
    [english] = mail_to(people.liaison_us)
    reference, title = request.reference, request.title  # typed: the same in both

    assert hindi.subject == f"[SOSA] {reference} आपूर्तिकर्ता द्वारा स्वीकृत: {title}"
    assert english.subject == f"[SOSA] {reference} Accepted by supplier: {title}"

    text, html = hindi.body, hindi.alternatives[0][0]
    assert f"आपूर्तिकर्ता द्वारा स्वीकृत — {reference}" in text and title in text
    assert "supplier.us ने ऑर्डर स्वीकार किया" in text
    assert "अब: स्वीकृत।" in text
    assert "स्थिति:  स्वीकृत" in text
    # The due time in the acting nation's terms, weekday and month in Hindi, digits as they are.
    assert "Washington में कार्य-समय की समाप्ति, 17:00" in text
    assert "आपके समय अनुसार" in text  # New Delhi reads its own time beside it
    # What the approved request is, said again in Hindi from the facts the notice froze.
    assert "यह 15 CFR 700 के अंतर्गत एक रेटेड ऑर्डर है: DX-A1, BIS केस BIS-26-0042।" in text
    assert "अनुरोध खोलें: http" in text
    assert '<html lang="hi">' in html
    assert f"{reference} को SOSA पोर्टल में खोलें" in html
    assert "<th" in html and ">स्थिति</th>" in html
    for english_word in ("Accepted by supplier", "close of business", "rated order", "Open the"):
        assert english_word not in text and english_word not in html

    assert "supplier.us accepted the order and committed to deliver by" in english.body
    assert "close of business in Washington, 17:00" in english.body
    assert "This is a rated order under 15 CFR 700: DX-A1, BIS case BIS-26-0042." in english.body
    assert '<html lang="en-gb">' in english.alternatives[0][0]


def test_a_notice_written_while_the_actor_reads_hindi_still_reaches_an_english_reader_in_english(
    people, make_request
):
    """What a notice freezes is the portal's words; each reader's language comes at sending."""
    request = make_request("with_supplier")
    with translation.override("hi"):  # the supplier's page was in Hindi
        services.supplier_accept(
            request,
            by=people.supplier_us,
            committed_delivery_date=dt.date.today() + dt.timedelta(days=120),
        )
    notice = Notification.objects.get(
        request=request, kind="supplier_accept", recipient=people.liaison_us
    )
    assert notice.payload["standing"].startswith("This is a rated order under 15 CFR 700")

    send_notices(pk=notice.pk)

    [message] = mail_to(people.liaison_us)
    assert "Accepted by supplier" in message.subject
    assert "This is a rated order under 15 CFR 700" in message.body
    assert "रेटेड" not in message.body


def test_a_hindi_readers_daily_digest_is_in_hindi(people, make_request):
    reads(people.reviewer_us, "hi")
    chosen = dt.datetime(2026, 12, 1, 10, 0, tzinfo=NEW_YORK)
    services.set_preferences(
        people.reviewer_us, deliveries={"triage": "digest"}, digest_hour=8, now=chosen
    )
    request = make_request("in_review")
    notice = Notification.objects.get(request=request, recipient=people.reviewer_us, kind="triage")
    notices.deliver_one(notice.pk, now=chosen)
    mail.outbox.clear()

    assert digest.send_due_digests(now=dt.datetime(2026, 12, 2, 8, 0, tzinfo=NEW_YORK)) == 1

    [message] = mail_to(people.reviewer_us)
    assert message.subject == "[SOSA] आपका दैनिक सारांश: आपके पिछले सारांश के बाद से 1 सूचना"
    assert f"{request.reference} — {request.title}" in message.body
    assert (
        "आपको सौंपा गया: liaison.us ने इसे समीक्षा हेतु स्वीकार किया और reviewer.us को सौंपा। "
        "अब: समीक्षाधीन।"
    ) in message.body
    assert "इसे बदलें: http" in message.body
    # When each notice came, with Hindi weekday and month names.
    local = notice.created_at.astimezone(NEW_YORK)
    with translation.override("hi"):
        assert f"{date_format(local, 'D d M')} {local:%H:%M}" in message.body
    assert '<html lang="hi">' in message.alternatives[0][0]
    assert "daily digest" not in message.body


def test_a_posture_change_reaches_each_reader_in_their_language(people):
    reads(people.liaison_in, "hi")
    with (
        time_machine.travel(new_york(2026, 11, 25, 12), tick=False),
        translation.override("hi"),  # the senior contact who sets it reads Hindi
    ):
        set_posture(us_india(people), "emergency", by=people.senior_us, reason="Cyclone")
    send_notices(kind="posture")

    [hindi] = mail_to(people.liaison_in)
    [english] = mail_to(people.liaison_us)
    assert hindi.subject == "[SOSA] US–IN: आपातकाल स्थिति"
    assert "US–IN व्यवस्था शांतिकाल से आपातकाल में बदल गई।" in hindi.body
    assert "Cyclone" in hindi.body  # the reason, as typed
    assert english.subject == "[SOSA] US–IN: Emergency posture"
    assert "changed from peacetime to emergency" in english.body
    assert Notification.objects.filter(kind="posture").first().payload["title"] == (
        "US–IN: Emergency posture"
    )


# --- the person's language ----------------------------------------------------------------------


def test_switching_the_language_while_signed_in_keeps_it_for_their_e_mails(client, people):
    sign_in(client, people.requester_in)
    assert language_of(people.requester_in) == ""

    response = client.post("/i18n/setlang/", {"language": "hi", "next": "/requests/"})

    assert response.status_code == 302 and response["Location"] == "/requests/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "hi"
    assert language_of(people.requester_in) == "hi"

    client.post("/i18n/setlang/", {"language": "en-gb", "next": "/requests/"})

    assert language_of(people.requester_in) == "en-gb"


def test_a_language_the_portal_does_not_offer_changes_nothing(client, people):
    sign_in(client, people.requester_in)
    reads(people.requester_in, "hi")

    client.post("/i18n/setlang/", {"language": "fr", "next": "/requests/"})

    assert language_of(people.requester_in) == "hi"


def test_switching_while_signed_out_only_sets_the_cookie(client, people):
    response = client.post("/i18n/setlang/", {"language": "hi", "next": "/accounts/login/"})

    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "hi"
    assert set(Profile.objects.values_list("language", flat=True)) == {""}


def test_signing_in_on_a_new_browser_brings_back_the_persons_language(client, people):
    reads(people.requester_in, "hi")

    response = client.post("/accounts/login/", {"username": "requester.in", "password": PASSWORD})

    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "hi"
    assert '<html lang="hi">' in text_of(client.get("/requests/"))


def test_a_browser_that_chose_a_language_keeps_it_at_sign_in(client, people):
    reads(people.requester_in, "hi")
    client.cookies.load({settings.LANGUAGE_COOKIE_NAME: "en-gb"})

    client.post("/accounts/login/", {"username": "requester.in", "password": PASSWORD})

    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en-gb"


def test_the_notification_settings_page_shows_and_changes_the_language(client, people):
    sign_in(client, people.requester_in)
    page = client.get("/notifications/settings/")
    form = page.context["form"]
    assert form["language"].value() == "en-gb"  # never chosen: the portal's
    assert "Language of my e-mails" in text_of(page)

    data = {field.html_name: field.value() for field in form.kind_fields()}
    data |= {"digest_hour": "8", "language": "hi"}
    response = client.post("/notifications/settings/", data)

    assert response.status_code == 302
    assert language_of(people.requester_in) == "hi"
    assert client.get("/notifications/settings/").context["form"]["language"].value() == "hi"


def test_the_settings_page_refuses_a_language_it_does_not_offer(client, people):
    sign_in(client, people.requester_in)
    form = client.get("/notifications/settings/").context["form"]
    data = {field.html_name: field.value() for field in form.kind_fields()}
    data |= {"digest_hour": "8", "language": "fr"}

    response = client.post("/notifications/settings/", data)

    assert response.status_code == 400
    assert language_of(people.requester_in) == ""
