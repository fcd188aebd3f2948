"""sosa_portal.lib.mail: the demo's e-mail, one file and one console line per message."""

import io
from email import message_from_bytes

from django.core.mail import EmailMultiAlternatives

from sosa_portal.lib.mail import FileAndConsoleBackend


def test_each_message_is_a_file_and_a_line(settings, tmp_path):
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    out = io.StringIO()
    backend = FileAndConsoleBackend(stream=out)
    messages = [
        EmailMultiAlternatives(
            f"[SOSA] IN-2026-0000{n} Overdue", "Body", "a@x.org", [f"p{n}@x.org"]
        )
        for n in (1, 2)
    ]

    assert backend.send_messages(messages) == 2

    files = sorted((tmp_path / "mail").glob("*.eml"))
    lines = out.getvalue().splitlines()
    assert len(files) == 2 and len(lines) == 2
    assert lines[0].startswith("mail to p1@x.org: [SOSA] IN-2026-00001 Overdue (")
    subjects = {message_from_bytes(path.read_bytes())["Subject"] for path in files}
    assert subjects == {"[SOSA] IN-2026-00001 Overdue", "[SOSA] IN-2026-00002 Overdue"}
