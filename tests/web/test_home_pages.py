"""The home page of each role and the notifications page (DESIGN §8)."""

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from partners.models import calendar_for
from requests_app import services
from requests_app.models import Notification, PriorityRequest
from tests.helpers import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _two_factor_enforced(settings):
    settings.DEBUG = False
    settings.SOSA_DEMO_SKIP_2FA = False


def home(client, user) -> str:
    sign_in(client, user)
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def stat(html: str, key: str) -> int:
    found = re.search(rf'data-stat="{key}">\s*<span class="stat__value">(\d+)</span>', html)
    return int(found.group(1))


def state_tile(html: str, state: str) -> int:
    found = re.search(rf'data-state="{state}">\s*<span class="stat__value">(\d+)</span>', html)
    return int(found.group(1))


def link(request: PriorityRequest) -> str:
    return f'href="/requests/{request.reference}/"'


def set_due(request: PriorityRequest, **fields) -> None:
    PriorityRequest.objects.filter(pk=request.pk).update(**fields)


@pytest.fixture
def needs_answer(make_request, people):
    request = make_request("submitted", title="Spare rotor blades")
    return services.request_info(request, by=people.liaison_us, question="Which lot number?")


# --- requester ----------------------------------------------------------------------------------


def test_a_requester_sees_what_needs_their_answer_first_then_drafts_and_the_rest_by_state(
    client, people, make_request, needs_answer
):
    draft = make_request("draft", title="Unfinished filing")
    submitted = make_request("submitted")
    with_supplier = make_request("with_supplier")
    withdrawn = services.withdraw(make_request("submitted"), by=people.requester_in, reason="x")

    html = home(client, people.requester_in)
    positions = [html.index(link(r)) for r in (needs_answer, draft, submitted, with_supplier)]
    assert positions == sorted(positions)
    assert html.index("Needs your answer") < html.index(link(needs_answer))
    assert "Drafted by" in html and "requester.in" in html
    assert link(withdrawn) not in html
    assert "1 resolved request" in html and 'href="/requests/?state=resolved"' in html
    assert 'href="/requests/new/"' in html


def test_a_requester_without_questions_is_told_nothing_waits_for_them(client, people, make_request):
    make_request("submitted")
    assert "Nothing waits for your answer." in home(client, people.requester_in)


def test_a_long_group_shows_its_first_ten_and_links_to_the_rest(client, people, make_request):
    for _ in range(12):
        make_request("submitted")
    html = home(client, people.requester_in)
    assert html.count('href="/requests/IN-') == 10
    assert "and 2 more" in html and 'href="/requests/?state=submitted"' in html


def test_another_nations_requester_sees_none_of_it(client, people, make_request, needs_answer):
    submitted = make_request("submitted")
    html = home(client, people.requester_gb)
    assert link(submitted) not in html and link(needs_answer) not in html
    assert "No open requests" in html


# --- liaison ------------------------------------------------------------------------------------


def test_a_liaison_sees_queue_counts_that_link_to_the_queue_filters(client, people, make_request):
    now = timezone.now()
    make_request("submitted")
    late = make_request("submitted")
    set_due(late, due_at=now - dt.timedelta(hours=3))
    soon = make_request("in_review")
    # The sweep marks "due soon" (ladder level 0) one working day before due.
    set_due(soon, due_at=now + dt.timedelta(hours=12), escalation_level=0)
    escalated = make_request("approved")
    set_due(escalated, due_at=now + dt.timedelta(days=5), escalation_level=2, escalated_at=now)

    html = home(client, people.liaison_us)
    assert stat(html, "new") == 2
    assert stat(html, "due_soon") == 1
    assert stat(html, "overdue") == 1
    assert stat(html, "escalated") == 1
    for query in ["view=awaiting_triage", "view=all&amp;due_soon=true", "view=overdue"]:
        assert f'href="/queue/?{query}"' in html


def test_the_top_of_a_liaisons_queue_puts_rated_orders_first(client, people, make_request):
    submitted = make_request("submitted")
    rated = make_request("approved")  # DX-A1
    html = home(client, people.liaison_us)
    assert html.index(link(rated)) < html.index(link(submitted))
    assert "DX-A1" in html and 'href="/queue/"' in html


def test_a_liaison_serving_other_partners_has_an_empty_queue(client, people, make_request):
    make_request("submitted")
    html = home(client, people.liaison_gb)
    assert stat(html, "new") == 0
    assert "Nothing needs your nation now" in html


# --- reviewer -----------------------------------------------------------------------------------


def test_a_reviewer_sees_the_requests_in_review_assigned_to_them(client, people, make_request):
    in_review = make_request("in_review")  # assigned to reviewer.us
    submitted = make_request("submitted")
    html = home(client, people.reviewer_us)
    assert link(in_review) in html and link(submitted) not in html
    assert "Waiting for your determination" in html


def test_commerce_sees_what_waits_for_its_key_and_the_dod_what_it_determines(
    client, people, make_request
):
    waiting = make_request("awaiting_authorisation")
    in_review = make_request("in_review")

    commerce = home(client, people.authority_us)
    dod = home(client, people.reviewer_us)

    assert link(waiting) in commerce and link(in_review) not in commerce
    assert "Waiting for your rating authorisation" in commerce
    assert link(in_review) in dod and link(waiting) not in dod


def test_a_reviewer_of_another_nation_sees_nothing_assigned(client, people, make_request):
    make_request("in_review")
    assert "Nothing assigned to you" in home(client, people.reviewer_in)


# --- supplier -----------------------------------------------------------------------------------


def test_a_supplier_sees_what_awaits_its_reply_with_the_working_days_left(
    client, people, make_request
):
    awaiting = make_request("with_supplier")
    accepted = make_request("accepted")
    html = home(client, people.supplier_us)
    assert link(awaiting) in html and link(accepted) in html
    awaiting.refresh_from_db()
    calendar = calendar_for(people.us)
    expected = calendar.working_days_between(
        calendar.local_date(timezone.now()), calendar.local_date(awaiting.due_at)
    )
    assert expected in (9, 10)  # a DX order: 10 working days from receipt
    assert f'data-working-days-left="{expected}"' in html
    assert f"{expected} working days" in html


def test_an_overdue_reply_is_marked_overdue(client, people, make_request):
    awaiting = make_request("with_supplier")
    set_due(awaiting, due_at=timezone.now() - dt.timedelta(days=3))
    html = home(client, people.supplier_us)
    assert 'data-working-days-left="-' in html and "overdue" in html


def test_another_supplier_sees_none_of_it(client, people, make_request):
    awaiting = make_request("with_supplier")
    html = home(client, people.other_supplier_us)
    assert link(awaiting) not in html
    assert "Nothing awaits your reply" in html


# --- observer and others ------------------------------------------------------------------------


def test_an_observer_sees_counts_by_state(client, people, make_request):
    make_request("submitted")
    make_request("submitted")
    make_request("approved")
    make_request("draft")  # not theirs to see
    html = home(client, people.observer_us)
    assert state_tile(html, "submitted") == 2
    assert state_tile(html, "approved") == 1
    assert state_tile(html, "resolved") == 0
    assert 'data-state="draft"' not in html
    assert 'href="/requests/?state=submitted"' in html


def test_a_user_without_a_role_is_told_to_ask_an_administrator(client, people):
    nobody = get_user_model().objects.create_user("nobody", "nobody@example.org", "pw-1-long")
    assert "Your account has no role yet" in home(client, nobody)


# --- bounded queries ----------------------------------------------------------------------------

HOME_OF = {
    "requester_in": ["submitted", "draft", "needs_info"],
    "liaison_us": ["submitted", "approved", "in_review"],
    "reviewer_us": ["in_review"],
    "supplier_us": ["with_supplier", "accepted"],
    "observer_us": ["submitted", "approved"],
}


@pytest.mark.parametrize("who", sorted(HOME_OF))
def test_the_home_page_costs_the_same_few_queries_for_many_requests(
    client, people, make_request, who, django_assert_max_num_queries
):
    def add_requests():
        for state in HOME_OF[who]:
            if state == "needs_info":
                services.request_info(
                    make_request("submitted"), by=people.liaison_us, question="Which lot?"
                )
            else:
                make_request(state)

    user = getattr(people, who)
    sign_in(client, user)
    client.get("/")  # the first request after signing in renews the session
    add_requests()
    client.get("/")  # steady state: the reference caches (nations, closures) are filled
    with CaptureQueriesContext(connection) as few:
        assert client.get("/").status_code == 200
    for _ in range(4):
        add_requests()
    with django_assert_max_num_queries(16):
        assert client.get("/").status_code == 200
    with CaptureQueriesContext(connection) as many:
        client.get("/")
    assert len(many) == len(few)


# --- notifications ------------------------------------------------------------------------------


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


def test_notifications_list_the_users_notices_newest_first_with_unread_highlighted(
    client, people, make_request
):
    request = make_request("in_review")  # triage queued a notice to reviewer.us
    older = notice(people.reviewer_us, "overdue", request, minutes_ago=90, read_at=timezone.now())
    notice(people.liaison_us, "escalated", request)  # someone else's
    sign_in(client, people.reviewer_us)
    response = client.get("/notifications/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Assigned to you" in html and "Overdue" in html and "Escalated" not in html
    notices = html[html.index('class="card notice-group') :]  # past the filters ("Overdue or…")
    assert notices.index("Assigned to you") < notices.index("Overdue")
    assert html.count("notice--unread") == 1
    assert f'data-notice="{older.pk}"' in html
    assert link(request) in html
    assert '<span class="count"' in html  # the unread count in the header


def test_notifications_have_a_clear_empty_state(client, people):
    sign_in(client, people.requester_gb)
    assert "No notifications yet" in client.get("/notifications/").content.decode()


def test_marking_a_notice_read_changes_only_that_notice(client, people, make_request):
    request = make_request("submitted")
    first, second = (
        notice(people.requester_in, "request_info", request),
        notice(people.requester_in, "decline", request),
    )
    sign_in(client, people.requester_in)
    response = client.post(f"/notifications/{first.pk}/read/", {"next": "/notifications/?page=1"})
    assert response.status_code == 302 and response["Location"] == "/notifications/?page=1"
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None


def test_nobody_marks_another_users_notice_read(client, people, make_request):
    theirs = notice(people.requester_in2, "decline", make_request("submitted"))
    sign_in(client, people.requester_in)
    assert client.post(f"/notifications/{theirs.pk}/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_as_read_clears_the_unread_count(client, people, make_request):
    request = make_request("submitted")
    for kind in ["request_info", "decline", "due_soon"]:
        notice(people.requester_in, kind, request)
    notice(people.requester_in2, "decline", request)
    sign_in(client, people.requester_in)
    response = client.post("/notifications/read-all/")
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=people.requester_in, read_at=None).exists()
    assert Notification.objects.filter(recipient=people.requester_in2, read_at=None).exists()
    page = client.get("/notifications/").content.decode()
    assert "You have read everything." in page and '<span class="count"' not in page


def test_marking_read_takes_a_post(client, people, make_request):
    mine = notice(people.requester_in, "decline", make_request("submitted"))
    sign_in(client, people.requester_in)
    assert client.get(f"/notifications/{mine.pk}/read/").status_code == 405
    assert client.get("/notifications/read-all/").status_code == 405


def test_notifications_are_paginated_with_bounded_queries(
    client, people, make_request, django_assert_max_num_queries
):
    request = make_request("submitted")
    for minutes in range(30):
        notice(people.requester_in, "due_soon", request, minutes_ago=minutes)
    sign_in(client, people.requester_in)
    with django_assert_max_num_queries(12):
        first = client.get("/notifications/").content.decode()
    assert first.count("data-notice=") == 25 and "Page 1 of 2" in first
    second = client.get("/notifications/?page=2").content.decode()
    assert second.count("data-notice=") == 5
