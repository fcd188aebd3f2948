"""The filing form validates once (issue 16 point 6): every problem in one round, files that
passed are kept for the next round, "Check your answers" before sending, and an item needed
after the request's own date is flagged."""

from __future__ import annotations

import datetime as dt
import os
import re

from django.core.files.uploadedfile import SimpleUploadedFile

from requests_app.models import Attachment, PriorityRequest
from tests.helpers import flashed, sign_in, text_of

from .test_request_pages import IN_A_YEAR, PDF, draft_form, error_next_to

YESTERDAY = (dt.date.today() - dt.timedelta(days=1)).isoformat()


def held_tokens(html: str) -> list[str]:
    return re.findall(r'<input type="hidden" name="held" value="([^"]+)">', html)


def test_every_problem_is_reported_in_one_round(client, people):
    sign_in(client, people.requester_in)
    needed_later = (dt.date.fromisoformat(IN_A_YEAR) + dt.timedelta(days=30)).isoformat()
    data = draft_form(
        people,
        title="",
        justification="",
        required_delivery_date=IN_A_YEAR,
        items=[
            {"description": "Gyroscope", "quantity": "0"},
            {"description": "Seal kit", "quantity": "2", "required_date": needed_later},
        ],
        attachments=[SimpleUploadedFile("tool.exe", b"MZ\x90\x00")],
        submit="",
    )

    response = client.post("/requests/new/", data)

    html = text_of(response)
    assert response.status_code == 400
    assert "This field is required." in error_next_to(html, "id_title")
    assert "This field is required." in error_next_to(html, "id_justification")  # a submit rule
    assert "at least 1" in error_next_to(html, "id_items-0-quantity")
    assert "after the request&#x27;s required delivery date" in error_next_to(
        html, "id_items-1-required_date"
    )
    assert "tool.exe" in error_next_to(html, "id_attachments")
    # The summary on top names each by its label and links to it.
    assert '<a href="#id_justification">Why it is urgent:' in html
    assert '<a href="#id_items-1-required_date">Item 2, needed by:' in html
    assert PriorityRequest.objects.count() == 0


def test_a_file_that_passed_is_kept_for_the_next_round_and_attached_then(client, people):
    sign_in(client, people.requester_in)
    spec = SimpleUploadedFile("spec.pdf", PDF, content_type="application/pdf")
    first = client.post("/requests/new/", draft_form(people, title="", attachments=[spec], save=""))

    html = text_of(first)
    assert first.status_code == 400
    assert "you need not choose it again" in html
    tokens = held_tokens(html)
    assert len(tokens) == 1 and "spec.pdf" in html

    second = client.post("/requests/new/", draft_form(people, held=tokens, save=""), follow=True)

    draft = PriorityRequest.objects.get()
    assert draft.attachments.get().name == "spec.pdf"
    assert draft.attachments.get().file.read() == PDF
    assert f"Draft {draft.reference} was saved" in " ".join(flashed(second))


def test_a_kept_file_can_be_removed_and_another_persons_token_holds_nothing(
    client, people, make_request
):
    sign_in(client, people.requester_in)
    spec = SimpleUploadedFile("spec.pdf", PDF, content_type="application/pdf")
    tokens = held_tokens(
        text_of(client.post("/requests/new/", draft_form(people, title="", attachments=[spec])))
    )
    client.post("/requests/new/", draft_form(people, held=tokens, drop_held=tokens, save=""))
    assert Attachment.objects.count() == 0  # removed, not attached

    other = SimpleUploadedFile("other.pdf", PDF, content_type="application/pdf")
    foreign = held_tokens(
        text_of(client.post("/requests/new/", draft_form(people, title="", attachments=[other])))
    )
    sign_in(client, people.requester_us)
    client.post(
        "/requests/new/",
        draft_form(people, responding_nation=str(people.india.pk), held=foreign, save=""),
    )
    assert Attachment.objects.filter(name="other.pdf").count() == 0
    forged = client.post("/requests/new/", draft_form(people, held=["forged:token"], title=""))
    assert forged.status_code == 400  # the title, not a 500 for the token


def test_continue_shows_the_answers_with_change_links_and_sends_nothing(client, people):
    sign_in(client, people.requester_in)

    page = client.post("/requests/new/", draft_form(people, submit=""), follow=True)

    draft = PriorityRequest.objects.get()
    html = text_of(page)
    assert draft.state == "draft"
    assert "Check your answers before sending" in html
    assert "Why it is urgent" in html and "Fleet grounding risk without spares." in html
    assert f'href="/requests/{draft.reference}/edit/#id_justification"' in html
    assert "Send to United States" in html
    assert "Gyroscope" in html


def test_the_check_page_says_what_stops_sending_and_offers_no_send_button(
    client, people, make_request
):
    draft = make_request("draft")
    PriorityRequest.objects.filter(pk=draft.pk).update(justification="")
    sign_in(client, people.requester_in)

    html = text_of(client.get(f"/requests/{draft.reference}/check/"))

    assert "It cannot be sent yet" in html
    assert "data-send" not in html


def test_only_the_drafts_nation_checks_it(client, people, make_request):
    draft = make_request("draft")
    sign_in(client, people.requester_in)
    submitted = make_request("submitted")

    response = client.get(f"/requests/{submitted.reference}/check/", follow=True)

    assert response.redirect_chain[-1][0] == f"/requests/{submitted.reference}/"
    sign_in(client, people.liaison_us)
    assert client.get(f"/requests/{draft.reference}/check/").status_code == 404


def test_an_item_needed_after_the_request_date_stops_the_submission_everywhere(
    people, make_request
):
    from requests_app import services
    from requests_app.exceptions import InvalidInput

    draft = make_request("draft")
    item = draft.items.first()
    item.required_date = draft.required_delivery_date + dt.timedelta(days=1)
    item.save()

    try:
        services.submit(draft, by=people.requester_in)
    except InvalidInput as error:
        assert list(error.errors) == ["items[0].required_date"]
    else:
        raise AssertionError("submitted an item needed after the request's date")


def test_a_draft_is_deleted_after_a_confirmation_with_its_items_files_and_history(
    client, people, make_request, django_capture_on_commit_callbacks
):
    from requests_app.models import Event

    draft = make_request("draft")
    sign_in(client, people.requester_in)
    client.post(
        f"/requests/{draft.reference}/attach/",
        {"files": [SimpleUploadedFile("spec.pdf", PDF, content_type="application/pdf")]},
    )
    stored = Attachment.objects.get(request=draft).file
    path = stored.path

    asking = client.get(f"/requests/{draft.reference}/delete/")
    assert "This cannot be undone" in text_of(asking)
    assert PriorityRequest.objects.filter(pk=draft.pk).exists()  # a GET deletes nothing

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/requests/{draft.reference}/delete/",
            {"version": PriorityRequest.objects.get(pk=draft.pk).version},
            follow=True,
        )

    assert f"Draft {draft.reference} was deleted" in " ".join(flashed(response))
    assert response.redirect_chain[-1][0] == "/requests/"
    assert not PriorityRequest.objects.filter(pk=draft.pk).exists()
    assert not Event.objects.filter(request_id=draft.pk).exists()
    assert not os.path.exists(path)
    assert client.get(f"/requests/{draft.reference}/").status_code == 404


def test_a_sent_request_or_another_nations_draft_is_never_deleted(client, people, make_request):
    sent = make_request("submitted")
    draft = make_request("draft")
    sign_in(client, people.requester_in)
    client.post(f"/requests/{sent.reference}/delete/", {"version": sent.version})
    assert PriorityRequest.objects.filter(pk=sent.pk).exists()

    sign_in(client, people.requester_us)
    assert client.post(f"/requests/{draft.reference}/delete/").status_code == 404
    assert PriorityRequest.objects.filter(pk=draft.pk).exists()
