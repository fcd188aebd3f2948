"""Outbound HTTP to addresses people typed (webhooks): public addresses only, unless a network
is explicitly allowed (closed networks where agency systems live on private addresses).

The address is checked when the connection is made, on the address actually connected to: a
name that resolved to a public address when the webhook was registered and to 127.0.0.1 now
(DNS rebinding) is refused, and TLS still verifies the name, not the address."""

from __future__ import annotations

import http.client
import ipaddress
import socket
import urllib.request
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class AddressRefused(OSError):
    """Every address the name resolves to is loopback, private, link-local or otherwise not
    public, and none is in the allowed networks."""


def networks(values: Iterable[str]) -> list[Network]:
    """Allowed networks from settings text ("10.20.0.0/16", "fd00::/8")."""
    return [ipaddress.ip_network(value.strip(), strict=False) for value in values if value.strip()]


def refusal(ip: str, allowed: Sequence[Network]) -> str | None:
    """Why a connection to `ip` is refused, or None when it may go ahead."""
    address = ipaddress.ip_address(ip.split("%", 1)[0])  # a zone index is not part of it
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if any(address.version == net.version and address in net for net in allowed):
        return None
    if not address.is_global or address.is_multicast:
        return "not a public address"
    return None


def registration_problem(url: str, allowed: Sequence[Network]) -> str | None:
    """Checked when a URL is registered: a literal address, or a name resolving to one, that
    would be refused. A name that does not resolve here is let through (it is checked again,
    on the address connected to, at every delivery)."""
    host = urlsplit(url).hostname or ""
    try:
        found = {
            str(info[4][0]) for info in socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
        }
    except (OSError, UnicodeError):
        return None
    reasons = {refusal(ip, allowed) for ip in found} - {None}
    return f"The address is {reasons.pop()}: webhooks go to public addresses." if reasons else None


def _vetted(allowed: Sequence[Network], connect_timeout: float | None = None):
    """A `socket.create_connection` that connects only to permitted addresses of the name,
    within `connect_timeout` (then the read timeout applies to every read)."""

    def create_connection(address, timeout=socket._GLOBAL_DEFAULT_TIMEOUT, source_address=None):
        host, port = address
        last: OSError | None = None
        for family, kind, proto, _name, target in socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM
        ):
            if refusal(str(target[0]), allowed):
                last = AddressRefused("not a public address")
                continue
            sock = socket.socket(family, kind, proto)
            try:
                reads = None if timeout is socket._GLOBAL_DEFAULT_TIMEOUT else timeout
                sock.settimeout(connect_timeout if connect_timeout is not None else reads)
                if source_address:
                    sock.bind(source_address)
                sock.connect(target)
                sock.settimeout(reads)
                return sock
            except OSError as error:
                sock.close()
                last = error
        raise last or OSError(f"{host} did not resolve")

    return create_connection


class _HTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args, vetted, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = vetted


class _HTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args, vetted, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = vetted


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, vetted):
        super().__init__()
        self.vetted = vetted

    def http_open(self, req):
        return self.do_open(lambda *a, **k: _HTTPConnection(*a, vetted=self.vetted, **k), req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, vetted):
        super().__init__()
        self.vetted = vetted

    def https_open(self, req):
        return self.do_open(
            lambda *a, **k: _HTTPSConnection(*a, vetted=self.vetted, **k),
            req,
            context=self._context,
            **(
                {"check_hostname": self._check_hostname} if hasattr(self, "_check_hostname") else {}
            ),
        )


def public_opener(
    allowed: Sequence[Network], *handlers, connect_timeout: float | None = None
) -> urllib.request.OpenerDirector:
    """A urllib opener that connects only to public addresses (or `allowed` networks), never
    through an environment proxy, giving up on a connection after `connect_timeout`."""
    vetted = _vetted(allowed, connect_timeout)
    return urllib.request.build_opener(
        urllib.request.ProxyHandler({}), _HTTPHandler(vetted), _HTTPSHandler(vetted), *handlers
    )
