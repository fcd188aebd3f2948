"""The queue shows the officer's own work first (issue 16 point 2): "Needs us now" by default,
the views with their counts, saved views, click-to-sort, watching, and "Next in queue"."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from requests_app.models import PriorityRequest, SavedView, Watch
from tests.helpers import flashed, references_on, sign_in, text_of

LONG_AGO = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)


def set_due(request, due_at) -> None:
    PriorityRequest.objects.filter(pk=request.pk).update(due_at=due_at)


@pytest.fixture
def mixed(people, make_request, make_coc_request):
    """India→US requests at several stages, and a US→India one India must triage."""
    return {
        "to_triage": make_request("submitted", title="To triage"),
        "to_forward": make_request("approved", title="To forward"),
        "reviewing": make_request("in_review", title="Calm review"),
        "late_review": make_request("in_review", title="Late review"),
        "with_supplier": make_request("with_supplier", title="At the firm"),
        "for_india": make_coc_request("submitted", title="For India to triage"),
    }


def test_the_queue_opens_on_what_the_officers_nation_must_act_on(client, people, mixed):
    set_due(mixed["late_review"], LONG_AGO)
    sign_in(client, people.liaison_us)

    response = client.get("/queue/")

    shown = set(references_on(response))
    wanted = {mixed[key].reference for key in ("to_triage", "to_forward", "late_review")}
    assert shown == wanted  # not the calm review, the firm's, nor India's own triage
    assert "Needs us now" in text_of(response)
    assert "data-then-the-rest" in text_of(response)


def test_india_needs_what_india_must_do(client, people, mixed):
    sign_in(client, people.liaison_in)

    response = client.get("/queue/")

    assert references_on(response) == [mixed["for_india"].reference]


def test_an_officer_with_nothing_to_do_is_told_so_and_offered_the_rest(client, people, mixed):
    for request in mixed.values():
        if request.state in ("submitted", "approved"):
            PriorityRequest.objects.filter(pk=request.pk).update(state="in_review")
    sign_in(client, people.liaison_us)

    page = text_of(client.get("/queue/"))

    assert "Nothing needs your nation now." in page
    assert 'href="?view=all"' in page


def view_counts(response) -> dict[str, str]:
    return {
        key: count
        for key, count in re.findall(
            r'data-view="([a-z_]+)"><span>[^<]*</span> <span class="count" data-count>([^<]+)<',
            text_of(response),
        )
    }


def test_the_side_list_counts_each_view(client, people, mixed):
    set_due(mixed["late_review"], LONG_AGO)
    PriorityRequest.objects.filter(pk=mixed["reviewing"].pk).update(assignee=people.liaison_us)
    sign_in(client, people.liaison_us)

    counts = view_counts(client.get("/queue/"))

    assert counts == {
        "needs_us": "3",
        "all": "6",  # India's triage is visible to the US officer too
        "awaiting_triage": "2",
        "overdue": "1",
        "escalated": "0",
        "mine": "3",  # the review given to the officer, and the two the officer forwards
        "watching": "0",
    }
    assert set(references_on(client.get("/queue/?view=mine"))) == {
        mixed[key].reference for key in ("reviewing", "to_forward", "with_supplier")
    }
    assert len(references_on(client.get("/queue/?view=all"))) == 6


def test_a_side_count_past_its_bound_reads_as_more(client, people, mixed, monkeypatch):
    from requests_app.web import queue_views

    monkeypatch.setattr(queue_views, "SIDE_COUNT_LIMIT", 2)
    sign_in(client, people.liaison_us)

    counts = view_counts(client.get("/queue/"))

    assert counts["all"] == "2+"  # six, counted no further than the bound
    assert counts["needs_us"] == "2"  # exactly at the bound: still a number
    assert counts["awaiting_triage"] == "2"
    assert counts["escalated"] == "0"


def test_an_officer_saves_a_view_opens_it_and_deletes_it(client, people, mixed):
    sign_in(client, people.liaison_us)

    response = client.post(
        "/queue/views/",
        {"name": "Reviews", "query": "view=all&state=in_review&after=junk"},
        follow=True,
    )

    assert "View “Reviews” saved." in " ".join(flashed(response))
    saved = SavedView.objects.get(owner=people.liaison_us)
    assert saved.query == "view=all&state=in_review"  # never a page position
    assert sorted(references_on(response)) == sorted(
        [mixed["reviewing"].reference, mixed["late_review"].reference]
    )
    page = text_of(response)
    assert re.search(
        r'aria-current="page" data-saved-view><span>Reviews</span> '
        r'<span class="count" data-count>2<',
        page,
    )

    again = client.post("/queue/views/", {"name": "Reviews", "query": "view=all"}, follow=True)
    assert "already have a view named “Reviews”" in " ".join(flashed(again))
    nameless = client.post("/queue/views/", {"name": " ", "query": "view=all"}, follow=True)
    assert "Give the view a name" in " ".join(flashed(nameless))

    gone = client.post(f"/queue/views/{saved.pk}/delete/", follow=True)
    assert "View “Reviews” deleted." in " ".join(flashed(gone))
    assert not SavedView.objects.exists()


def test_nobody_deletes_another_officers_view(client, people):
    theirs = SavedView.objects.create(owner=people.liaison_in, name="Mine", query="view=all")
    sign_in(client, people.liaison_us)
    assert client.post(f"/queue/views/{theirs.pk}/delete/").status_code == 404
    assert SavedView.objects.filter(pk=theirs.pk).exists()


def test_columns_sort_by_the_url_and_say_so(client, people, mixed):
    now = dt.datetime.now(dt.UTC)
    for request in mixed.values():
        set_due(request, now + dt.timedelta(days=30))
    for days, key in enumerate(("with_supplier", "reviewing", "to_triage"), start=1):
        set_due(mixed[key], now + dt.timedelta(days=days))
    sign_in(client, people.liaison_us)

    response = client.get("/queue/?view=all&sort=due_at")

    assert references_on(response)[:3] == [
        mixed[key].reference for key in ("with_supplier", "reviewing", "to_triage")
    ]
    assert re.search(
        r'<th scope="col" aria-sort="ascending"><a class="sort-link" href="[^"]*">Due<',
        text_of(response),
    )
    newest = references_on(client.get("/queue/?view=all&sort=-created_at"))
    oldest = references_on(client.get("/queue/?view=all&sort=created_at"))
    assert newest == oldest[::-1]
    # An unknown order is the default one, not an error.
    assert client.get("/queue/?sort=title;drop").status_code == 200


def test_the_filter_form_keeps_the_view_and_the_sort(client, people, mixed):
    sign_in(client, people.liaison_us)
    page = text_of(client.get("/queue/?view=all&sort=due_at"))
    assert '<input type="hidden" name="view" value="all">' in page
    assert '<input type="hidden" name="sort" value="due_at">' in page


def test_a_watched_request_is_under_watching(client, people, mixed):
    watched = mixed["with_supplier"]
    sign_in(client, people.liaison_us)

    response = client.post(f"/requests/{watched.reference}/watch/", {"watch": "1"}, follow=True)

    assert "You are watching" in " ".join(flashed(response))
    assert 'aria-pressed="true" data-watch' in text_of(response)
    assert references_on(client.get("/queue/?view=watching")) == [watched.reference]
    client.post(f"/requests/{watched.reference}/watch/", {"watch": "0"})
    assert not Watch.objects.exists()


def test_nobody_watches_what_they_may_not_see(client, people, make_request):
    draft = make_request("draft")
    sign_in(client, people.liaison_us)
    assert client.post(f"/requests/{draft.reference}/watch/").status_code == 404


def test_next_in_queue_opens_the_next_request_needing_us_then_says_the_queue_is_clear(
    client, people, mixed
):
    sign_in(client, people.liaison_us)
    first = references_on(client.get("/queue/"))
    assert len(first) == 2

    opened = client.get("/queue/next/")
    assert opened["Location"] == f"/requests/{first[0]}/"
    following = client.get(f"/queue/next/?from={first[0]}")
    assert following["Location"] == f"/requests/{first[1]}/"
    wrapped = client.get(f"/queue/next/?from={first[1]}")
    assert wrapped["Location"] == f"/requests/{first[0]}/"
    page = text_of(client.get(f"/requests/{first[0]}/"))
    assert f'href="/queue/next/?from={first[0]}" data-next-in-queue' in page

    PriorityRequest.objects.filter(reference__in=first).update(state="in_review")
    clear = client.get("/queue/next/", follow=True)
    assert "Nothing else needs your nation now" in " ".join(flashed(clear))


def test_the_liaison_home_shows_the_same_needs_us_rows(client, people, mixed):
    sign_in(client, people.liaison_us)
    queue = references_on(client.get("/queue/"))
    home = re.findall(r'<tr data-reference="([^"]+)">', text_of(client.get("/")))
    assert home == queue


@pytest.mark.parametrize("count", [5, 60])
def test_the_queue_with_saved_views_and_a_sort_costs_at_most_ten_queries(
    client, people, make_request, django_assert_max_num_queries, count
):
    for _ in range(count):
        make_request("submitted")
    for name in ("One", "Two", "Three"):
        SavedView.objects.create(owner=people.liaison_us, name=name, query="view=all&rating=DX")
    sign_in(client, people.liaison_us)
    client.get("/queue/")  # warm the session

    with django_assert_max_num_queries(10):
        response = client.get("/queue/?view=all&sort=due_at")
    assert response.status_code == 200
    assert len(references_on(response)) == min(count, 25)


def test_the_side_counts_are_kept_briefly_and_the_officers_own_change_shows_at_once(
    client, people, mixed, settings
):
    from django.core.cache import cache

    settings.SOSA_QUEUE_COUNTS_SECONDS = 30
    cache.delete(f"queue-side-counts:{people.liaison_us.pk}")
    sign_in(client, people.liaison_us)
    assert view_counts(client.get("/queue/"))["watching"] == "0"

    # A change made elsewhere shows within the keeping time, not on the next page.
    Watch.objects.create(user=people.liaison_us, request=mixed["reviewing"])
    assert view_counts(client.get("/queue/"))["watching"] == "0"
    # The officer's own change shows at once.
    client.post(f"/requests/{mixed['to_triage'].reference}/watch/", {"watch": "1"})
    assert view_counts(client.get("/queue/"))["watching"] == "2"
