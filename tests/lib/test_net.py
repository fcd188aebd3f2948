"""sosa_portal.lib.net: which addresses a webhook may reach, and the opener that enforces it."""

import socket
import urllib.error

import pytest

from sosa_portal.lib import net


@pytest.mark.parametrize(
    "ip",
    [
        "127.0.0.1",
        "0.0.0.0",
        "::1",
        "::ffff:10.0.0.1",
        "169.254.1.1",
        "192.168.0.9",
        "fe80::1%eth0",
    ],
)
def test_addresses_inside_a_network_are_refused(ip):
    assert net.refusal(ip, []) == "not a public address"


def test_public_addresses_and_allowed_networks_pass():
    allowed = net.networks(["10.20.0.0/16", " fd00:1::/64 ", ""])

    assert net.refusal("93.184.216.34", []) is None
    assert net.refusal("10.20.9.9", allowed) is None
    assert net.refusal("fd00:1::5", allowed) is None
    assert net.refusal("10.21.0.1", allowed) == "not a public address"


def test_the_opener_refuses_before_connecting(monkeypatch):
    connected = []
    monkeypatch.setattr(socket.socket, "connect", lambda self, target: connected.append(target))

    with pytest.raises(urllib.error.URLError) as refused:
        net.public_opener([]).open("http://127.0.0.1:9/", timeout=1)

    assert isinstance(refused.value.reason, net.AddressRefused)
    assert connected == []
