"""The tenant rule over HTTP: outside your view a request does not exist, whatever you call."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from requests_app import services
from requests_app.models import Attachment, Comment, PriorityRequest
from requests_app.transitions import TRANSITIONS

from .conftest import url

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
INTERNAL = "Internal: supplier is on the watch list, keep this between officials."
SHARED = "Shared: please confirm the NSN."
NOT_FOUND = {"errors": {"detail": ["Not found."]}}
OUTSIDERS = [
    "requester_gb",
    "liaison_gb",
    "reviewer_gb",
    "observer_gb",
    "supplier_gb",
    "other_supplier_us",  # a supplier of the right nation that it was never forwarded to
]


def pdf(name: str = "spec.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def india_us(people, request_in):
    """An accepted India→US request with shared and internal comments and an attachment."""
    request = request_in("accepted")
    services.add_comment(request, by=people.requester_in, body=SHARED, visibility="shared")
    services.add_comment(request, by=people.liaison_us, body=INTERNAL, visibility="internal")
    services.add_comment(request, by=people.reviewer_us, body=INTERNAL, visibility="internal")
    services.add_attachment(request, by=people.requester_in, uploaded=pdf())
    return PriorityRequest.objects.get(pk=request.pk)


def calls(reference: str, attachment_id: int):
    """(method, path, body, format) for every endpoint that names a request."""
    yield "get", url(reference), None, None
    yield "patch", url(reference), {"title": "Mine now"}, "json"
    for transition in TRANSITIONS.values():
        yield "post", url(reference, transition.url_name), {"reason": "x"}, "json"
    yield "get", url(reference, "comments"), None, None
    yield "post", url(reference, "comments"), {"body": "Hello"}, "json"
    yield "get", url(reference, "attachments"), None, None
    yield "post", url(reference, "attachments"), {"file": pdf("mine.pdf")}, "multipart"
    yield "get", url(reference, f"attachments/{attachment_id}"), None, None
    yield "get", url(reference, "events"), None, None


def call(client, method, path, body, fmt):
    if body is None:
        return getattr(client, method)(path)
    return getattr(client, method)(path, body, format=fmt)


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_an_outsider_gets_404_on_every_endpoint_of_the_request(api, india_us, outsider):
    client = api(outsider)
    attachment = Attachment.objects.get(request=india_us)
    before = (india_us.version, india_us.state, Comment.objects.count())

    for method, path, body, fmt in calls(india_us.reference, attachment.pk):
        response = call(client, method, path, body, fmt)
        assert response.status_code == 404, (method, path, response.status_code)
        assert response.json() == NOT_FOUND, (method, path)

    india_us.refresh_from_db()
    assert (india_us.version, india_us.state, Comment.objects.count()) == before
    assert Attachment.objects.filter(request=india_us).count() == 1


def test_the_404_of_a_hidden_request_is_the_404_of_one_that_does_not_exist(api, india_us):
    client = api("requester_gb")

    hidden = client.get(url(india_us.reference))
    missing = client.get(url("IN-2099-99999"))

    assert (hidden.status_code, hidden.json()) == (missing.status_code, missing.json())


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_an_outsiders_list_does_not_include_the_request(api, india_us, outsider):
    response = api(outsider).get(url())

    assert response.status_code == 200
    assert india_us.reference not in [row["reference"] for row in response.json()["results"]]


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_searching_for_the_reference_does_not_reveal_it(api, india_us, outsider):
    response = api(outsider).get(url(), {"q": india_us.reference})

    assert response.json()["results"] == []


def test_the_attachment_of_another_request_is_not_downloadable_through_yours(api, people, india_us):
    own = services.create_request(
        by=people.requester_gb, title="UK request", responding_nation=people.us
    )
    attachment = Attachment.objects.get(request=india_us)

    response = api("requester_gb").get(url(own.reference, f"attachments/{attachment.pk}"))

    assert response.status_code == 404


def test_a_draft_is_hidden_from_the_responding_nation(api, request_in):
    draft = request_in("draft")

    assert api("liaison_us").get(url(draft.reference)).status_code == 404
    assert api("reviewer_us").get(url(draft.reference, "events")).status_code == 404


@pytest.mark.parametrize("reader", ["requester_in", "requester_in2", "supplier_us"])
def test_requesters_and_suppliers_never_see_internal_comments(api, india_us, reader):
    client = api(reader)

    comments = client.get(url(india_us.reference, "comments"))
    events = client.get(url(india_us.reference, "events"))
    detail = client.get(url(india_us.reference))

    assert comments.status_code == events.status_code == detail.status_code == 200
    assert [c["body"] for c in comments.json()] == [SHARED]
    assert {c["visibility"] for c in comments.json()} == {"shared"}
    comment_events = [e for e in events.json() if e["action"] == "comment"]
    assert [e["data"]["visibility"] for e in comment_events] == ["shared"]
    for response in (comments, events, detail):
        assert INTERNAL.encode() not in response.content
        assert b"internal" not in response.content


@pytest.mark.parametrize("reader", ["liaison_us", "reviewer_us", "liaison_in", "observer_in"])
def test_officials_see_internal_comments(api, india_us, reader):
    client = api(reader)

    comments = client.get(url(india_us.reference, "comments")).json()
    events = client.get(url(india_us.reference, "events")).json()

    assert [c["body"] for c in comments] == [SHARED, INTERNAL, INTERNAL]
    assert [e["data"]["visibility"] for e in events if e["action"] == "comment"] == [
        "shared",
        "internal",
        "internal",
    ]


def test_the_forwarded_supplier_sees_the_request_and_its_shared_thread(api, india_us):
    client = api("supplier_us")

    assert client.get(url(india_us.reference)).status_code == 200
    assert [row["reference"] for row in client.get(url()).json()["results"]] == [india_us.reference]


@pytest.mark.parametrize(
    "who", ["liaison_us", "reviewer_us", "authority_us", "observer_us", "supplier_us", "senior_us"]
)
def test_before_endorsement_the_whole_responding_nation_gets_404_everywhere(
    api, people, request_in, who
):
    waiting = request_in("awaiting_endorsement")
    client = api(who)

    for tail in ("", "events", "comments", "attachments"):
        response = client.get(url(waiting.reference, tail))
        assert (response.status_code, response.json()) == (404, NOT_FOUND), tail
    for transition in TRANSITIONS.values():
        response = client.post(url(waiting.reference, transition.url_name), {}, format="json")
        assert (response.status_code, response.json()) == (404, NOT_FOUND), transition.action
    listed = client.get(url()).json()["results"]
    assert waiting.reference not in {row["reference"] for row in listed}
    assert PriorityRequest.objects.get(pk=waiting.pk).state == "awaiting_endorsement"
