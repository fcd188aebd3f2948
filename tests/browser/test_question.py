"""Answers are answers, in a real browser (issue 16 point 4): while a question is open the
requester's page starts with it; "Answer now" opens the answer form; the answer goes with a
file; and a comment typed while the question is open asks "Send this as your answer?"."""

import pytest
from playwright.sync_api import expect

from requests_app import services
from requests_app.models import Attachment, PriorityRequest

from .test_story import PDF, person

pytestmark = pytest.mark.django_db(transaction=True)
QUESTION = "Which variant of the gyroscope: GY-200 or GY-210?"


def test_the_requester_answers_the_open_question_from_its_banner(
    live_server, browser, people, make_request, tmp_path
):
    request = services.request_info(
        make_request("submitted"), by=people.liaison_us, question=QUESTION
    )
    drawing = tmp_path / "drawing.pdf"
    drawing.write_bytes(PDF)
    page = person(browser, live_server.url, "requester.in")
    page.goto(f"{live_server.url}/requests/{request.reference}/")

    banner = page.locator("[data-question]")
    expect(banner).to_contain_text("(US liaison officer) asks:")
    expect(banner).to_contain_text(QUESTION)

    # A comment typed now asks first, and can go as the answer.
    page.fill("#id_comment_body", "GY-200, as on the contract.")
    page.get_by_role("button", name="Add comment").click()
    expect(page.get_by_role("heading", name="Send this as your answer?")).to_be_visible()
    page.get_by_role("button", name="Post it as a comment only").click()
    expect(page.locator(".messages")).to_contain_text("Comment added.")
    assert PriorityRequest.objects.get(pk=request.pk).state == "needs_info"

    # "Answer now" opens the answer form; the answer carries the drawing.
    page.locator("[data-answer-now]").click()
    answer = page.locator("#act-answer")
    expect(answer).to_have_attribute("open", "")
    answer.locator("textarea").fill("GY-200; the drawing is attached.")
    answer.locator('input[type="file"]').set_input_files(str(drawing))
    answer.get_by_role("button", name="Answer the question").click()

    expect(page.locator(".messages")).to_contain_text("done")
    expect(page.locator("[data-question]")).to_have_count(0)
    assert PriorityRequest.objects.get(pk=request.pk).state == "submitted"
    assert list(Attachment.objects.values_list("name", flat=True)) == ["drawing.pdf"]
