"""Notifications people can live with (issue 16, point 8), on the pages: opening a request marks
its notices read; the notifications page gathers notices under their request, newest group
first, says who did what, filters in its URL (unread, overdue, mentions) and pages in a bounded
number of queries; the settings page says how each kind reaches the person."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from requests_app import services
from requests_app.models import (
    Event,
    Notification,
    NotificationDigest,
    NotificationPreference,
    PriorityRequest,
)
from tests.helpers import sign_in

pytestmark = pytest.mark.django_db


def notice(user, kind="triage", request=None, minutes_ago=0, **fields) -> Notification:
    payload = {"reference": request.reference, "title": request.title} if request else {}
    return Notification.objects.create(
        recipient=user,
        kind=kind,
        request=request,
        payload=payload,
        created_at=timezone.now() - dt.timedelta(minutes=minutes_ago),
        **fields,
    )


def shown(response) -> list[int]:
    """The ids of the notices on the page, in order."""
    return [n.pk for group in response.context["groups"] for n in group.notices]


# --- read on opening the request ---------------------------------------------------------------


def test_opening_a_request_marks_the_persons_notices_about_it_read_in_one_update(
    client, people, make_request
):
    request = make_request("submitted", title="Gyros")
    other = make_request("submitted", title="Valves")
    mine = [notice(people.liaison_us, kind, request) for kind in ("overdue", "due_soon")]
    elsewhere = notice(people.liaison_us, "due_soon", other)
    theirs = notice(people.liaison_in, "due_soon", request)
    sign_in(client, people.liaison_us)

    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/requests/{request.reference}/").status_code == 200

    writes = [q["sql"] for q in queries if "notification" in q["sql"] and "UPDATE" in q["sql"]]
    assert len(writes) == 1
    unread = set(Notification.objects.filter(read_at__isnull=True).values_list("pk", flat=True))
    assert not unread & {n.pk for n in mine}
    assert {elsewhere.pk, theirs.pk} <= unread


def test_the_header_count_already_counts_the_notices_the_page_just_read(
    client, people, make_request
):
    request = make_request("submitted")  # liaison.us heard of the submission
    sign_in(client, people.liaison_us)
    assert '<span class="count"' in client.get("/notifications/").content.decode()
    page = client.get(f"/requests/{request.reference}/").content.decode()
    assert '<span class="count"' not in page


# --- grouped, each notice saying who did what ---------------------------------------------------


def test_notices_are_grouped_under_their_request_newest_group_first(client, people, make_request):
    gyros = make_request("submitted", title="Gyros")
    valves = make_request("submitted", title="Valves")
    Notification.objects.filter(recipient=people.liaison_us).delete()
    old_gyros = notice(people.liaison_us, "overdue", gyros, minutes_ago=30)
    valves_notice = notice(people.liaison_us, "due_soon", valves, minutes_ago=20)
    new_gyros = notice(people.liaison_us, "escalated", gyros, minutes_ago=10)
    sign_in(client, people.liaison_us)

    response = client.get("/notifications/")

    groups = response.context["groups"]
    assert [(g.reference, g.title) for g in groups] == [
        (gyros.reference, "Gyros"),
        (valves.reference, "Valves"),
    ]
    assert [n.pk for n in groups[0].notices] == [new_gyros.pk, old_gyros.pk]
    assert [n.pk for n in groups[1].notices] == [valves_notice.pk]
    html = response.content.decode()
    assert html.count('class="card notice-group') == 2
    assert f'href="/requests/{gyros.reference}/"' in html and "Gyros" in html


def test_each_notice_says_who_did_what_and_where_the_request_stands_now(
    client, people, make_request
):
    people.liaison_us.first_name, people.liaison_us.last_name = "Sarah", "Whitman"
    people.liaison_us.save()
    request = make_request("in_review")  # liaison.us triaged it and assigned reviewer.us
    sign_in(client, people.reviewer_us)

    html = client.get("/notifications/").content.decode()

    assert (
        "Sarah Whitman (liaison.us) accepted it for review and assigned it to reviewer.us. "
        "Now: In review."
    ) in html
    assert request.reference in html and "Assigned to you" in html


def test_a_deadline_notice_says_what_fell_due(client, people, make_request):
    request = make_request("in_review")
    event = Event.objects.create(
        request=request,
        action="escalate",
        from_state="in_review",
        to_state="in_review",
        data={"level": 1, "name": "overdue", "stage": "review"},
    )
    Notification.objects.create(
        recipient=people.reviewer_us,
        kind="overdue",
        request=request,
        event=event,
        payload={"reference": request.reference, "state": "in_review"},
    )
    sign_in(client, people.reviewer_us)
    html = client.get("/notifications/?show=overdue").content.decode()
    assert "The review deadline has passed: the request is overdue. Now: In review." in html


# --- filters in the URL -------------------------------------------------------------------------


def test_unread_only_shows_the_unread_notices_and_keeps_the_filter_in_the_links(
    client, people, make_request
):
    request = make_request("submitted")
    Notification.objects.filter(recipient=people.liaison_us).delete()
    read = notice(people.liaison_us, "due_soon", request, minutes_ago=5, read_at=timezone.now())
    unread = notice(people.liaison_us, "overdue", request)
    sign_in(client, people.liaison_us)

    response = client.get("/notifications/?unread=1")

    assert shown(response) == [unread.pk]
    html = response.content.decode()
    assert 'aria-checked="true"' in html
    assert read.pk not in shown(client.get("/notifications/?unread=1&show=overdue"))
    assert shown(client.get("/notifications/")) == [unread.pk, read.pk]


def test_overdue_shows_the_alarms_only(client, people, make_request):
    request = make_request("submitted")
    Notification.objects.filter(recipient=people.requester_in).delete()
    kinds = ["overdue", "escalated", "reminder_overdue", "due_soon", "reminder", "submit"]
    made = {
        kind: notice(people.requester_in, kind, request, minutes_ago=n)
        for n, kind in enumerate(kinds)
    }
    sign_in(client, people.requester_in)

    response = client.get("/notifications/?show=overdue")

    assert shown(response) == [made[k].pk for k in ("overdue", "escalated", "reminder_overdue")]
    assert 'data-show="overdue" aria-current="page"' in response.content.decode()


def test_mentions_shows_the_comments_that_name_you_with_their_words(client, people, make_request):
    request = make_request("in_review")
    services.add_comment(
        request, by=people.liaison_us, body="@reviewer.us can you check the NSN first?"
    )
    sign_in(client, people.reviewer_us)

    response = client.get("/notifications/?show=mentions")

    [mention] = [n for group in response.context["groups"] for n in group.notices]
    assert mention.kind == "mention"
    html = response.content.decode()
    assert (
        "liaison.us mentioned you in a comment: “@reviewer.us can you check the NSN first?”" in html
    )
    assert "Mentioned you" in html and "Assigned to you" not in html


def test_an_unknown_filter_shows_everything_and_an_empty_filter_says_so(
    client, people, make_request
):
    make_request("submitted")
    sign_in(client, people.liaison_us)
    assert len(shown(client.get("/notifications/?show=nonsense"))) == 1
    html = client.get("/notifications/?show=mentions").content.decode()
    assert "No notification matches this filter." in html
    assert "No notifications yet" not in html


def test_pages_keep_the_filters(client, people, make_request):
    request = make_request("submitted")
    for minutes in range(30):
        notice(people.requester_in, "overdue", request, minutes_ago=minutes)
    sign_in(client, people.requester_in)
    html = client.get("/notifications/?show=overdue&unread=1").content.decode()
    assert 'href="?show=overdue&amp;unread=1&amp;page=2"' in html
    second = client.get("/notifications/?show=overdue&unread=1&page=2")
    assert len(shown(second)) == 5


def test_the_page_costs_the_same_queries_for_many_notices_of_many_requests(
    client, people, make_request
):
    """No query per notice, group, actor or request: 3 or 25 notices over 3 requests with their
    events and actors read alike."""
    requests = [make_request("in_review", title=f"Request {n}") for n in range(3)]
    events = list(Event.objects.filter(request__in=requests).select_related("request"))
    Notification.objects.filter(recipient=people.observer_us).delete()

    def add(count: int) -> None:
        Notification.objects.bulk_create(
            Notification(
                recipient=people.observer_us,
                kind=f"kind_{n}",  # one notice per event, person and kind
                request=events[n % len(events)].request,
                event=events[n % len(events)],
                payload={"state": "in_review"},
                created_at=timezone.now() - dt.timedelta(minutes=n),
            )
            for n in range(count)
        )

    sign_in(client, people.observer_us)
    client.get("/notifications/")
    add(3)
    with CaptureQueriesContext(connection) as few:
        assert len(shown(client.get("/notifications/"))) == 3
    Notification.objects.filter(recipient=people.observer_us).delete()
    add(40)
    with CaptureQueriesContext(connection) as many:
        assert len(shown(client.get("/notifications/"))) == 25
    assert len(many) == len(few) <= 12


# --- settings -----------------------------------------------------------------------------------


def test_the_settings_page_is_reached_from_the_notifications_page_and_the_account_pages(
    client, people
):
    sign_in(client, people.requester_in)
    assert 'href="/notifications/settings/"' in client.get("/notifications/").content.decode()
    assert 'href="/notifications/settings/"' in client.get("/account/tokens/").content.decode()


def test_everything_is_emailed_now_by_default_and_alarms_say_they_always_are(client, people):
    sign_in(client, people.requester_in)
    response = client.get("/notifications/settings/")
    assert response.status_code == 200
    form = response.context["form"]
    kinds = [field.name for field in form.kind_fields()]
    assert "kind_triage" in kinds and "kind_mention" in kinds and "kind_due_soon" in kinds
    assert not {"kind_overdue", "kind_escalated", "kind_reminder_overdue"} & set(kinds)
    assert {field.value() for field in form.kind_fields()} == {"now"}
    html = response.content.decode()
    assert html.count("E-mail now, always") == 3
    assert "An overdue or escalated request never waits for a digest." in html


def test_a_person_chooses_a_digest_hour_and_a_delivery_per_kind(client, people):
    sign_in(client, people.requester_in)
    form = client.get("/notifications/settings/").context["form"]
    data = {field.html_name: field.value() for field in form.kind_fields()}
    data |= {"kind_decline": "digest", "kind_due_soon": "in_app", "digest_hour": "7"}
    data["kind_overdue"] = "digest"  # not a choice: ignored

    response = client.post("/notifications/settings/", data)

    assert response.status_code == 302
    chosen = dict(
        NotificationPreference.objects.filter(user=people.requester_in).values_list(
            "kind", "delivery"
        )
    )
    assert chosen == {"decline": "digest", "due_soon": "in_app"}
    assert NotificationDigest.objects.get(user=people.requester_in).hour == 7
    page = client.get("/notifications/settings/")
    assert page.context["form"]["kind_decline"].value() == "digest"
    assert "Your notification settings are saved." in page.content.decode()


def test_a_digest_hour_out_of_range_is_refused_on_the_form(client, people):
    sign_in(client, people.requester_in)
    response = client.post("/notifications/settings/", {"digest_hour": "25"})
    assert response.status_code == 400
    assert not NotificationDigest.objects.exists()


def test_the_settings_page_needs_a_signed_in_person(client):
    response = client.get("/notifications/settings/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_nobody_reads_notices_by_opening_a_request_they_cannot_see(client, people, make_request):
    request = make_request("submitted")
    theirs = notice(people.liaison_us, "due_soon", request)
    sign_in(client, people.requester_gb)
    assert client.get(f"/requests/{request.reference}/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert PriorityRequest.objects.count() == 1
