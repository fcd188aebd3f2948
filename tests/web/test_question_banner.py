"""Answers are answers (issue 16 point 4): while a question is open the request page starts
with it, the answer may carry files, and a comment typed then asks "Send this as your answer?"."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from requests_app import services
from requests_app.models import Attachment, Comment, PriorityRequest
from tests.helpers import flashed, sign_in, text_of

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
QUESTION = "Which variant of the gyroscope: GY-200 or GY-210?"


@pytest.fixture
def asked(people, make_request):
    people.liaison_us.first_name, people.liaison_us.last_name = "Sarah", "Whitman"
    people.liaison_us.save()
    request = make_request("submitted")
    return services.request_info(request, by=people.liaison_us, question=QUESTION)


def test_the_request_page_starts_with_the_open_question_and_an_answer_link(client, people, asked):
    sign_in(client, people.requester_in)

    page = text_of(client.get(f"/requests/{asked.reference}/"))

    banner = page[page.index("data-question") : page.index('class="page-head"')]
    assert "Sarah Whitman (liaison.us) (US liaison officer) asks:" in banner
    assert QUESTION in banner
    assert 'href="?open=answer#act-answer" data-answer-now' in banner
    opened = text_of(client.get(f"/requests/{asked.reference}/?open=answer"))
    assert 'id="act-answer" open' in opened


def test_an_official_who_cannot_answer_sees_the_question_without_the_button(client, people, asked):
    sign_in(client, people.liaison_us)
    page = text_of(client.get(f"/requests/{asked.reference}/"))
    assert QUESTION in page and "data-question" in page
    assert "data-answer-now" not in page


def test_no_banner_once_answered(client, people, asked):
    services.answer(asked, by=people.requester_in, answer="GY-200.")
    sign_in(client, people.requester_in)
    assert "data-question" not in text_of(client.get(f"/requests/{asked.reference}/"))


def test_an_answer_carries_its_files(client, people, asked):
    sign_in(client, people.requester_in)

    response = client.post(
        f"/requests/{asked.reference}/act/answer/",
        {
            "answer": "GY-200; the drawing is attached.",
            "attachments": [SimpleUploadedFile("drawing.pdf", PDF, content_type="application/pdf")],
        },
        follow=True,
    )

    assert response.status_code == 200
    assert PriorityRequest.objects.get(pk=asked.pk).state == "submitted"
    assert list(Attachment.objects.filter(request=asked).values_list("name", flat=True)) == [
        "drawing.pdf"
    ]
    assert "drawing.pdf" in text_of(response)


def test_a_refused_file_keeps_the_question_open_and_nothing_is_stored(client, people, asked):
    sign_in(client, people.requester_in)

    response = client.post(
        f"/requests/{asked.reference}/act/answer/",
        {"answer": "See the tool.", "attachments": [SimpleUploadedFile("tool.exe", b"MZ\x90")]},
    )

    assert response.status_code == 400
    assert "tool.exe" in text_of(response)
    assert PriorityRequest.objects.get(pk=asked.pk).state == "needs_info"
    assert not Attachment.objects.filter(request=asked).exists()


def test_a_comment_during_an_open_question_asks_to_send_it_as_the_answer(client, people, asked):
    sign_in(client, people.requester_in)
    comments_before = Comment.objects.filter(request=asked).count()

    prompt = client.post(f"/requests/{asked.reference}/comment/", {"body": "It is GY-200."})

    assert prompt.status_code == 200
    page = text_of(prompt)
    assert "Send this as your answer?" in page
    assert '<input type="hidden" name="answer" value="It is GY-200.">' in page
    assert Comment.objects.filter(request=asked).count() == comments_before  # nothing yet

    as_answer = client.post(
        f"/requests/{asked.reference}/act/answer/", {"answer": "It is GY-200."}, follow=True
    )
    assert "done" in " ".join(flashed(as_answer))
    assert PriorityRequest.objects.get(pk=asked.pk).state == "submitted"


def test_a_comment_may_still_be_only_a_comment(client, people, asked):
    sign_in(client, people.requester_in)

    response = client.post(
        f"/requests/{asked.reference}/comment/",
        {"body": "Checking with the depot.", "send_as": "comment"},
        follow=True,
    )

    assert "Comment added." in flashed(response)
    assert PriorityRequest.objects.get(pk=asked.pk).state == "needs_info"
    assert Comment.objects.filter(request=asked, body="Checking with the depot.").exists()
