"""Comments, attachments and the event log of a request, over HTTP."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from requests_app.exceptions import InvalidInput
from requests_app.models import Attachment, Comment, Event
from requests_app.services import attachments

from .conftest import url

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <</Type /Catalog>> endobj\ntrailer <<>>\n%%EOF\n"


def upload(client, reference: str, name: str, content: bytes, content_type="application/pdf"):
    return client.post(
        url(reference, "attachments"),
        {"file": SimpleUploadedFile(name, content, content_type=content_type)},
        format="multipart",
    )


# --- comments ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "visibility"),
    [
        ("requester_in", "shared"),
        ("liaison_us", "shared"),
        ("liaison_us", "internal"),
        ("reviewer_us", "internal"),
        ("supplier_us", "shared"),
    ],
)
def test_a_comment_is_added_by_those_who_may(api, people, request_in, who, visibility):
    target = request_in("with_supplier")

    response = api(who).post(
        url(target.reference, "comments"),
        {"body": "Status?", "visibility": visibility},
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["author"], body["visibility"], body["body"]) == (
        getattr(people, who).username,
        visibility,
        "Status?",
    )
    assert set(body) == {"id", "author", "body", "visibility", "created_at"}


def test_a_comment_is_shared_unless_said_otherwise(api, request_in):
    target = request_in("submitted")

    response = api("liaison_us").post(
        url(target.reference, "comments"), {"body": "Received."}, format="json"
    )

    assert response.json()["visibility"] == "shared"


@pytest.mark.parametrize("who", ["requester_in", "supplier_us"])
def test_requesters_and_suppliers_may_not_post_internal_comments(api, request_in, who):
    target = request_in("with_supplier")

    response = api(who).post(
        url(target.reference, "comments"),
        {"body": "Psst", "visibility": "internal"},
        format="json",
    )

    assert response.status_code == 403
    assert not Comment.objects.filter(request=target, body="Psst").exists()


def test_observers_read_but_do_not_comment(api, request_in):
    target = request_in("submitted")

    response = api("observer_us").post(
        url(target.reference, "comments"), {"body": "Hi"}, format="json"
    )

    assert response.status_code == 403
    assert api("observer_us").get(url(target.reference, "comments")).status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "body"),
        ({"body": ""}, "body"),
        ({"body": "x" * 5001}, "body"),
        ({"body": "ok", "visibility": "secret"}, "visibility"),
    ],
)
def test_a_bad_comment_is_a_400_naming_the_field(api, request_in, body, field):
    target = request_in("submitted")

    response = api("liaison_us").post(url(target.reference, "comments"), body, format="json")

    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_comments_are_listed_oldest_first(api, request_in):
    target = request_in("submitted")
    client = api("requester_in")
    for text in ("first", "second", "third"):
        client.post(url(target.reference, "comments"), {"body": text}, format="json")

    listed = client.get(url(target.reference, "comments")).json()

    assert [comment["body"] for comment in listed] == ["first", "second", "third"]


def test_a_question_and_its_answer_appear_as_shared_comments(api, request_in):
    target = request_in("needs_info")
    api("requester_in").post(url(target.reference, "answer"), {"answer": "Lot 7"}, format="json")

    listed = api("supplier_us").get(url(target.reference, "comments"))
    assert listed.status_code == 404  # not forwarded to it: it does not see the request at all
    bodies = [c["body"] for c in api("requester_in").get(url(target.reference, "comments")).json()]
    assert bodies == ["Which NSN applies?", "Lot 7"]


# --- attachments ------------------------------------------------------------------------------


def test_an_uploaded_pdf_is_stored_with_its_size_and_sha256(api, people, request_in):
    target = request_in("submitted")

    response = upload(api("requester_in"), target.reference, "Test report 7.pdf", PDF)

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["name"] == "Test report 7.pdf"
    assert body["size"] == len(PDF)
    assert body["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert body["content_type"] == "application/pdf"
    assert body["uploaded_by"] == "requester.in"
    assert body["download_url"] == url(target.reference, f"attachments/{body['id']}")
    stored = Attachment.objects.get(pk=body["id"])
    assert "Test report" not in stored.file.name  # stored under a random name
    event = Event.objects.filter(request=target, action="attach").get()
    assert event.data["sha256"] == body["sha256"]


def test_a_download_returns_the_same_bytes_as_an_attachment(api, request_in):
    target = request_in("submitted")
    uploaded = upload(api("requester_in"), target.reference, "spec.pdf", PDF).json()

    response = api("liaison_us").get(uploaded["download_url"])

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment")
    assert 'filename="spec.pdf"' in response["Content-Disposition"]
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_attachments_are_listed_for_whoever_sees_the_request(api, request_in):
    target = request_in("with_supplier")
    upload(api("requester_in"), target.reference, "a.pdf", PDF)
    upload(api("supplier_us"), target.reference, "b.txt", b"plain notes\n", "text/plain")

    listed = api("reviewer_us").get(url(target.reference, "attachments")).json()

    assert [(a["name"], a["uploaded_by"]) for a in listed] == [
        ("a.pdf", "requester.in"),
        ("b.txt", "supplier.us"),
    ]


def test_an_unknown_attachment_id_is_404(api, request_in):
    target = request_in("submitted")

    response = api("requester_in").get(url(target.reference, "attachments/999999"))

    assert response.status_code == 404
    assert "errors" in response.json()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("../../etc/passwd", b"root:x:0:0:root:/root:/bin/bash\n"),
        ("report.html", b"<html><body>hi</body></html>"),
        ("payload.exe", b"MZ\x90\x00"),
        ("invoice.pdf", b"<script>alert(document.cookie)</script>"),
        ("notes.txt", b"<!DOCTYPE html><script>alert(1)</script>"),
        ("photo.png", PDF),
        ("no-extension", b"hello"),
        (".hidden.pdf", PDF),
        ("x" * 197 + ".pdf", PDF),
    ],
    ids=[
        "path-traversal",
        "html",
        "executable",
        "script-as-pdf",
        "html-as-text",
        "pdf-as-png",
        "no-extension",
        "dot-file",
        "name-too-long",
    ],
)
def test_an_unsafe_upload_is_refused_with_a_400_naming_the_file(api, request_in, name, content):
    target = request_in("submitted")

    response = upload(api("requester_in"), target.reference, name, content)

    assert response.status_code == 400, response.json()
    assert response.json()["errors"]["file"][0]
    assert not Attachment.objects.exists()


def test_a_path_in_an_upload_name_is_dropped_and_never_used(api, request_in):
    target = request_in("submitted")

    response = upload(api("requester_in"), target.reference, "..\\..\\boot.pdf", PDF)

    assert response.status_code == 201
    assert response.json()["name"] == "boot.pdf"
    assert Attachment.objects.get().file.name.startswith("attachments/")


@pytest.mark.parametrize("name", ["../../etc/passwd.pdf", "a/b.pdf", "a\\b.pdf", "<x>.pdf"])
def test_the_name_check_refuses_paths_whatever_the_parser_left(name):
    with pytest.raises(InvalidInput) as refused:
        attachments.check_name(name)

    assert "file" in refused.value.errors


def test_an_empty_file_is_refused(api, request_in):
    target = request_in("submitted")

    response = upload(api("requester_in"), target.reference, "empty.pdf", b"")

    assert response.status_code == 400
    assert "file" in response.json()["errors"]


def test_a_file_over_the_size_limit_is_refused(api, request_in, settings):
    settings.SOSA_ATTACHMENT_MAX_BYTES = 64
    target = request_in("submitted")

    response = upload(api("requester_in"), target.reference, "big.pdf", PDF + b"0" * 64)

    assert response.status_code == 400
    assert "larger than" in response.json()["errors"]["file"][0]
    assert not Attachment.objects.exists()


def test_a_file_at_the_size_limit_is_accepted(api, request_in, settings):
    settings.SOSA_ATTACHMENT_MAX_BYTES = len(PDF)
    target = request_in("submitted")

    response = upload(api("requester_in"), target.reference, "exact.pdf", PDF)

    assert response.status_code == 201


def test_an_upload_without_a_file_names_the_field(api, request_in):
    target = request_in("submitted")

    response = api("requester_in").post(
        url(target.reference, "attachments"), {"other": "x"}, format="multipart"
    )

    assert response.status_code == 400
    assert "file" in response.json()["errors"]


def test_an_upload_as_json_is_refused_as_unsupported(api, request_in):
    target = request_in("submitted")

    response = api("requester_in").post(
        url(target.reference, "attachments"), {"file": "JVBERi0="}, format="json"
    )

    assert response.status_code == 415
    assert "errors" in response.json()


def test_observers_may_not_upload(api, request_in):
    target = request_in("submitted")

    response = upload(api("observer_in"), target.reference, "a.pdf", PDF)

    assert response.status_code == 403


# --- events -----------------------------------------------------------------------------------


def test_the_events_tell_the_life_cycle_in_order(api, people, request_in):
    target = request_in("accepted")

    events = api("requester_in").get(url(target.reference, "events")).json()

    assert [(e["action"], e["from_state"], e["to_state"]) for e in events] == [
        ("create", "", "draft"),
        ("submit", "draft", "submitted"),
        ("triage", "submitted", "in_review"),
        ("determine", "in_review", "awaiting_authorisation"),
        ("authorise", "awaiting_authorisation", "approved"),
        ("forward", "approved", "with_supplier"),
        ("supplier_accept", "with_supplier", "accepted"),
    ]
    assert [e["actor"] for e in events] == [
        "requester.in",
        "requester.in",
        "liaison.us",
        "reviewer.us",
        "authority.us",
        "liaison.us",
        "supplier.us",
    ]
    assert events[3]["data"] == {"rating": "DX-A1"}
    assert events[4]["data"] == {"rating": "DX-A1", "bis_case_number": "BIS-26-0042"}
    assert set(events[0]) == {
        "id",
        "action",
        "actor",
        "from_state",
        "to_state",
        "data",
        "created_at",
    }


def test_the_events_include_comments_and_attachments(api, request_in):
    target = request_in("submitted")
    client = api("requester_in")
    client.post(url(target.reference, "comments"), {"body": "Hello"}, format="json")
    upload(client, target.reference, "a.pdf", PDF)

    actions = [e["action"] for e in client.get(url(target.reference, "events")).json()]

    assert actions[-2:] == ["comment", "attach"]
