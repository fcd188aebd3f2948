"""E-mail backends for tests that need a failing or a slow mail server."""

import os
import smtplib
import time
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.filebased import EmailBackend as FileBackend


class BrokenBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("SMTP server went away")


class SlowFileBackend(FileBackend):
    """Writes a marker, waits SLOW_EMAIL_SECONDS, then writes the message: a window to kill in.
    With SLOW_EMAIL_AFTER=1 it writes the message first: a mail server that took the message
    and is slow to say so."""

    def send_messages(self, email_messages):
        marker_dir = Path(os.environ["SLOW_EMAIL_MARKERS"])
        marker_dir.mkdir(parents=True, exist_ok=True)
        after = bool(os.environ.get("SLOW_EMAIL_AFTER"))
        sent = super().send_messages(email_messages) if after else 0
        (marker_dir / f"sending-{time.monotonic_ns()}").touch()
        time.sleep(float(os.environ.get("SLOW_EMAIL_SECONDS", "2")))
        return sent if after else super().send_messages(email_messages)
