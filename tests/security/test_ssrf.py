"""Issue 17, point 3: webhooks go to public addresses only — refused when registered and again
on the address actually connected to at each attempt (DNS rebinding), unless the network is
explicitly allowed; the delivery log says what kind of failure, never the raw error text."""

from __future__ import annotations

import socket

import pytest

from requests_app.models import WebhookDelivery
from requests_app.services.webhooks import register
from tests.helpers import client_for
from tests.receivers import http_receiver

WEBHOOKS = "/api/v1/webhooks/"
REFUSED = [
    "http://127.0.0.1:8000/hook",
    "http://localhost/hook",
    "http://0.0.0.0/",
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",  # loopback dressed as IPv6
    "http://169.254.169.254/latest/meta-data/",  # link-local: cloud metadata
    "http://10.0.0.5/",
    "http://172.16.3.4/",
    "http://192.168.1.1/",
    "http://100.64.0.1/",  # carrier-grade NAT
    "http://[fd00::1]/",  # unique local
    "http://[fe80::1]/",  # link-local
    "http://224.0.0.1/",  # multicast
    "http://2130706433/",  # 127.0.0.1 as one number
]


@pytest.fixture
def no_allowed_networks(settings):
    settings.SOSA_WEBHOOK_ALLOWED_NETWORKS = []


@pytest.mark.parametrize("url", REFUSED)
def test_registering_a_non_public_address_is_a_400_naming_url(people, no_allowed_networks, url):
    client = client_for(people.requester_us)

    response = client.post(WEBHOOKS, {"url": url}, format="json")

    assert response.status_code == 400, response.json()
    assert "url" in response.json()["errors"]


def test_a_network_listed_for_a_closed_deployment_may_be_registered(people, settings):
    settings.SOSA_WEBHOOK_ALLOWED_NETWORKS = ["10.20.0.0/16"]
    client = client_for(people.requester_us)

    allowed = client.post(WEBHOOKS, {"url": "http://10.20.3.4/sosa"}, format="json")
    other = client.post(WEBHOOKS, {"url": "http://10.21.3.4/sosa"}, format="json")

    assert allowed.status_code == 201
    assert other.status_code == 400


def test_a_name_that_turns_into_loopback_at_delivery_is_not_connected_to(
    people, make_request, monkeypatch, settings, django_capture_on_commit_callbacks
):
    """Registered while the name resolved elsewhere; at delivery it resolves to a receiver on
    127.0.0.1 (DNS rebinding): no POST arrives, the attempt is logged as refused."""
    with http_receiver() as receiver:
        port = int(receiver.url.rsplit(":", 1)[1])
        hook = register(
            agency=people.requester_us.profile.agency,
            url=f"http://erp.agency.example:{port}/hook",  # does not resolve here: let through
            event_kinds=["submit"],
            by=None,
        )
        settings.SOSA_WEBHOOK_ALLOWED_NETWORKS = []
        real = socket.getaddrinfo

        def rebinding(host, *args, **kwargs):
            return real("127.0.0.1" if host == "erp.agency.example" else host, *args, **kwargs)

        monkeypatch.setattr(socket, "getaddrinfo", rebinding)
        with django_capture_on_commit_callbacks(execute=True):
            make_request("submitted")

        assert receiver.calls == []
    delivery = WebhookDelivery.objects.get(webhook=hook)
    assert delivery.attempts == 1 and delivery.delivered_at is None
    assert delivery.last_error == "refused: not a public address"


def test_the_delivery_log_says_what_failed_never_the_raw_error(
    people, make_request, django_capture_on_commit_callbacks
):
    hook = register(
        agency=people.requester_us.profile.agency,
        url="http://127.0.0.1:9/closed",  # allowed here (tests list loopback); nothing listens
        event_kinds=["submit"],
        by=None,
    )
    with django_capture_on_commit_callbacks(execute=True):
        make_request("submitted")

    delivery = WebhookDelivery.objects.get(webhook=hook)
    assert delivery.last_error == "connection refused"
    listed = client_for(people.requester_us).get(f"{WEBHOOKS}{hook.pk}/deliveries/").json()
    assert "Errno" not in str(listed) and "111" not in str(listed)
