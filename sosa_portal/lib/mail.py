"""The embedded default's e-mail: every message kept as a file under `EMAIL_FILE_PATH`
(var/mail/) and one line on the console per message, so the worker's output says what went out
and the message itself can be opened in a mail program."""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone


class FileAndConsoleBackend(BaseEmailBackend):
    def __init__(self, *args, stream=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.stream = stream or sys.stdout
        self.folder = Path(settings.EMAIL_FILE_PATH)

    def send_messages(self, email_messages) -> int:
        self.folder.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            path = self.folder / f"{timezone.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}.eml"
            path.write_bytes(message.message().as_bytes())
            self.stream.write(f"mail to {', '.join(message.to)}: {message.subject} ({path})\n")
            self.stream.flush()
            sent += 1
        return sent
