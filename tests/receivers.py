"""A webhook receiver for tests: a `ThreadingHTTPServer` on 127.0.0.1 that keeps every POST."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Call:
    path: str
    headers: Message  # case-insensitive, as HTTP header names are
    body: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.body)

    @property
    def delivery_id(self) -> int:
        return int(self.headers["X-SOSA-Delivery"])


@dataclass
class Receiver:
    """What the agency's system got; `status` is what it answers next (or `answer(call)`)."""

    url: str = ""
    status: int = 200
    calls: list[Call] = field(default_factory=list)
    gate: threading.Event | None = None  # while set to an unset Event, every POST waits on it
    answer: Callable[[Call], int] | None = None
    delay: float = 0.0  # seconds before each answer

    def at(self, path: str) -> list[Call]:
        return [call for call in self.calls if call.path == path]

    def events(self, path: str = "/") -> list[str]:
        return [call.headers["X-SOSA-Event"] for call in self.at(path)]

    def posts_per_delivery(self) -> Counter[int]:
        return Counter(call.delivery_id for call in self.calls)


@contextlib.contextmanager
def http_receiver() -> Iterator[Receiver]:
    received = Receiver()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            call = Call(self.path, self.headers, body)
            with lock:
                received.calls.append(call)
            if received.gate is not None:
                received.gate.wait(10)
            time.sleep(received.delay)
            status = received.answer(call) if received.answer else received.status
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            if 300 <= status < 400:
                self.send_header("Location", received.url + "/elsewhere")
            self.end_headers()
            self.wfile.write(b"receiver says hello")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    received.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield received
    finally:
        if received.gate is not None:
            received.gate.set()
        server.shutdown()
        server.server_close()
        thread.join(5)


def verifies(call: Call, secret: str, window_seconds: int = 300) -> bool:
    """The README's recipe: `t=…,v1=…`, the HMAC of "<t>." + body, and t recent."""
    parts = dict(part.split("=", 1) for part in call.headers["X-SOSA-Signature"].split(","))
    signed = parts["t"].encode() + b"." + call.body
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    recent = abs(time.time() - int(parts["t"])) <= window_seconds
    return recent and hmac.compare_digest(expected, parts["v1"])
