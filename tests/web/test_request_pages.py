"""The request pages: list, filing form, request page, its action forms, comments, attachments."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from requests_app import services
from requests_app.api.action_bodies import ACTION_SERIALIZERS
from requests_app.models import Attachment, PriorityRequest, Visibility
from requests_app.web.action_forms import ACTION_FORMS
from tests import factories as f
from tests.helpers import flashed, sign_in, support, text_of, us_working_day

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
IN_A_YEAR = (dt.date.today() + dt.timedelta(days=365)).isoformat()
IN_A_MONTH = us_working_day(30).isoformat()
YESTERDAY = (dt.date.today() - dt.timedelta(days=1)).isoformat()


def draft_form(people, **overrides) -> dict:
    """What a requester types into the filing form, with `rows` item rows."""
    rows = overrides.pop("items", [{"description": "Gyroscope", "quantity": "4"}])
    data = {
        "title": "Gyroscopes for the Tejas fleet",
        "responding_nation": str(people.us.pk),
        "requesting_agency": "",
        "urgency": "urgent",
        "required_delivery_date": IN_A_YEAR,
        "contract_number": "W58RGZ-26-C-0042",
        "program": "Tejas Mk1A",
        "justification": "Fleet grounding risk without spares.",
        "prime_contractor": "",
        "supplier_tier": "",
        "end_user": "Indian Air Force",
        "steps_taken": "",
        "export_jurisdiction": "ITAR",
        "export_classification": "XIX(f)",
        "licence_status": "pending",
        "handling_marking": "REL TO USA, IND",
        "items-TOTAL_FORMS": str(len(rows)),
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "1",
        "items-MAX_NUM_FORMS": "200",
    }
    for index, row in enumerate(rows):
        for name in ("description", "part_number", "nsn", "quantity", "unit", "required_date"):
            data[f"items-{index}-{name}"] = row.get(name, "each" if name == "unit" else "")
    data.update(overrides)
    return data


def error_next_to(html: str, field_id: str) -> str:
    """The error list rendered for the input with this id ('' when none)."""
    found = re.search(
        rf'<ul class="errorlist" id="{re.escape(field_id)}_error">(.*?)</ul>', html, re.S
    )
    return found[1] if found else ""


# --- who may open which page ----------------------------------------------------------------


@pytest.mark.parametrize(
    "person", ["requester_in", "liaison_us", "reviewer_us", "observer_in", "supplier_us"]
)
def test_the_request_list_and_page_render_for_everyone_who_sees_the_request(
    client, people, make_request, person
):
    target = make_request("with_supplier")
    sign_in(client, getattr(people, person))

    listed = client.get("/requests/")
    page = client.get(f"/requests/{target.reference}/")

    assert listed.status_code == 200
    assert target.reference in text_of(listed)
    assert page.status_code == 200
    assert "DX-A1" in text_of(page)


def test_pages_ask_anonymous_visitors_to_sign_in(client, make_request):
    target = make_request("submitted")
    for url in ("/requests/", "/requests/new/", f"/requests/{target.reference}/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_a_requester_of_another_nation_gets_not_found_for_every_page_of_a_request(
    client, people, make_request
):
    target = make_request("accepted")
    attachment = services.add_attachment(
        target, by=people.requester_in, uploaded=SimpleUploadedFile("spec.pdf", PDF)
    )
    sign_in(client, people.requester_gb)
    base = f"/requests/{target.reference}"

    assert client.get(f"{base}/").status_code == 404
    assert client.get(f"{base}/edit/").status_code == 404
    assert client.post(f"{base}/act/withdraw/", {"reason": "x"}).status_code == 404
    assert client.post(f"{base}/comment/", {"body": "hello"}).status_code == 404
    assert client.get(f"{base}/attachments/{attachment.pk}/").status_code == 404
    assert target.reference not in text_of(client.get("/requests/"))
    searched = client.get("/requests/", {"q": target.reference})
    assert list(searched.context["page"].object_list) == []


def test_a_supplier_does_not_see_a_request_not_forwarded_to_it(client, people, make_request):
    target = make_request("with_supplier")
    sign_in(client, people.other_supplier_us)
    assert client.get(f"/requests/{target.reference}/").status_code == 404


def test_only_requesters_may_open_the_filing_form(client, people):
    sign_in(client, people.liaison_us)
    response = client.get("/requests/new/", follow=True)
    assert response.redirect_chain[-1][0] == "/requests/"
    assert "Only requesters file new requests" in " ".join(flashed(response))

    sign_in(client, people.requester_in)
    form = client.get("/requests/new/")
    assert form.status_code == 200
    html = text_of(form)
    assert 'name="items-TOTAL_FORMS"' in html
    assert "items-formset.js" in html
    # The responding-nation picker offers the partners, not the requester's own nation.
    assert f'<option value="{people.us.pk}">' in html
    assert f'<option value="{people.india.pk}">' not in html


# --- the list -------------------------------------------------------------------------------


def test_the_list_filters_by_state_rating_nation_and_search(client, people, make_request):
    rated = make_request("approved", title="Radar spares")
    submitted = make_request("submitted", title="Valve assemblies")
    sign_in(client, people.liaison_us)

    by_state = text_of(client.get("/requests/", {"state": "submitted"}))
    by_rating = text_of(client.get("/requests/", {"rating": "DX"}))
    by_search = text_of(client.get("/requests/", {"q": "valve"}))
    by_nation = text_of(client.get("/requests/", {"requesting_nation": "GB"}))

    assert submitted.reference in by_state and rated.reference not in by_state
    assert rated.reference in by_rating and submitted.reference not in by_rating
    assert submitted.reference in by_search and rated.reference not in by_search
    assert "No requests match these filters." in by_nation


def test_the_list_filters_by_route_and_offers_both(client, people, make_request, make_coc_request):
    dpas = make_request("submitted", title="Radar spares")
    conduct = make_coc_request("submitted", title="Forgings")
    sign_in(client, people.liaison_in)

    page = text_of(client.get("/requests/", {"route": "code_of_conduct"}))

    assert conduct.reference in page and dpas.reference not in page
    assert '<option value="code_of_conduct" selected>Code of Conduct</option>' in page
    assert '<option value="dpas">DPAS</option>' in page


def test_the_list_marks_overdue_requests_and_filters_them(client, people, make_request):
    late = make_request("submitted", title="Late one")
    on_time = make_request("submitted", title="On time")
    PriorityRequest.objects.filter(pk=late.pk).update(
        due_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC), escalated_at=dt.datetime.now(dt.UTC)
    )
    sign_in(client, people.liaison_us)

    overdue = text_of(client.get("/requests/", {"overdue": "true"}))

    assert late.reference in overdue and on_time.reference not in overdue
    assert "badge--overdue" in overdue and "badge--escalated" in overdue


def test_the_list_shows_a_clear_empty_state(client, people):
    sign_in(client, people.requester_in)
    html = text_of(client.get("/requests/"))
    assert "There are no requests yet." in html
    assert "File a new request" in html


def test_the_list_pages_through_many_requests(client, people, make_request):
    for number in range(27):
        make_request("draft", title=f"Draft {number}")
    sign_in(client, people.requester_in)

    first = client.get("/requests/")
    second = client.get("/requests/", {"after": first.context["page"].next_cursor})

    assert len(first.context["page"].object_list) == 25
    assert len(second.context["page"].object_list) == 2
    assert "27 requests you can see" in text_of(first)
    assert 'rel="next"' in text_of(first) and 'rel="prev"' in text_of(second)


@pytest.mark.parametrize("count", [5, 30])
def test_the_list_costs_the_same_number_of_queries_for_5_or_30_requests(
    client, people, make_request, django_assert_max_num_queries, count
):
    for _ in range(count):
        make_request("submitted")
    sign_in(client, people.liaison_us)
    client.get("/requests/")  # warm the session

    with django_assert_max_num_queries(14):
        response = client.get("/requests/")
    assert response.status_code == 200


# --- the filing form ------------------------------------------------------------------------


def test_saving_a_draft_with_two_items_and_an_attachment_shows_its_reference(client, people):
    sign_in(client, people.requester_in)
    data = draft_form(
        people,
        items=[
            {"description": "Gyroscope", "part_number": "GY-200", "quantity": "4"},
            {"description": "Mounting kit", "nsn": "5340-01-123-4567", "quantity": "2"},
        ],
        attachments=[SimpleUploadedFile("spec.pdf", PDF, content_type="application/pdf")],
        save="",
    )

    response = client.post("/requests/new/", data, follow=True)

    draft = PriorityRequest.objects.get()
    assert response.redirect_chain[-1][0] == f"/requests/{draft.reference}/"
    assert draft.state == "draft"
    assert [item.description for item in draft.items.all()] == ["Gyroscope", "Mounting kit"]
    assert draft.attachments.get().name == "spec.pdf"
    assert draft.handling_marking == "REL TO USA, IND"
    assert f"Draft {draft.reference} was saved" in " ".join(flashed(response))


def test_submitting_the_form_files_the_request_and_confirms_the_reference(client, people):
    sign_in(client, people.requester_in)
    data = draft_form(
        people,
        items=[
            {"description": "Gyroscope", "quantity": "4"},
            {"description": "Mounting kit", "quantity": "2"},
        ],
        attachments=[SimpleUploadedFile("spec.pdf", PDF, content_type="application/pdf")],
        submit="",
    )

    checking = client.post("/requests/new/", data, follow=True)

    draft = PriorityRequest.objects.get()
    assert checking.redirect_chain[-1][0] == f"/requests/{draft.reference}/check/"
    assert draft.state == "draft"  # nothing is sent before the answers are checked
    assert "Check your answers before sending" in text_of(checking)
    response = client.post(
        f"/requests/{draft.reference}/act/submit/", {"version": draft.version}, follow=True
    )

    filed = PriorityRequest.objects.get()
    assert filed.state == "submitted"
    assert filed.items.count() == 2
    assert filed.attachments.count() == 1
    assert f"Request {filed.reference} was submitted" in " ".join(flashed(response))
    assert response.redirect_chain[-1][0] == f"/requests/{filed.reference}/"
    page = text_of(response)
    assert "2 working days left: due" in page
    assert "close of business in Washington, 17:00 E" in page  # the US must triage it
    assert "your time" in page  # requester.in reads in India


def test_a_missing_title_is_shown_next_to_the_title_and_nothing_is_saved(client, people):
    sign_in(client, people.requester_in)

    response = client.post("/requests/new/", draft_form(people, title="", save=""))

    assert response.status_code == 400
    assert "This field is required." in error_next_to(text_of(response), "id_title")
    assert 'aria-invalid="true"' in text_of(response)
    assert PriorityRequest.objects.count() == 0


def test_a_past_required_date_is_shown_next_to_the_date_on_submit(client, people):
    sign_in(client, people.requester_in)
    data = draft_form(people, required_delivery_date=YESTERDAY, submit="")

    response = client.post("/requests/new/", data)

    assert response.status_code == 400
    assert "must be in the future" in error_next_to(text_of(response), "id_required_delivery_date")
    # Submitting is all or nothing: no half-filed draft is left behind.
    assert PriorityRequest.objects.count() == 0
    # What the person typed is still there.
    assert 'value="Gyroscopes for the Tejas fleet"' in text_of(response)


def test_a_zero_quantity_on_item_row_two_is_shown_next_to_that_row(client, people):
    sign_in(client, people.requester_in)
    data = draft_form(
        people,
        items=[
            {"description": "Gyroscope", "quantity": "4"},
            {"description": "Mounting kit", "quantity": "0"},
        ],
        save="",
    )

    html = text_of(client.post("/requests/new/", data))

    assert "at least 1" in error_next_to(html, "id_items-1-quantity")
    assert error_next_to(html, "id_items-0-quantity") == ""
    assert "Item 2, quantity" in html  # the summary at the top links to the row


def test_a_refused_attachment_is_shown_next_to_the_file_input_and_nothing_is_saved(client, people):
    sign_in(client, people.requester_in)
    data = draft_form(people, attachments=[SimpleUploadedFile("tool.exe", b"MZ\x90\x00")], save="")

    response = client.post("/requests/new/", data)

    assert response.status_code == 400
    assert "tool.exe" in error_next_to(text_of(response), "id_attachments")
    assert PriorityRequest.objects.count() == 0
    assert Attachment.objects.count() == 0


def test_a_draft_is_edited_with_its_version_and_a_stale_version_is_explained(
    client, people, make_request
):
    draft = make_request("draft")
    sign_in(client, people.requester_in)
    page = client.get(f"/requests/{draft.reference}/edit/")
    assert page.status_code == 200
    assert 'value="Gyroscopes for the Tejas fleet"' in text_of(page)

    data = draft_form(people, title="Gyroscopes, revised", version=str(draft.version), save="")
    assert client.post(f"/requests/{draft.reference}/edit/", data).status_code == 302
    draft.refresh_from_db()
    assert draft.title == "Gyroscopes, revised"

    stale = draft_form(people, title="Overwrite", version=str(draft.version - 1), save="")
    response = client.post(f"/requests/{draft.reference}/edit/", stale)
    assert response.status_code == 409
    assert "Someone else changed this request" in " ".join(flashed(response))
    draft.refresh_from_db()
    assert draft.title == "Gyroscopes, revised"


def test_a_submitted_request_can_no_longer_be_edited(client, people, make_request):
    target = make_request("submitted")
    sign_in(client, people.requester_in)
    response = client.get(f"/requests/{target.reference}/edit/")
    assert response.status_code == 302
    assert response["Location"] == f"/requests/{target.reference}/"


# --- the request page -----------------------------------------------------------------------


def test_the_request_page_shows_the_deadline_items_attachments_and_timeline(
    client, people, make_request
):
    target = make_request("with_supplier", handling_marking="CUI")
    attachment = services.add_attachment(
        target, by=people.requester_in, uploaded=SimpleUploadedFile("spec.pdf", PDF)
    )
    sign_in(client, people.liaison_us)

    html = text_of(client.get(f"/requests/{target.reference}/"))

    assert "10 working days left: due" in html
    assert "DX-rated order: 10 working days after receipt" in html  # the explanation
    assert "Supplier" in html and "Acme Gyro Inc" in html  # ball in court and supplier
    assert "Gyroscope assembly" in html and "GY-200" in html
    assert attachment.sha256 in html
    assert f"/requests/{target.reference}/attachments/{attachment.pk}/" in html
    for step in (
        "submitted the request",
        "made the program determination and recommended DX-A1",
        "authorised the rating DX-A1 under BIS case BIS-26-0042",
        "forwarded it to Acme Gyro Inc",
    ):
        assert step in html


def test_an_attachment_downloads_as_a_file_for_those_who_see_the_request(
    client, people, make_request
):
    target = make_request("submitted")
    attachment = services.add_attachment(
        target, by=people.requester_in, uploaded=SimpleUploadedFile("spec.pdf", PDF)
    )
    sign_in(client, people.liaison_us)

    response = client.get(f"/requests/{target.reference}/attachments/{attachment.pk}/")

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "spec.pdf" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF


def test_buttons_are_only_those_the_person_may_take_now(client, people, make_request):
    target = make_request("submitted")

    sign_in(client, people.liaison_us)
    liaison_html = text_of(client.get(f"/requests/{target.reference}/"))
    sign_in(client, people.requester_in)
    requester_html = text_of(client.get(f"/requests/{target.reference}/"))
    sign_in(client, people.observer_us)
    observer_html = text_of(client.get(f"/requests/{target.reference}/"))

    assert "/act/triage/" in liaison_html and "/act/decline/" in liaison_html
    assert "/act/withdraw/" not in liaison_html
    assert "/act/withdraw/" in requester_html and "/act/triage/" not in requester_html
    assert "/act/" not in observer_html
    assert 'name="version" value="' in liaison_html


def test_the_assignee_and_supplier_pickers_offer_only_eligible_people_and_suppliers(
    client, people, make_request
):
    submitted = make_request("submitted")
    sign_in(client, people.liaison_us)
    panels = client.get(f"/requests/{submitted.reference}/").context["panels"]
    triage = next(panel for panel in panels if panel["action"] == "triage")["form"]
    # The US's reviewers and liaison officers (whichever nation a liaison officer serves).
    assert set(triage.fields["assignee"].queryset) == {
        people.liaison_us,
        people.liaison_us_gb,
        people.reviewer_us,
    }

    # A US→India request rated by India: only Code of Conduct signatories of India.
    sign_in(client, people.requester_us)
    outbound = f.draft(people.requester_us, people.india)
    outbound = services.submit(outbound, by=people.requester_us)
    outbound = services.triage(outbound, by=people.liaison_in, assignee=people.reviewer_in)
    outbound = support(
        outbound, by=people.reviewer_in, rating="DO", program_symbol="G2", note="Needed."
    )
    sign_in(client, people.liaison_in)
    response = client.get(f"/requests/{outbound.reference}/")
    forward = next(p for p in response.context["panels"] if p["action"] == "forward")["form"]
    assert list(forward.fields["supplier"].queryset) == [people.company_in_signed]


def test_each_action_form_has_the_fields_of_the_api_body_of_that_action():
    # The page answers every item at one date; per-item answers are the API's for now.
    api_only = {"supplier_accept": {"items", "rejected_items"}}
    # An answer on the page may carry files (the API attaches them with its own call).
    page_only = {"answer": {"attachments"}}
    for action, form_class in ACTION_FORMS.items():
        fields = set(ACTION_SERIALIZERS[action]().fields) - api_only.get(action, set())
        fields |= page_only.get(action, set())
        assert set(form_class.base_fields) == fields, action


LIFE_CYCLE = [
    # (action, from state, actor, form fields, state after)
    ("submit", "draft", "requester_in", {}, "submitted"),
    ("request_info", "submitted", "liaison_us", {"question": "Which tail numbers?"}, "needs_info"),
    ("triage", "submitted", "liaison_us", {"assignee": "reviewer_us"}, "in_review"),
    ("decline", "in_review", "reviewer_us", {"reason": "No program determination."}, "resolved"),
    ("endorse", "awaiting_endorsement", "liaison_in", {"note": "India endorses it."}, "submitted"),
    (
        "determine",
        "in_review",
        "reviewer_us",
        {"rating": "DX", "program_symbol": "G2", "note": "Supports G2."},
        "awaiting_authorisation",
    ),
    (
        "authorise",
        "awaiting_authorisation",
        "authority_us",
        {"bis_case_number": "BIS-26-0107", "rating": "DX", "program_symbol": "A1", "note": "OK."},
        "approved",
    ),
    ("approve", "coc_in_review", "reviewer_in", {"note": "India's MoD supports it."}, "approved"),
    ("forward", "approved", "liaison_us", {"supplier": "company_us"}, "with_supplier"),
    ("close_unfulfilled", "approved", "liaison_us", {"reason": "No supplier."}, "resolved"),
    (
        "supplier_accept",
        "with_supplier",
        "supplier_us",
        {"committed_delivery_date": IN_A_MONTH},
        "accepted",
    ),
    (
        "supplier_reject",
        "with_supplier",
        "supplier_us",
        {"reason": "Line full.", "earliest_date": IN_A_MONTH},
        "approved",
    ),
    (
        "report_delay",
        "accepted",
        "supplier_us",
        {"reason": "Casting scrap.", "committed_delivery_date": IN_A_YEAR},
        "accepted",
    ),
    ("fulfil", "accepted", "liaison_us", {"delivered_on": YESTERDAY}, "resolved"),
    ("withdraw", "submitted", "requester_in", {"reason": "No longer needed."}, "resolved"),
]


@pytest.mark.parametrize(
    ("action", "start", "actor", "fields", "after"), LIFE_CYCLE, ids=[row[0] for row in LIFE_CYCLE]
)
def test_each_action_form_posts_and_changes_the_state_through_the_services(
    client, people, make_request, make_coc_request, action, start, actor, fields, after
):
    target = (
        make_coc_request(start.removeprefix("coc_"))
        if start.startswith("coc_")
        else make_request(start)
    )
    posted = {
        name: str(getattr(people, value).pk) if hasattr(people, value) else value
        for name, value in fields.items()
    }
    sign_in(client, getattr(people, actor))
    page = client.get(f"/requests/{target.reference}/")
    assert f"/act/{action}/" in text_of(page)

    response = client.post(
        f"/requests/{target.reference}/act/{action}/",
        {**posted, "version": target.version},
        follow=True,
    )

    target.refresh_from_db()
    assert target.state == after
    assert target.events.filter(action=action).exists()
    assert response.status_code == 200
    assert ("done" if action != "submit" else "was submitted to") in " ".join(flashed(response))


def test_answering_a_question_resumes_the_request(client, people, make_request):
    target = make_request("submitted")
    target = services.request_info(target, by=people.liaison_us, question="Which tails?")
    sign_in(client, people.requester_in)

    client.post(
        f"/requests/{target.reference}/act/answer/",
        {"answer": "KH-101 to KH-112.", "version": target.version},
    )

    target.refresh_from_db()
    assert target.state == "submitted"


def test_a_supplier_that_rejects_is_sent_back_to_the_list(client, people, make_request):
    target = make_request("with_supplier")
    sign_in(client, people.supplier_us)
    response = client.post(
        f"/requests/{target.reference}/act/supplier_reject/",
        {"reason": "Line full.", "earliest_date": IN_A_MONTH, "version": target.version},
    )
    assert response["Location"] == "/requests/"


def test_an_action_of_another_role_is_refused_with_a_message_not_a_crash(
    client, people, make_request
):
    target = make_request("submitted")
    sign_in(client, people.requester_in)

    response = client.post(
        f"/requests/{target.reference}/act/triage/",
        {"assignee": people.reviewer_us.pk, "version": target.version},
    )

    assert response.status_code == 403
    assert "may not" in " ".join(flashed(response))
    target.refresh_from_db()
    assert target.state == "submitted"


def test_an_action_not_allowed_in_the_current_state_is_explained(client, people, make_request):
    target = make_request("in_review")
    sign_in(client, people.liaison_us)

    response = client.post(
        f"/requests/{target.reference}/act/triage/",
        {"assignee": people.reviewer_us.pk, "version": target.version},
    )

    assert response.status_code == 409
    assert f"Cannot triage {target.reference}: it is in review." in flashed(response)


def test_a_stale_version_shows_the_conflict_and_the_latest_request(client, people, make_request):
    target = make_request("submitted")
    old_version = target.version
    services.request_info(target, by=people.liaison_us, question="Which tails?")
    services.answer(target, by=people.requester_in, answer="KH-101.")
    sign_in(client, people.liaison_us)

    response = client.post(
        f"/requests/{target.reference}/act/triage/",
        {"assignee": people.reviewer_us.pk, "version": old_version},
    )

    assert response.status_code == 409
    assert "Someone else changed this request" in " ".join(flashed(response))
    target.refresh_from_db()
    assert target.state == "submitted"
    assert f'name="version" value="{target.version}"' in text_of(response)


def test_invalid_action_input_is_shown_in_its_open_panel_keeping_what_was_typed(
    client, people, make_request
):
    target = make_request("in_review")
    sign_in(client, people.reviewer_us)

    response = client.post(
        f"/requests/{target.reference}/act/determine/",
        {"rating": "DX", "program_symbol": "", "note": "Supports G2.", "version": target.version},
    )

    html = text_of(response)
    assert response.status_code == 400
    assert "This field is required." in error_next_to(html, "id_determine_program_symbol")
    assert 'id="act-determine" open' in html
    assert "Supports G2." in html
    target.refresh_from_db()
    assert target.state == "in_review"


def test_a_past_committed_date_from_the_service_is_shown_next_to_the_date(
    client, people, make_request
):
    target = make_request("with_supplier")
    sign_in(client, people.supplier_us)

    response = client.post(
        f"/requests/{target.reference}/act/supplier_accept/",
        {"committed_delivery_date": "2020-01-01", "version": target.version},
    )

    assert response.status_code == 400
    assert "cannot be in the past" in error_next_to(
        text_of(response), "id_supplier_accept_committed_delivery_date"
    )


# --- comments and attachments on the request page -------------------------------------------


def test_an_internal_comment_is_read_by_the_liaison_but_not_the_requester_or_supplier(
    client, people, make_request
):
    target = make_request("with_supplier")
    sign_in(client, people.liaison_us)
    response = client.post(
        f"/requests/{target.reference}/comment/",
        {"body": "Supplier is slow; chase on Monday.", "visibility": "internal"},
        follow=True,
    )
    assert "Supplier is slow; chase on Monday." in text_of(response)
    assert "internal" in text_of(response)
    assert target.comments.get().visibility == Visibility.INTERNAL

    for outsider in (people.requester_in, people.supplier_us):
        sign_in(client, outsider)
        html = text_of(client.get(f"/requests/{target.reference}/"))
        assert "Supplier is slow" not in html
    sign_in(client, people.reviewer_us)
    assert "Supplier is slow" in text_of(client.get(f"/requests/{target.reference}/"))


def test_a_requester_may_only_write_shared_comments(client, people, make_request):
    target = make_request("submitted")
    sign_in(client, people.requester_in)
    page = text_of(client.get(f"/requests/{target.reference}/"))
    assert 'value="internal"' not in page

    response = client.post(
        f"/requests/{target.reference}/comment/",
        {"body": "Please hurry.", "visibility": "internal"},
    )

    assert response.status_code == 403
    assert target.comments.count() == 0


def test_an_empty_comment_is_refused_next_to_the_box(client, people, make_request):
    target = make_request("submitted")
    sign_in(client, people.requester_in)
    response = client.post(f"/requests/{target.reference}/comment/", {"body": "  "})
    assert response.status_code == 400
    assert "required" in error_next_to(text_of(response), "id_comment_body")


def test_files_are_attached_from_the_request_page_and_bad_ones_are_refused(
    client, people, make_request
):
    target = make_request("submitted")
    sign_in(client, people.requester_in)

    ok = client.post(
        f"/requests/{target.reference}/attach/",
        {"files": [SimpleUploadedFile("a.pdf", PDF), SimpleUploadedFile("b.txt", b"notes")]},
    )
    bad = client.post(
        f"/requests/{target.reference}/attach/",
        {"files": [SimpleUploadedFile("fake.pdf", b"not a pdf")]},
    )

    assert ok.status_code == 302
    assert sorted(target.attachments.values_list("name", flat=True)) == ["a.pdf", "b.txt"]
    assert bad.status_code == 400
    assert "fake.pdf" in error_next_to(text_of(bad), "id_attach_files")
    assert target.attachments.count() == 2
