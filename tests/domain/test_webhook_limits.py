"""Issue 17, point 4: webhooks cannot starve notices — short timeouts, a cap on webhooks and on
deliveries in flight per agency, and a circuit breaker that rests a failing destination (their
own queue and worker pool: tests/test_deployment_files.py)."""

from __future__ import annotations

import datetime as dt
import socket
import threading

import pytest
import time_machine
from django.utils import timezone

from requests_app.models import Webhook, WebhookDelivery
from requests_app.outbox import webhooks
from requests_app.services.webhooks import register
from tests.helpers import client_for
from tests.receivers import http_receiver


@pytest.fixture
def receiver():
    with http_receiver() as received:
        yield received


def hook_for(people, url: str) -> Webhook:
    return register(
        agency=people.reviewer_us.profile.agency, url=url, event_kinds=["submit"], by=None
    )


@pytest.mark.django_db
def test_a_failing_destination_rests_after_failures_in_a_row_then_gets_everything(
    people, receiver, make_request, settings, django_capture_on_commit_callbacks
):
    settings.SOSA_WEBHOOK_BREAKER_FAILURES = 3
    settings.SOSA_WEBHOOK_BREAKER_PAUSE_SECONDS = 600
    hook = hook_for(people, receiver.url)
    receiver.status = 500
    start = timezone.now().replace(microsecond=0)
    with time_machine.travel(start, tick=False), django_capture_on_commit_callbacks(execute=True):
        for _ in range(4):
            make_request("submitted")

    assert len(receiver.calls) == 3  # the fourth waits: the destination rests
    hook.refresh_from_db()
    assert hook.paused_until == start + dt.timedelta(seconds=600)
    resting = WebhookDelivery.objects.get(webhook=hook, attempts=0)
    assert resting.next_attempt_at == hook.paused_until and resting.failed_at is None

    receiver.status = 200
    later = start + dt.timedelta(minutes=11)
    with time_machine.travel(later, tick=False):
        sent = webhooks.deliver_due(now=later, grace_seconds=0)

    assert sent == 4
    assert WebhookDelivery.objects.filter(webhook=hook, delivered_at__isnull=True).count() == 0
    hook.refresh_from_db()
    assert hook.consecutive_failures == 0 and hook.paused_until is None


@pytest.mark.django_db
def test_an_agency_with_deliveries_in_flight_waits_for_a_free_slot(
    people, receiver, make_request, settings, django_capture_on_commit_callbacks, monkeypatch
):
    settings.SOSA_WEBHOOK_IN_FLIGHT_PER_AGENCY = 1
    hook = hook_for(people, receiver.url)
    monkeypatch.setattr(webhooks, "enqueue_sending", lambda event_ids: True)
    make_request("submitted")
    make_request("submitted")
    first, second = WebhookDelivery.objects.filter(webhook=hook).order_by("id")
    now = timezone.now()
    # Another worker is sending the first one right now.
    WebhookDelivery.objects.filter(pk=first.pk).update(claimed_until=now + dt.timedelta(minutes=1))

    assert webhooks.deliver_one(second.pk, now=now) is False

    second.refresh_from_db()
    assert receiver.calls == [] and second.attempts == 0
    assert second.next_attempt_at == now + dt.timedelta(seconds=30)


def test_an_agency_has_a_capped_number_of_webhooks(people, settings):
    settings.SOSA_WEBHOOKS_PER_AGENCY = 2
    client = client_for(people.reviewer_us)
    for n in range(2):
        made = client.post(
            "/api/v1/webhooks/", {"url": f"https://erp.example.org/{n}"}, format="json"
        )
        assert made.status_code == 201, made.json()

    refused = client.post("/api/v1/webhooks/", {"url": "https://erp.example.org/x"}, format="json")

    assert refused.status_code == 400
    assert "delete one" in refused.json()["errors"]["detail"][0]


@pytest.mark.django_db
def test_a_destination_that_never_answers_is_a_timeout_not_a_stuck_worker(
    people, make_request, monkeypatch, django_capture_on_commit_callbacks
):
    """A black hole: it accepts the connection and says nothing."""
    hole = socket.socket()
    hole.bind(("127.0.0.1", 0))
    hole.listen(8)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def swallow():
        hole.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(hole.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=swallow, daemon=True)
    thread.start()
    monkeypatch.setattr(webhooks, "TIMEOUT_SECONDS", 0.5)
    hook = hook_for(people, f"http://127.0.0.1:{hole.getsockname()[1]}/")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            make_request("submitted")
    finally:
        stop.set()
        thread.join()
        for conn in accepted:
            conn.close()
        hole.close()

    delivery = WebhookDelivery.objects.get(webhook=hook)
    assert delivery.attempts == 1 and delivery.delivered_at is None
    assert delivery.last_error == "timeout"
    assert [a.outcome for a in delivery.attempt_log.all()] == ["timeout"]
