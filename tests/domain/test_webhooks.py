"""Webhooks: signed POSTs of every event an agency's nation sees, to a real HTTP receiver.

The receiver is a `ThreadingHTTPServer` on 127.0.0.1 started by the test; deliveries run after
commit (captured on-commit callbacks) through eager Celery, as a worker would run them.
"""

from __future__ import annotations

import datetime as dt
import json
import threading

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from partners.models import Role
from requests_app import services, tasks
from requests_app.models import Event, PriorityRequest, Webhook, WebhookDelivery
from requests_app.outbox import notices as notifications
from requests_app.outbox import webhooks
from requests_app.outbox.engine import MAX_ATTEMPTS
from requests_app.services.events import queue_webhook_deliveries
from requests_app.services.sweep import sweep_deadlines
from requests_app.services.webhooks import register as register_webhook
from tests import factories as f
from tests.helpers import DUE_SOON, FORWARDED, MINUTE, client_for, sign_in
from tests.processes import wait_for
from tests.receivers import Receiver, http_receiver, verifies


@pytest.fixture
def receiver():
    with http_receiver() as received:
        yield received


@pytest.fixture
def agencies(people):
    return {
        "IN": people.requester_in.profile.agency,
        "US": people.requester_us.profile.agency,
        "GB": f.AgencyFactory(nation=people.uk, name="Defence Equipment and Support"),
    }


def register(agency, receiver: Receiver, path: str = "/", kinds=()) -> Webhook:
    return register_webhook(
        agency=agency, url=receiver.url + path, event_kinds=list(kinds), by=None
    )


# --- what goes out, to whom, signed --------------------------------------------------------


@pytest.mark.django_db
def test_an_agency_receives_one_signed_post_per_event_of_the_kinds_it_registered(
    people, agencies, receiver, make_request, django_capture_on_commit_callbacks
):
    india = register(agencies["IN"], receiver, "/in", kinds=["submit", "triage", "authorise"])
    us = register(agencies["US"], receiver, "/us")

    with django_capture_on_commit_callbacks(execute=True):
        request = make_request("with_supplier")

    assert receiver.events("/in") == ["submit", "triage", "authorise"]
    # Every kind, but not the draft's "create": nobody outside the filing desk sees drafts.
    assert receiver.events("/us") == ["submit", "triage", "determine", "authorise", "forward"]
    for call in receiver.at("/in"):
        assert call.headers["Content-Type"] == "application/json"
        assert verifies(call, india.secret)
        assert not verifies(call, us.secret)
        delivery = WebhookDelivery.objects.get(pk=int(call.headers["X-SOSA-Delivery"]))
        assert delivery.webhook == india
        assert delivery.delivered_at is not None
        assert (delivery.attempts, delivery.response_status) == (1, 200)
        event = Event.objects.get(pk=call.json["id"])
        assert event.request == request and event.action == call.headers["X-SOSA-Event"]

    rate = receiver.at("/in")[-1].json
    assert rate["action"] == "authorise"
    assert (rate["from_state"], rate["to_state"]) == ("awaiting_authorisation", "approved")
    assert rate["data"] == {"rating": "DX-A1", "bis_case_number": "BIS-26-0042"}
    assert rate["request"]["reference"] == request.reference
    assert rate["request"]["rating"] == "DX-A1"
    assert rate["request"]["state"] == "approved"  # as it was when the event happened
    assert (rate["request"]["requesting_nation"], rate["request"]["responding_nation"]) == (
        "IN",
        "US",
    )
    assert set(rate["request"]) == {
        "reference",
        "title",
        "state",
        "rating",
        "requesting_nation",
        "responding_nation",
        "due_at",
    }
    assert rate["request"]["due_at"] is not None
    assert all(verifies(call, us.secret) for call in receiver.at("/us"))


@pytest.mark.django_db
def test_a_third_nations_agency_hears_nothing_of_an_india_us_request(
    people, agencies, receiver, make_request, django_capture_on_commit_callbacks
):
    uk = register(agencies["GB"], receiver, "/gb")
    with django_capture_on_commit_callbacks(execute=True):
        request = make_request("accepted")
        services.add_comment(request, by=people.liaison_us, body="Chasing the supplier.")

    assert receiver.calls == []
    assert not WebhookDelivery.objects.filter(webhook=uk).exists()


@pytest.mark.django_db
def test_nothing_goes_out_while_the_request_is_a_draft(
    people, agencies, receiver, make_request, django_capture_on_commit_callbacks
):
    register(agencies["IN"], receiver)
    with django_capture_on_commit_callbacks(execute=True):
        draft = make_request("draft")
        services.update_draft(draft, by=people.requester_in, title="Gyroscopes, revised")
        services.add_comment(draft, by=people.requester_in, body="Draft note to self.")
    assert receiver.calls == []
    assert not WebhookDelivery.objects.exists()


@pytest.mark.django_db
def test_internal_comments_never_leave_and_shared_comment_bodies_do(
    people, agencies, receiver, make_request, django_capture_on_commit_callbacks
):
    secret_text = "Supplier is unreliable, escalate quietly"
    hooks = [register(agencies[code], receiver, f"/{code}") for code in ("IN", "US")]
    request = make_request("in_review")

    with django_capture_on_commit_callbacks(execute=True):
        shared = services.add_comment(
            request, by=people.liaison_us, body="We are chasing the supplier."
        )
        services.add_comment(request, by=people.liaison_us, body=secret_text, visibility="internal")
        services.add_comment(
            request, by=people.reviewer_us, body=secret_text + " (2)", visibility="internal"
        )

    for hook in hooks:
        calls = receiver.at(f"/{hook.agency.nation.code}")
        assert [call.headers["X-SOSA-Event"] for call in calls] == ["comment"]
        assert calls[0].json["data"] == {
            "comment_id": shared.pk,
            "visibility": "shared",
            "body": "We are chasing the supplier.",
        }
    assert all(secret_text.encode() not in call.body for call in receiver.calls)
    stored = json.dumps(list(WebhookDelivery.objects.values_list("payload", flat=True)))
    assert secret_text not in stored
    # The internal comments' events exist (audit) but have no delivery at all.
    internal = Event.objects.filter(action="comment", data__visibility="internal")
    assert internal.count() == 2
    assert not WebhookDelivery.objects.filter(event__in=internal).exists()


@pytest.mark.django_db
def test_a_question_and_its_answer_go_out_with_their_shared_text(
    people, agencies, receiver, make_request, django_capture_on_commit_callbacks
):
    register(agencies["IN"], receiver, kinds=["request_info", "answer"])
    request = make_request("submitted")
    with django_capture_on_commit_callbacks(execute=True):
        request = services.request_info(request, by=people.liaison_us, question="Which NSN?")
        services.answer(request, by=people.requester_in, answer="1234-00-567-8901")

    assert receiver.events() == ["request_info", "answer"]
    assert receiver.calls[0].json["data"]["question"] == "Which NSN?"
    assert receiver.calls[1].json["data"]["answer"] == "1234-00-567-8901"


@pytest.mark.django_db
def test_an_inactive_webhook_receives_nothing(
    agencies, receiver, make_request, django_capture_on_commit_callbacks
):
    hook = register(agencies["US"], receiver)
    Webhook.objects.filter(pk=hook.pk).update(is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        make_request("approved")
    assert receiver.calls == []


# --- escalations from the sweep --------------------------------------------------------------


@pytest.mark.django_db
def test_the_sweeps_escalations_are_delivered_to_both_nations(
    agencies, receiver, make_request, django_capture_on_commit_callbacks
):
    for code in ("IN", "US", "GB"):
        register(agencies[code], receiver, f"/{code}", kinds=["escalate"])
    request = make_request("with_supplier", now=FORWARDED)

    with (
        time_machine.travel(DUE_SOON + MINUTE, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert sweep_deadlines().escalations == 1

    for code in ("IN", "US"):
        (call,) = receiver.at(f"/{code}")
        assert call.headers["X-SOSA-Event"] == "escalate"
        assert call.json["data"]["level"] == 0
        assert call.json["data"]["stage"] == "supplier_response"
        assert call.json["request"]["reference"] == request.reference
    assert receiver.at("/GB") == []


@pytest.mark.django_db
def test_queueing_a_batch_of_events_costs_a_fixed_number_of_queries(
    people, agencies, receiver, make_request
):
    for _ in range(6):
        make_request("approved")
    for code in ("IN", "US", "GB"):
        register(agencies[code], receiver, f"/{code}")
    events = list(Event.objects.exclude(action="create").select_related("request"))
    assert len(events) == 24  # submit, triage, determine, authorise per request

    with CaptureQueriesContext(connection) as queries:
        queued = queue_webhook_deliveries(events)

    # Webhooks, the requests with the tenant rule, one insert: the same for 1 or 500 events.
    assert len(queries) == 3
    assert queued == 2 * 24  # India and the US each get all 24
    assert WebhookDelivery.objects.filter(webhook__agency=agencies["GB"]).count() == 0


# --- retries, backoff, the periodic re-send --------------------------------------------------


@pytest.mark.django_db
def test_a_failing_receiver_is_retried_with_backoff_then_the_delivery_fails(
    agencies, receiver, make_request, django_capture_on_commit_callbacks
):
    hook = register(agencies["US"], receiver, kinds=["submit"])
    receiver.status = 500
    start = timezone.now().replace(microsecond=0)
    with (
        time_machine.travel(start, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        make_request("submitted")

    delivery = WebhookDelivery.objects.get(webhook=hook)
    assert (delivery.attempts, delivery.response_status) == (1, 500)
    assert delivery.last_error == "HTTP 500"  # the receiver's answer is not read back
    assert delivery.next_attempt_at == start + MINUTE
    assert delivery.delivered_at is None and delivery.failed_at is None

    # Not due yet: nothing is sent.
    assert webhooks.deliver_due(now=start + MINUTE - dt.timedelta(seconds=1)) == 0
    assert len(receiver.calls) == 1

    at = start + MINUTE
    for attempt, wait_minutes in [(2, 2), (3, 4), (4, 8)]:
        assert webhooks.deliver_due(now=at) == 0
        delivery.refresh_from_db()
        assert delivery.attempts == attempt
        assert delivery.next_attempt_at == at + dt.timedelta(minutes=wait_minutes)
        at = delivery.next_attempt_at
    assert webhooks.deliver_due(now=at) == 0
    delivery.refresh_from_db()
    assert delivery.attempts == MAX_ATTEMPTS
    assert delivery.failed_at == at and delivery.next_attempt_at is None
    assert delivery.status == "failed"

    assert webhooks.deliver_due(now=at + dt.timedelta(days=1)) == 0
    assert len(receiver.calls) == MAX_ATTEMPTS
    # Every attempt sent the same signed bytes under the same delivery id.
    assert len({call.body for call in receiver.calls}) == 1
    assert {call.headers["X-SOSA-Delivery"] for call in receiver.calls} == {str(delivery.pk)}
    assert all(verifies(call, hook.secret) for call in receiver.calls)


@pytest.mark.django_db
def test_the_periodic_resend_delivers_once_the_receiver_recovers_and_never_twice(
    agencies, receiver, make_request, django_capture_on_commit_callbacks
):
    hook = register(agencies["US"], receiver, kinds=["submit"])
    receiver.status = 503
    start = timezone.now().replace(microsecond=0)
    with (
        time_machine.travel(start, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        make_request("submitted")
    assert len(receiver.calls) == 1

    receiver.status = 200
    with time_machine.travel(start + 2 * MINUTE, tick=False):
        assert tasks.resend_webhooks() == 1
        assert tasks.resend_webhooks() == 0
    with time_machine.travel(start + 2 * dt.timedelta(hours=1), tick=False):
        assert tasks.resend_webhooks() == 0
        assert tasks.send_webhooks([WebhookDelivery.objects.get().event_id]) == 0

    assert len(receiver.calls) == 2
    delivery = WebhookDelivery.objects.get(webhook=hook)
    assert (delivery.attempts, delivery.response_status, delivery.last_error) == (2, 200, "")
    assert delivery.delivered_at == start + 2 * MINUTE


@pytest.mark.django_db
def test_deliveries_left_by_a_broker_outage_go_out_with_the_periodic_resend(
    agencies, receiver, make_request, django_capture_on_commit_callbacks, settings
):
    register(agencies["IN"], receiver, kinds=["submit", "triage"])
    with django_capture_on_commit_callbacks(execute=False):  # no worker ever got the message
        make_request("in_review")
    assert receiver.calls == []
    assert WebhookDelivery.objects.filter(delivered_at=None).count() == 2

    later = timezone.now() + dt.timedelta(seconds=settings.SOSA_OUTBOX_GRACE_SECONDS + 1)
    assert webhooks.deliver_due(now=later) == 2
    assert webhooks.deliver_due(now=later) == 0
    assert receiver.events() == ["submit", "triage"]


@pytest.mark.django_db
def test_a_redirect_is_not_followed_and_counts_as_a_failed_attempt(
    agencies, receiver, make_request, django_capture_on_commit_callbacks
):
    hook = register(agencies["US"], receiver, kinds=["submit"])
    receiver.status = 302
    with django_capture_on_commit_callbacks(execute=True):
        make_request("submitted")
    assert [call.path for call in receiver.calls] == ["/"]
    delivery = WebhookDelivery.objects.get(webhook=hook)
    assert (delivery.response_status, delivery.last_error) == (302, "HTTP 302")
    assert delivery.delivered_at is None and delivery.next_attempt_at is not None


@pytest.mark.django_db
def test_an_unreachable_receiver_is_recorded_and_retried(
    agencies, make_request, django_capture_on_commit_callbacks
):
    hook = register(agencies["US"], Receiver(url="http://127.0.0.1:9"), kinds=["submit"])
    with django_capture_on_commit_callbacks(execute=True):
        make_request("submitted")
    delivery = WebhookDelivery.objects.get(webhook=hook)
    assert delivery.attempts == 1 and delivery.response_status is None
    assert delivery.last_error and delivery.next_attempt_at is not None


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_send_the_same_delivery(
    postgres, people, agencies, receiver, monkeypatch
):
    for role in Role.values:  # flushed by transactional tests
        Group.objects.get_or_create(name=role)
    monkeypatch.setattr(notifications, "enqueue_sending", lambda event_ids: True)
    monkeypatch.setattr(webhooks, "enqueue_sending", lambda event_ids: True)
    register(agencies["US"], receiver, kinds=["submit"])
    services.submit(f.draft(people.requester_in, people.us), by=people.requester_in)
    delivery = WebhookDelivery.objects.get()

    receiver.gate = threading.Event()  # the receiver holds the first worker mid-POST
    results: list[bool] = []

    def first_worker():
        try:
            results.append(webhooks.deliver_one(delivery.pk))
        finally:
            connection.close()

    worker = threading.Thread(target=first_worker)
    worker.start()
    assert wait_for(lambda: len(receiver.calls) == 1, timeout=10)
    # The first worker's claim is committed before its POST: the log already counts the
    # attempt, and the second worker and the periodic re-send skip the row.
    delivery.refresh_from_db()
    assert delivery.attempts == 1 and delivery.delivered_at is None
    assert webhooks.deliver_one(delivery.pk) is False
    assert webhooks.deliver_due(now=timezone.now(), grace_seconds=0) == 0
    receiver.gate.set()
    worker.join(10)

    assert results == [True]
    assert webhooks.deliver_one(delivery.pk) is False
    assert len(receiver.calls) == 1
    delivery.refresh_from_db()
    assert delivery.attempts == 1 and delivery.delivered_at is not None
    assert [a.outcome for a in delivery.attempt_log.all()] == ["delivered"]


# --- API -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_agency_registers_a_webhook_and_sees_the_secret_only_once(people, agencies):
    client = client_for(people.requester_in)
    created = client.post(
        "/api/v1/webhooks/",
        {"url": "https://mod.example.in/sosa", "event_kinds": ["submit", "comment"]},
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["agency"] == agencies["IN"].pk
    assert body["event_kinds"] == ["submit", "comment"]
    assert body["is_active"] is True and body["created_by"] == "requester.in"
    assert len(body["secret"]) >= 40
    assert Webhook.objects.get(pk=body["id"]).secret == body["secret"]

    listed = client.get("/api/v1/webhooks/")
    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()] == [body["id"]]
    assert "secret" not in listed.json()[0]
    detail = client.get(f"/api/v1/webhooks/{body['id']}/")
    assert detail.status_code == 200 and "secret" not in detail.json()
    # Another person of the same agency sees it too.
    same_agency = client_for(people.requester_in2).get("/api/v1/webhooks/")
    assert [row["id"] for row in same_agency.json()] == [body["id"]]


@pytest.mark.django_db
def test_another_agencys_webhook_is_not_found(people, agencies):
    hook = register_webhook(
        agency=agencies["IN"], url="https://mod.example.in/", event_kinds=[], by=None
    )
    client = client_for(people.requester_us)
    assert client.get("/api/v1/webhooks/").json() == []
    for response in (
        client.get(f"/api/v1/webhooks/{hook.pk}/"),
        client.get(f"/api/v1/webhooks/{hook.pk}/deliveries/"),
        client.delete(f"/api/v1/webhooks/{hook.pk}/"),
    ):
        assert response.status_code == 404
        assert response.json() == {"errors": {"detail": ["Not found."]}}
    assert Webhook.objects.filter(pk=hook.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "ftp://mod.example.in/hooks",
        "not a url",
        "",
        "javascript:alert(1)",
        "file:///etc/passwd",
        "https://" + "a" * 600 + ".example/",
    ],
)
def test_a_bad_url_is_a_400_naming_url(people, agencies, url):
    response = client_for(people.requester_in).post(
        "/api/v1/webhooks/", {"url": url}, format="json"
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert list(errors) == ["url"]
    assert len(errors["url"]) == len(set(errors["url"]))  # each message once
    assert not Webhook.objects.exists()


@pytest.mark.django_db
def test_an_unknown_event_kind_is_a_400_naming_event_kinds(people, agencies):
    response = client_for(people.requester_in).post(
        "/api/v1/webhooks/",
        {"url": "https://mod.example.in/", "event_kinds": ["submit", "explode"]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"event_kinds[1]": ['"explode" is not a valid choice.']}
    assert not Webhook.objects.exists()


@pytest.mark.django_db
def test_only_people_of_an_agency_register_and_only_for_their_own(people, agencies):
    no_agency = client_for(people.liaison_in).post(
        "/api/v1/webhooks/", {"url": "https://x.example/"}, format="json"
    )
    assert no_agency.status_code == 403
    other_agency = client_for(people.requester_in).post(
        "/api/v1/webhooks/",
        {"url": "https://x.example/", "agency": agencies["US"].pk},
        format="json",
    )
    assert other_agency.status_code == 400
    assert list(other_agency.json()["errors"]) == ["agency"]
    assert client_for(people.liaison_in).get("/api/v1/webhooks/").json() == []
    assert APIClient().get("/api/v1/webhooks/").status_code == 401
    assert not Webhook.objects.exists()


@pytest.mark.django_db
def test_staff_register_for_any_agency_they_name(people, agencies):
    admin = f.User.objects.create_user("admin", "admin@example.org", "pw", is_staff=True)
    client = client_for(admin)
    response = client.post(
        "/api/v1/webhooks/",
        {"url": "https://des.example.gb/", "agency": agencies["GB"].pk},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["agency"] == agencies["GB"].pk
    missing = client.post("/api/v1/webhooks/", {"url": "https://des.example.gb/"}, format="json")
    assert missing.status_code == 400 and list(missing.json()["errors"]) == ["agency"]


@pytest.mark.django_db
def test_registering_twice_with_one_idempotency_key_makes_one_webhook(people, agencies):
    client = client_for(people.requester_in)
    body = {"url": "https://mod.example.in/sosa"}
    first = client.post("/api/v1/webhooks/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post("/api/v1/webhooks/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert Webhook.objects.count() == 1


@pytest.mark.django_db
def test_the_delivery_log_lists_newest_first_and_delete_removes_the_webhook(
    people, agencies, receiver, make_request, django_capture_on_commit_callbacks
):
    client = client_for(people.reviewer_us)  # the DoD answers India's request: it hears of it
    created = client.post(
        "/api/v1/webhooks/",
        {"url": receiver.url + "/dod", "event_kinds": ["submit", "triage", "authorise"]},
        format="json",
    ).json()
    with django_capture_on_commit_callbacks(execute=True):
        make_request("approved")

    log = client.get(f"/api/v1/webhooks/{created['id']}/deliveries/")
    assert log.status_code == 200
    rows = log.json()["results"]
    assert [row["action"] for row in rows] == ["authorise", "triage", "submit"]
    assert {row["status"] for row in rows} == {"delivered"}
    assert rows[0]["response_status"] == 200 and rows[0]["attempts"] == 1
    page = client.get(f"/api/v1/webhooks/{created['id']}/deliveries/?page_size=2").json()
    assert [row["action"] for row in page["results"]] == ["authorise", "triage"]
    rest = client.get(page["next"]).json()
    assert [row["action"] for row in rest["results"]] == ["submit"]

    assert client.delete(f"/api/v1/webhooks/{created['id']}/").status_code == 204
    assert client.get(f"/api/v1/webhooks/{created['id']}/").status_code == 404
    assert not Webhook.objects.exists()


@pytest.mark.django_db
def test_the_schema_documents_the_webhook_endpoints_and_their_errors(people):
    response = client_for(people.requester_in).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = json.loads(response.content)
    paths = schema["paths"]
    post = paths["/api/v1/webhooks/"]["post"]["responses"]
    assert {"201", "400", "401", "403"} <= set(post)
    created = post["201"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert "secret" in schema["components"]["schemas"][created]["properties"]
    listed = paths["/api/v1/webhooks/"]["get"]["responses"]["200"]
    listed_ref = listed["content"]["application/json"]["schema"]["items"]["$ref"]
    assert (
        "secret" not in schema["components"]["schemas"][listed_ref.rsplit("/", 1)[1]]["properties"]
    )
    for method in ("get", "delete"):
        assert {"401", "404"} <= set(paths["/api/v1/webhooks/{id}/"][method]["responses"])
    assert "404" in paths["/api/v1/webhooks/{id}/deliveries/"]["get"]["responses"]


# --- admin -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_admins_add_webhooks_and_read_the_delivery_log_filtered_by_failure(
    people, agencies, receiver, make_request, django_capture_on_commit_callbacks, client
):
    admin = f.User.objects.create_superuser("admin", "admin@example.org", "pw")
    sign_in(client, admin)
    added = client.post(
        "/admin/requests_app/webhook/add/",
        {"agency": agencies["US"].pk, "url": receiver.url, "event_kinds": "[]", "is_active": "on"},
        follow=True,
    )
    assert added.status_code == 200
    hook = Webhook.objects.get()
    assert hook.created_by == admin and len(hook.secret) >= 40
    assert hook.secret in added.content.decode()  # shown once, in the message
    assert (
        hook.secret
        not in client.get(f"/admin/requests_app/webhook/{hook.pk}/change/").content.decode()
    )

    receiver.status = 500
    with django_capture_on_commit_callbacks(execute=True):
        make_request("submitted")
    WebhookDelivery.objects.update(failed_at=timezone.now())
    receiver.status = 200
    with django_capture_on_commit_callbacks(execute=True):
        services.add_comment(
            Event.objects.last().request, by=people.liaison_us, body="Chasing the supplier."
        )

    log = "/admin/requests_app/webhookdelivery/"
    assert client.get(log).status_code == 200
    failed = client.get(log, {"failed_at__isempty": "0"})
    assert failed.status_code == 200
    assert [row.event.action for row in failed.context["cl"].result_list] == ["submit"]
    delivery = WebhookDelivery.objects.get(event__action="comment")
    assert client.get(f"{log}{delivery.pk}/change/").status_code == 200
    assert client.get(f"{log}add/").status_code == 403
    assert client.post(f"{log}{delivery.pk}/delete/", {"post": "yes"}).status_code == 403


# --- a webhook sees what its owner sees (issue 17, point 2) -------------------------------------


def _people_with_an_agency(people) -> dict[str, object]:
    return {
        name: person
        for name, person in vars(people).items()
        if getattr(getattr(person, "profile", None), "agency_id", None)
    }


@pytest.mark.django_db
def test_each_roles_webhook_hears_only_of_requests_its_owner_may_see(
    people, receiver, make_request, make_coc_request, django_capture_on_commit_callbacks
):
    owners = _people_with_an_agency(people)
    hooks = {
        name: register_webhook(
            agency=person.profile.agency,
            url=f"{receiver.url}/{name}",
            event_kinds=[],
            by=person,
        )
        for name, person in owners.items()
    }
    with django_capture_on_commit_callbacks(execute=True):
        made = [
            make_request("accepted"),  # India → US, DPAS
            make_request("awaiting_endorsement"),  # not yet seen by the US
            make_coc_request("approved"),  # US → India, Code of Conduct
            f.draft(people.requester_gb, people.us),  # a draft: nothing leaves
        ]
        services.add_comment(made[0], by=people.liaison_us, body="Internal.", visibility="internal")

    assert {"requester_us", "reviewer_us", "requester_in"} <= set(owners)
    for name, hook in hooks.items():
        heard = set(
            WebhookDelivery.objects.filter(webhook=hook).values_list(
                "payload__request__reference", flat=True
            )
        )
        may_see = set(
            PriorityRequest.objects.visible_to(owners[name])
            .exclude(state="draft")
            .values_list("reference", flat=True)
        )
        assert heard <= may_see, (name, heard - may_see)
        for delivery in WebhookDelivery.objects.filter(webhook=hook, event__action="comment"):
            assert delivery.payload["data"]["visibility"] == "shared"
    # The requester of the US hears of what the US files, not of what it answers.
    us_requester = set(
        WebhookDelivery.objects.filter(webhook=hooks["requester_us"]).values_list(
            "payload__request__reference", flat=True
        )
    )
    us_reviewer = set(
        WebhookDelivery.objects.filter(webhook=hooks["reviewer_us"]).values_list(
            "payload__request__reference", flat=True
        )
    )
    assert made[0].reference not in us_requester and made[0].reference in us_reviewer
    assert made[2].reference in us_requester
    assert made[1].reference not in us_reviewer  # until India endorses it


@pytest.mark.django_db
def test_a_webhook_whose_owner_left_hears_nothing_more(
    people, receiver, make_request, django_capture_on_commit_callbacks
):
    hook = register_webhook(
        agency=people.reviewer_us.profile.agency,
        url=receiver.url,
        event_kinds=[],
        by=people.reviewer_us,
    )
    people.reviewer_us.is_active = False
    people.reviewer_us.save(update_fields=["is_active"])

    with django_capture_on_commit_callbacks(execute=True):
        make_request("submitted")

    assert not WebhookDelivery.objects.filter(webhook=hook).exists()
