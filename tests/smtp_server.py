"""A real SMTP server for tests: aiosmtpd on 127.0.0.1, a free port, no STARTTLS. It keeps
each message it accepts, or answers DATA with the failure it is told to (`answer`)."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from tests.processes import free_port

ACCEPT = "250 2.0.0 OK"


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


@dataclass
class Recorder:
    answer: str = ACCEPT  # e.g. "451 4.3.0 Try again later", "554 5.7.1 Rejected"
    received: list[Received] = field(default_factory=list)
    data_commands: int = 0

    async def handle_DATA(self, server, session, envelope) -> str:
        self.data_commands += 1
        if self.answer == ACCEPT:
            message = message_from_bytes(envelope.original_content, policy=policy.default)
            assert isinstance(message, EmailMessage)
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return self.answer

    def to(self, address: str) -> list[Received]:
        return [mail for mail in self.received if address in mail.rcpt_tos]


@dataclass
class SmtpServer:
    port: int
    recorder: Recorder


@contextlib.contextmanager
def smtp_server(answer: str = ACCEPT):
    recorder = Recorder(answer)
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield SmtpServer(controller.port, recorder)
    finally:
        controller.stop()
