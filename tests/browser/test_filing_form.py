"""The filing form in a real browser (issue 16 point 6): a file of a refused type or over the
size limit is taken out of the choice before any upload, with a message naming it; a file that
passed is kept when the page comes back with errors; "Continue" leads to "Check your answers"."""

import pytest
from playwright.sync_api import expect

from requests_app.models import PriorityRequest

from .test_story import PDF, person

pytestmark = pytest.mark.django_db(transaction=True)


def test_files_are_checked_before_upload_and_kept_across_a_round_with_errors(
    live_server, browser, people, settings
):
    settings.SOSA_ATTACHMENT_MAX_BYTES = 1024
    page = person(browser, live_server.url, "requester.in")
    page.goto(f"{live_server.url}/requests/new/")
    page.select_option("#id_responding_nation", label="United States (US)")
    files = page.locator("#id_attachments")

    files.set_input_files(
        files=[
            {"name": "tool.exe", "mimeType": "application/octet-stream", "buffer": b"MZ"},
            {"name": "huge.pdf", "mimeType": "application/pdf", "buffer": PDF + b"0" * 2048},
            {"name": "spec.pdf", "mimeType": "application/pdf", "buffer": PDF},
        ]
    )

    status = page.locator("[data-file-check-status]")
    expect(status).to_contain_text("tool.exe is not a file type the portal accepts")
    expect(status).to_contain_text("huge.pdf is larger than 1.0 KB")
    assert files.evaluate("input => Array.from(input.files).map(f => f.name)") == ["spec.pdf"]

    # Sent without a title: the page comes back with the error, and spec.pdf kept.
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator("#error-summary")).to_contain_text("Title")
    expect(page.locator("[data-held-files]")).to_contain_text("spec.pdf")
    page.fill("#id_title", "Gyroscopes for the Tejas fleet")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".messages")).to_contain_text("was saved")
    draft = PriorityRequest.objects.get()
    assert [a.name for a in draft.attachments.all()] == ["spec.pdf"]
