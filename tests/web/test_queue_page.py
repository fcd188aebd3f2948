"""The liaison officer's queue: priority order, filters, bulk assignment and the CSV export."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from requests_app import services
from requests_app.models import PriorityRequest
from tests.helpers import flashed, references_on, sign_in, support, text_of


def csv_rows(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


def rated(make_request, people, rating: str):
    request = make_request("in_review")
    return support(
        request, by=people.reviewer_us, rating=rating, program_symbol="G2", note="Needed."
    )


def set_due(request, due_at) -> None:
    PriorityRequest.objects.filter(pk=request.pk).update(due_at=due_at)


@pytest.mark.parametrize(
    "person", ["requester_in", "reviewer_us", "supplier_us", "observer_us", "requester_gb"]
)
def test_the_queue_is_not_found_for_anyone_but_liaison_officers(client, people, person):
    sign_in(client, getattr(people, person))
    assert client.get("/queue/").status_code == 404
    assert client.post("/queue/assign/", {"references": ["X"]}).status_code == 404


def test_the_queue_renders_for_a_liaison_officer_with_an_empty_state(client, people):
    sign_in(client, people.liaison_us)
    response = client.get("/queue/")
    assert response.status_code == 200
    assert "Nothing needs your nation now." in text_of(response)
    assert "No open requests in this view." in text_of(client.get("/queue/?view=all"))


def test_the_queue_orders_dx_then_do_then_unrated_then_by_due_time(client, people, make_request):
    unrated = make_request("submitted")
    do_late = rated(make_request, people, "DO")
    do_early = rated(make_request, people, "DO")
    dx = rated(make_request, people, "DX")
    resolved = make_request("submitted")
    services.withdraw(resolved, by=people.requester_in, reason="Not needed.")
    now = dt.datetime.now(dt.UTC)
    set_due(do_late, now + dt.timedelta(days=3))
    set_due(do_early, now + dt.timedelta(days=1))
    sign_in(client, people.liaison_us)

    response = client.get("/queue/?view=all")

    assert references_on(response) == [
        dx.reference,
        do_early.reference,
        do_late.reference,
        unrated.reference,
    ]


def test_the_queue_filters_by_state_rating_nation_assignee_overdue_and_search(
    client, people, make_request
):
    submitted = make_request("submitted", title="Valve castings")
    in_review = make_request("in_review", title="Radar spares")
    dx = rated(make_request, people, "DX")
    set_due(submitted, dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    sign_in(client, people.liaison_us)

    def listed(**params) -> set[str]:
        return set(references_on(client.get("/queue/", {"view": "all", **params})))

    assert listed(state="submitted") == {submitted.reference}
    assert listed(rating="DX") == {dx.reference}
    assert listed(assignee="reviewer.us") == {in_review.reference}
    # A rated request is with its supplier: its assignee is the officer who forwarded it.
    assert listed(assignee="liaison.us") == {dx.reference}
    assert listed(overdue="true") == {submitted.reference}
    assert listed(q="radar") == {in_review.reference}
    assert listed(requesting_nation="IN") == {
        submitted.reference,
        in_review.reference,
        dx.reference,
    }
    assert listed(responding_nation="IN") == set()
    assert "No open requests match these filters." in text_of(
        client.get("/queue/", {"responding_nation": "IN"})
    )


def test_code_of_conduct_requests_rank_by_urgency_having_no_rating(
    client, people, make_coc_request
):
    routine = make_coc_request("submitted", urgency="routine")
    emergency = make_coc_request("submitted", urgency="emergency")
    urgent = make_coc_request("submitted", urgency="urgent")
    sign_in(client, people.liaison_in)

    assert references_on(client.get("/queue/")) == [
        emergency.reference,
        urgent.reference,
        routine.reference,
    ]


def test_the_queue_filters_by_route(client, people, make_request, make_coc_request):
    # liaison.in answers US→India requests (Code of Conduct) and endorses India's own (DPAS).
    conduct = make_coc_request("submitted")
    dpas = make_request("awaiting_endorsement")
    sign_in(client, people.liaison_in)

    assert references_on(client.get("/queue/", {"route": "code_of_conduct"})) == [conduct.reference]
    assert references_on(client.get("/queue/", {"route": "dpas"})) == [dpas.reference]


def test_only_requests_the_officer_may_triage_have_a_checkbox(client, people, make_request):
    submitted = make_request("submitted")
    in_review = make_request("in_review")
    sign_in(client, people.liaison_us)

    html = text_of(client.get("/queue/"))

    assert f'value="{submitted.reference}" form="bulk"' in html
    assert f'value="{in_review.reference}" form="bulk"' not in html
    assert 'name="assignee"' in html


def test_bulk_assign_triages_each_submitted_request_and_reports_each_result(
    client, people, make_request
):
    first = make_request("submitted")
    second = make_request("submitted")
    already = make_request("in_review")
    sign_in(client, people.liaison_us)

    response = client.post(
        "/queue/assign/",
        {
            "references": [first.reference, second.reference, already.reference],
            "assignee": people.reviewer_us.pk,
            "next": "/queue/?state=submitted",
        },
        follow=True,
    )

    assert response.redirect_chain[0][0] == "/queue/?state=submitted"
    for request in (first, second):
        request.refresh_from_db()
        assert request.state == "in_review"
        assert request.assignee == people.reviewer_us
        assert request.events.filter(action="triage", actor=people.liaison_us).exists()
    notes = " ".join(flashed(response))
    assert f"2 requests assigned to reviewer.us: {first.reference}, {second.reference}" in notes
    assert f"{already.reference} was not assigned" in notes


def test_bulk_assign_reports_a_stale_row_and_assigns_the_others(client, people, make_request):
    fresh = make_request("submitted")
    stale = make_request("submitted")
    sign_in(client, people.liaison_us)

    response = client.post(
        "/queue/assign/",
        {
            "references": [fresh.reference, stale.reference],
            f"version-{fresh.reference}": fresh.version,
            f"version-{stale.reference}": stale.version - 1,
            "assignee": people.reviewer_us.pk,
        },
        follow=True,
    )

    fresh.refresh_from_db()
    stale.refresh_from_db()
    assert (fresh.state, stale.state) == ("in_review", "submitted")
    assert f"{stale.reference} was not assigned: someone else changed it" in " ".join(
        flashed(response)
    )


def test_bulk_assign_refuses_an_assignee_of_another_nation_and_an_empty_selection(
    client, people, make_request
):
    submitted = make_request("submitted")
    sign_in(client, people.liaison_us)

    wrong = client.post(
        "/queue/assign/",
        {"references": [submitted.reference], "assignee": people.reviewer_in.pk},
        follow=True,
    )
    nothing = client.post("/queue/assign/", {"assignee": people.reviewer_us.pk}, follow=True)

    submitted.refresh_from_db()
    assert submitted.state == "submitted"
    assert "Choose the person" in " ".join(flashed(wrong))
    assert "Select at least one request" in " ".join(flashed(nothing))


def test_bulk_assign_does_not_reveal_requests_outside_the_officers_view(
    client, people, make_request
):
    hidden = f"GB-{dt.date.today().year}-00001"
    sign_in(client, people.liaison_us)
    response = client.post(
        "/queue/assign/",
        {"references": [hidden], "assignee": people.reviewer_us.pk},
        follow=True,
    )
    assert f"{hidden}: no such request." in " ".join(flashed(response))


def test_the_csv_export_is_exactly_the_filtered_list_across_all_pages(client, people, make_request):
    submitted = [make_request("submitted", title=f"Part {n}") for n in range(28)]
    make_request("in_review")
    services.add_comment(
        submitted[0], by=people.liaison_us, body="SECRET-INTERNAL-NOTE", visibility="internal"
    )
    sign_in(client, people.liaison_us)
    filters = {"state": "submitted"}

    first = client.get("/queue/", filters)
    second = client.get("/queue/", {**filters, "after": first.context["page"].next_cursor})
    pages = references_on(first) + references_on(second)
    rows = csv_rows(client.get("/queue/", {**filters, "format": "csv"}))

    assert rows[0][:3] == ["reference", "title", "state"]
    assert [row[0] for row in rows[1:]] == pages
    assert len(pages) == 28
    assert {row[2] for row in rows[1:]} == {"submitted"}
    assert "SECRET-INTERNAL-NOTE" not in str(rows)


def test_the_csv_export_keeps_formulas_in_titles_as_text(client, people, make_request):
    make_request("submitted", title='=HYPERLINK("http://evil")')
    sign_in(client, people.liaison_us)
    rows = csv_rows(client.get("/queue/", {"format": "csv"}))
    assert rows[1][1].startswith("'=")


@pytest.mark.parametrize("count", [5, 60])
def test_the_queue_costs_the_same_number_of_queries_for_5_or_60_requests(
    client, people, make_request, django_assert_max_num_queries, count
):
    for _ in range(count):
        make_request("submitted")
    sign_in(client, people.liaison_us)
    client.get("/queue/")  # warm the session

    with django_assert_max_num_queries(10):
        response = client.get("/queue/")
    assert response.status_code == 200


@pytest.mark.django_db
def test_the_home_tiles_filters_exist_in_the_queue(client, people, make_request):
    """The liaison home links to /queue/?view=all&due_soon=true and ?view=escalated."""
    from django.utils import timezone

    soon, late, calm = (make_request("submitted") for _ in range(3))
    now = timezone.now()
    # The sweep marks "due soon" (ladder level 0) one working day before due.
    PriorityRequest.objects.filter(pk=soon.pk).update(
        due_at=now + dt.timedelta(hours=3), escalation_level=0
    )
    PriorityRequest.objects.filter(pk=late.pk).update(
        due_at=now - dt.timedelta(days=3), escalation_level=2, escalated_at=now
    )
    PriorityRequest.objects.filter(pk=calm.pk).update(due_at=now + dt.timedelta(days=5))
    sign_in(client, people.liaison_us)
    due_soon = client.get("/queue/?view=all&due_soon=true").content.decode()
    assert soon.reference in due_soon
    assert late.reference not in due_soon and calm.reference not in due_soon
    escalated = client.get("/queue/?view=escalated").content.decode()
    assert late.reference in escalated
    assert soon.reference not in escalated and calm.reference not in escalated


def test_the_csv_names_the_route_the_rating_its_bis_case_and_both_signers(
    client, people, make_request
):
    approved = make_request("approved")
    sign_in(client, people.liaison_us)

    rows = csv_rows(client.get("/queue/", {"format": "csv"}))
    row = dict(zip(rows[0], rows[1], strict=True))

    assert row["reference"] == approved.reference
    assert (row["route"], row["rating"], row["bis_case_number"]) == ("dpas", "DX-A1", "BIS-26-0042")
    assert (row["determined_by"], row["approved_by"]) == ("reviewer.us", "authority.us")
