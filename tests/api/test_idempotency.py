"""Retries with `Idempotency-Key`: the same key and body give the first answer, nothing twice."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.crypto import get_random_string
from rest_framework.test import APIClient

from requests_app import services
from requests_app.models import Attachment, Comment, Event, IdempotencyRecord, PriorityRequest
from tests.helpers import PASSWORD

from .conftest import url

FUTURE = (dt.date.today() + dt.timedelta(days=90)).isoformat()
BODY = {
    "title": "Sonar transducers",
    "responding_nation": "US",
    "justification": "Submarine refit.",
    "required_delivery_date": FUTURE,
    "items": [{"description": "Transducer", "quantity": 12}],
}


def post(client, path, body, key=None, **extra):
    if key is not None:
        extra["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post(path, body, format="json", **extra)


def test_a_retried_create_returns_the_first_response_and_files_one_request(api):
    client = api("requester_in")

    first = post(client, url(), BODY, key="create-1")
    again = post(client, url(), BODY, key="create-1")

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replay"] == "true"
    assert PriorityRequest.objects.count() == 1


def test_a_replay_carries_the_etag_and_location_of_the_first_answer(api, request_in):
    client = api("requester_in")
    first = post(client, url(), BODY, key="create-etag")
    draft = PriorityRequest.objects.get()
    client.patch(url(draft.reference), {"title": "Renamed"}, format="json")  # version moves on

    again = post(client, url(), BODY, key="create-etag")

    assert again["Idempotent-Replay"] == "true"
    assert (again["ETag"], again["Location"]) == (first["ETag"], first["Location"])
    assert again["ETag"] == f'"{first.json()["version"]}"'
    submitted = request_in("submitted")
    body = {"assignee": "reviewer.us"}
    liaison = api("liaison_us")
    acted = post(liaison, url(submitted.reference, "triage"), body, key="triage-etag")
    replayed = post(liaison, url(submitted.reference, "triage"), body, key="triage-etag")
    assert replayed["ETag"] == acted["ETag"] and "Location" not in replayed


def test_a_retried_action_returns_the_first_response_and_acts_once(api, request_in):
    submitted = request_in("submitted")
    client = api("liaison_us")
    body = {"assignee": "reviewer.us", "version": submitted.version}

    first = post(client, url(submitted.reference, "triage"), body, key="triage-1")
    again = post(client, url(submitted.reference, "triage"), body, key="triage-1")

    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert Event.objects.filter(request=submitted, action="triage").count() == 1
    submitted.refresh_from_db()
    assert submitted.version == first.json()["version"]


def test_without_the_key_a_second_identical_call_is_a_new_call(api, request_in):
    client = api("requester_in")

    post(client, url(), BODY)
    post(client, url(), BODY)
    target = request_in("submitted")
    first = post(client, url(target.reference, "withdraw"), {"reason": "x"})
    second = post(client, url(target.reference, "withdraw"), {"reason": "x"})

    assert PriorityRequest.objects.filter(title="Sonar transducers").count() == 2
    assert (first.status_code, second.status_code) == (200, 409)


def test_the_same_key_with_another_body_is_refused_with_422(api):
    client = api("requester_in")
    post(client, url(), BODY, key="create-1")

    response = post(client, url(), {**BODY, "title": "Something else"}, key="create-1")

    assert response.status_code == 422
    assert "Idempotency-Key" in response.json()["errors"]
    assert PriorityRequest.objects.count() == 1


def test_the_same_key_on_another_endpoint_is_refused_with_422(api, request_in):
    target = request_in("submitted")
    client = api("requester_in")
    post(client, url(), BODY, key="k")

    response = post(client, url(target.reference, "withdraw"), {"reason": "x"}, key="k")

    assert response.status_code == 422
    target.refresh_from_db()
    assert target.state == "submitted"


def test_keys_belong_to_one_user(api):
    post(api("requester_in"), url(), BODY, key="shared-key")

    response = post(api("requester_in2"), url(), BODY, key="shared-key")

    assert response.status_code == 201
    assert "Idempotent-Replay" not in response
    assert PriorityRequest.objects.count() == 2


def test_a_refusal_is_replayed_too(api):
    client = api("requester_in")
    bad = {**BODY, "items": [{"description": "Transducer", "quantity": -1}]}

    first = post(client, url(), bad, key="bad-1")
    again = post(client, url(), bad, key="bad-1")

    assert first.status_code == again.status_code == 400
    assert again.json() == first.json()
    assert "items[0].quantity" in again.json()["errors"]
    assert again["Idempotent-Replay"] == "true"
    assert not PriorityRequest.objects.exists()


def test_a_conflict_is_replayed_as_the_conflict(api, request_in):
    target = request_in("approved")
    client = api("liaison_us")
    body = {"assignee": "reviewer.us"}

    first = post(client, url(target.reference, "triage"), body, key="late")
    again = post(client, url(target.reference, "triage"), body, key="late")

    assert first.status_code == again.status_code == 409
    assert again.json() == first.json()


def test_a_retried_comment_is_added_once(api, request_in):
    target = request_in("submitted")
    client = api("requester_in")
    body = {"body": "Any news?"}

    first = post(client, url(target.reference, "comments"), body, key="comment-1")
    again = post(client, url(target.reference, "comments"), body, key="comment-1")

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert Comment.objects.filter(request=target).count() == 1


def test_a_retried_upload_stores_one_attachment(api, request_in):
    target = request_in("submitted")
    client = api("requester_in")
    content = b"%PDF-1.4\n" + b"0" * 1000

    def upload():
        return client.post(
            url(target.reference, "attachments"),
            {"file": SimpleUploadedFile("spec.pdf", content, content_type="application/pdf")},
            format="multipart",
            HTTP_IDEMPOTENCY_KEY="upload-1",
        )

    first, again = upload(), upload()

    assert first.status_code == again.status_code == 201, first.json()
    assert again.json() == first.json()
    assert Attachment.objects.filter(request=target).count() == 1


def test_a_large_upload_with_a_key_is_accepted(api, request_in, settings):
    """Uploads may exceed the in-memory body limit; the key must not make them fail."""
    target = request_in("submitted")
    size = settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1024
    assert size < settings.SOSA_ATTACHMENT_MAX_BYTES
    content = b"%PDF-1.4\n" + b"0" * size

    response = api("requester_in").post(
        url(target.reference, "attachments"),
        {"file": SimpleUploadedFile("drawing.pdf", content, content_type="application/pdf")},
        format="multipart",
        HTTP_IDEMPOTENCY_KEY="big-1",
    )

    assert response.status_code == 201, response.content[:300]
    assert response.json()["size"] == len(content)


@pytest.mark.parametrize("key", ["k" * 256, ""], ids=["overlong", "empty"])
def test_an_overlong_or_empty_key_is_refused_naming_the_header(api, key):
    response = post(api("requester_in"), url(), BODY, key=key)

    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["errors"]
    assert not PriorityRequest.objects.exists()


def test_the_same_key_with_another_file_is_refused_with_422(api, request_in):
    target = request_in("submitted")
    client = api("requester_in")

    def upload(content: bytes):
        return client.post(
            url(target.reference, "attachments"),
            {"file": SimpleUploadedFile("spec.pdf", content, content_type="application/pdf")},
            format="multipart",
            HTTP_IDEMPOTENCY_KEY="upload-1",
        )

    assert upload(b"%PDF-1.4 first").status_code == 201
    assert upload(b"%PDF-1.4 second").status_code == 422
    assert Attachment.objects.filter(request=target).count() == 1


def test_a_browser_upload_with_a_key_passes_the_csrf_check_and_is_stored(people, request_in):
    """The CSRF check reads the multipart body first; the key must still work."""
    target = request_in("submitted")
    client = APIClient(enforce_csrf_checks=True)
    client.login(username="requester.in", password=PASSWORD)
    csrf = get_random_string(32)
    client.cookies["csrftoken"] = csrf

    response = client.post(
        url(target.reference, "attachments"),
        {"file": SimpleUploadedFile("spec.pdf", b"%PDF-1.4 x", content_type="application/pdf")},
        format="multipart",
        HTTP_X_CSRFTOKEN=csrf,
        HTTP_IDEMPOTENCY_KEY="browser-1",
    )

    assert response.status_code == 201, response.content[:300]


def test_a_refusal_naming_a_nul_field_is_answered_though_it_cannot_be_kept(api, request_in):
    """PostgreSQL's jsonb holds no NUL character: such a refusal is not kept, and its retry
    is refused again (it changed nothing) instead of answering 500."""
    target = request_in("in_review")
    path = url(target.reference, "determine")
    body = {"\u0000": 1, "rating": "DX", "program_symbol": "G2", "note": "x"}
    client = api("reviewer_us")

    first = post(client, path, body, key="nul-1")
    again = post(client, path, body, key="nul-1")

    assert first.status_code == again.status_code == 400
    assert "\u0000" in first.json()["errors"]
    target.refresh_from_db()
    assert target.state == "in_review"


@pytest.mark.django_db(transaction=True)
def test_a_retry_sent_while_the_first_call_runs_waits_and_replays_it(
    postgres, api, request_in, monkeypatch
):
    """A client that times out and retries at once: the retry waits for the first call at the
    key's unique index instead of being refused, then replays its answer; one triage."""
    submitted = request_in("submitted")
    triage = services.ACTIONS["triage"]
    started = threading.Event()

    def slow_triage(*args, **kwargs):
        started.set()
        time.sleep(1.0)
        return triage(*args, **kwargs)

    monkeypatch.setitem(services.ACTIONS, "triage", slow_triage)
    body = {"assignee": "reviewer.us"}
    answers = {}

    def call(name):
        answers[name] = post(api("liaison_us"), url(submitted.reference, "triage"), body, "t-1")

    first = threading.Thread(target=call, args=("first",))
    first.start()
    assert started.wait(10)
    call("retry")
    first.join(10)

    assert answers["first"].status_code == answers["retry"].status_code == 200
    assert answers["retry"]["Idempotent-Replay"] == "true"
    assert answers["retry"].json() == answers["first"].json()
    assert Event.objects.filter(request=submitted, action="triage").count() == 1


def test_a_call_that_died_mid_way_leaves_no_record_and_its_retry_runs(api, request_in, monkeypatch):
    """An unexpected failure (as when the process dies) rolls back the key's record with the
    call: the retry is not refused as "still being processed" and acts once."""
    submitted = request_in("submitted")
    triage = services.ACTIONS["triage"]

    def dies_after_acting(*args, **kwargs):
        triage(*args, **kwargs)
        raise MemoryError("the process is going down")

    monkeypatch.setitem(services.ACTIONS, "triage", dies_after_acting)
    client = api("liaison_us")
    body = {"assignee": "reviewer.us"}
    with pytest.raises(MemoryError):
        post(client, url(submitted.reference, "triage"), body, key="dies-1")
    assert not IdempotencyRecord.objects.filter(key="dies-1").exists()
    assert not Event.objects.filter(request=submitted, action="triage").exists()

    monkeypatch.setitem(services.ACTIONS, "triage", triage)
    again = post(client, url(submitted.reference, "triage"), body, key="dies-1")

    assert again.status_code == 200 and "Idempotent-Replay" not in again
    assert Event.objects.filter(request=submitted, action="triage").count() == 1
