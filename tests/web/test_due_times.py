"""One due time, one truth (issue 16 point 1): due times in the acting nation's terms, the
reader's time beside them only where it differs, working days left everywhere, and dates that
are dates."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from zoneinfo import ZoneInfo

from requests_app.models import PriorityRequest
from requests_app.moments import day_text, due_time
from tests.helpers import sign_in, text_of

NEW_YORK = ZoneInfo("America/New_York")


def test_a_due_time_reads_in_the_acting_nations_terms_and_the_readers_beside_it():
    due = dt.datetime(2026, 12, 3, 17, 0, tzinfo=NEW_YORK)

    read_in_india = due_time(
        due, nation_code="US", zone="America/New_York", reader_zone="Asia/Kolkata"
    )
    read_in_washington = due_time(
        due, nation_code="US", zone="America/New_York", reader_zone="America/New_York"
    )

    assert read_in_india.acting == "Thu 3 Dec, close of business in Washington, 17:00 EST"
    assert read_in_india.yours == "= Fri 4 Dec 03:30 your time"
    assert read_in_washington.yours == ""  # the same clock: said once
    assert read_in_india.iso == "2026-12-03T17:00:00-05:00"


def test_a_due_time_off_the_close_of_business_names_its_hour_and_place():
    due = dt.datetime(2026, 12, 3, 9, 30, tzinfo=ZoneInfo("Asia/Kolkata"))
    when = due_time(due, nation_code="IN", zone="Asia/Kolkata", reader_zone="Asia/Kolkata")
    assert when.acting == "Thu 3 Dec, 09:30 IST in New Delhi"


def test_a_date_is_written_as_the_day_it_is():
    assert day_text(dt.date(2026, 6, 10)) == "Wed 10 Jun 2026"
    assert day_text(None) == ""


def test_an_indian_requester_sees_the_us_deadline_in_us_terms_and_their_own_time(
    client, people, make_request
):
    request = make_request("submitted")
    sign_in(client, people.requester_in)

    page = unescape(text_of(client.get(f"/requests/{request.reference}/")))

    due = re.search(r"data-due>\s*(.*?)\s*</span>", page, re.S)[1]
    assert re.fullmatch(
        r"\d working days? left: due \w{3} \d{1,2} \w{3}, close of business in Washington, "
        r"17:00 E[SD]T",
        due,
    ), due
    assert "your time" in re.search(r"data-due-yours>(.*?)</span>", page, re.S)[1]


def test_a_us_officer_sees_no_second_time(client, people, make_request):
    request = make_request("submitted")
    sign_in(client, people.liaison_us)
    page = text_of(client.get(f"/requests/{request.reference}/"))
    assert "data-due>" in page and "data-due-yours" not in page


def test_list_rows_say_the_working_days_left_and_the_acting_nations_time(
    client, people, make_request
):
    request = make_request("submitted")
    sign_in(client, people.requester_in)

    page = unescape(text_of(client.get("/requests/")))

    row = page[page.index(request.reference) :]
    assert re.search(r"\d working days? left</span>", row)
    assert re.search(
        r'title="= \w{3} \d{1,2} \w{3} \d\d:\d\d your time">\w{3} \d{1,2} \w{3}, 17:00 E[SD]T<', row
    )


def test_a_committed_date_is_the_same_day_for_a_reader_in_india(client, people, make_request):
    request = make_request("accepted")
    PriorityRequest.objects.filter(pk=request.pk).update(
        committed_delivery_date=dt.date(2027, 6, 10)
    )
    sign_in(client, people.requester_in)
    page = text_of(client.get(f"/requests/{request.reference}/"))
    assert "Thu 10 Jun 2027" in page
    assert "11 Jun 2027" not in page


def test_the_queue_csv_gives_the_due_time_in_the_acting_nations_zone(client, people, make_request):
    import csv
    import io

    make_request("submitted")
    sign_in(client, people.liaison_us)
    response = client.get("/queue/", {"view": "all", "format": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    due = dict(zip(rows[0], rows[1], strict=True))["due_at"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT17:00:00-0[45]:00", due), due


def test_a_notice_email_writes_the_due_time_as_the_pages_do(people, make_request):
    from requests_app.models import Notification
    from requests_app.outbox.notices import render_email

    request = make_request("submitted")  # the US liaison officers hear of it: theirs to triage
    notice = Notification.objects.exclude(payload__due_at=None).get(
        request=request, recipient=people.liaison_us
    )

    _, in_washington, html = render_email(notice)
    notice.recipient = people.requester_in  # the same notice read in India
    _, in_india, _ = render_email(notice)

    def due_line(text: str) -> str:
        return next(line for line in text.splitlines() if line.startswith("Due:"))

    assert "close of business in Washington, 17:00 E" in due_line(in_washington)
    assert "your time" not in due_line(in_washington)
    assert "close of business in Washington" in html
    assert re.search(r"\(\w{3} \d{1,2} \w{3} \d\d:\d\d your time\)$", due_line(in_india))
