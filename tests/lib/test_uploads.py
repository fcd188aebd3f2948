"""sosa_portal.lib.uploads: an upload is refused before it is stored (issue 17, point 9)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from requests_app.models import Attachment
from sosa_portal.lib.uploads import SizeLimitedUploadHandler, TooLargeUpload
from tests.helpers import client_for, sign_in, text_of


@pytest.fixture
def small_limits(settings):
    settings.SOSA_ATTACHMENT_MAX_BYTES = 64 * 1024
    settings.SOSA_UPLOAD_MAX_BYTES = 256 * 1024


def test_an_announced_body_over_the_limit_is_a_413_before_it_is_read(
    client, people, make_request, small_limits
):
    target = make_request("submitted")
    sign_in(client, people.requester_in)

    response = client.generic(
        "POST",
        f"/requests/{target.reference}/attach/",
        b"",  # nothing sent: only the announced length is looked at
        CONTENT_TYPE="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(300 * 1024 * 1024),
    )
    api = client_for(people.requester_in).generic(
        "POST", "/api/v1/requests/", b"", CONTENT_TYPE="application/json",
        CONTENT_LENGTH=str(300 * 1024 * 1024),
    )  # fmt: skip

    assert response.status_code == 413 and "nothing was stored" in text_of(response)
    assert api.status_code == 413 and api.json()["errors"]["detail"]
    assert not Attachment.objects.exists()


def test_a_file_over_the_limit_is_not_kept_and_the_page_names_it(
    client, people, make_request, small_limits
):
    target = make_request("submitted")
    sign_in(client, people.requester_in)
    big = SimpleUploadedFile("drawing.pdf", b"%PDF-1.4\n" + b"0" * (200 * 1024))

    response = client.post(f"/requests/{target.reference}/attach/", {"files": [big]})

    assert response.status_code == 400
    assert "larger than 64" in text_of(response)
    assert not Attachment.objects.exists()


def test_a_file_under_the_limit_is_kept(client, people, make_request, small_limits):
    target = make_request("submitted")
    sign_in(client, people.requester_in)
    fine = SimpleUploadedFile("drawing.pdf", b"%PDF-1.4\n" + b"0" * (20 * 1024))

    client.post(f"/requests/{target.reference}/attach/", {"files": [fine]})

    assert Attachment.objects.get().size == fine.size


def test_the_handler_stops_passing_a_file_on_at_the_limit(small_limits):
    handler = SizeLimitedUploadHandler()
    handler.new_file("files", "drawing.pdf", "application/pdf", None)
    chunk = b"0" * (40 * 1024)

    passed_on = [handler.receive_data_chunk(chunk, start) for start in range(5)]
    kept = handler.file_complete(5 * len(chunk))

    assert passed_on == [chunk, None, None, None, None]  # nothing after 64 KiB reaches storage
    assert isinstance(kept, TooLargeUpload)
    assert (kept.name, kept.size, list(kept.chunks())) == ("drawing.pdf", 200 * 1024, [])
