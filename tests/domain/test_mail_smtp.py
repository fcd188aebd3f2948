"""A real mail path: notices leave through Django's SMTP backend to a real SMTP server on
127.0.0.1 (aiosmtpd, tests/smtp_server.py), sent by the task the worker runs after commit.
What arrives is checked as a mail client reads it; a server that refuses, or is not there,
leaves the notice unsent with the attempt recorded, and the re-send delivers it later under
the same Message-ID."""

import datetime as dt
from email.utils import parsedate_to_datetime

import pytest
import time_machine
from django.utils import timezone

from requests_app import tasks
from requests_app.models import Notification, OutboxAttempt
from requests_app.outbox import notices
from tests.processes import free_port
from tests.smtp_server import ACCEPT, smtp_server

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp(settings):
    """A server taking every message, and the portal's SMTP settings pointing at it."""
    with smtp_server() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = server.port
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_HOST_USER = ""
        settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_TIMEOUT = 10
        yield server


@pytest.fixture
def triage_notice(people, make_request) -> Notification:
    """reviewer.us's notice that liaison.us assigned them a request, not yet sent."""
    request = make_request("in_review")
    notice = Notification.objects.get(request=request, recipient=people.reviewer_us, kind="triage")
    assert notice.sent_at is None
    return notice


def attempts(notice: Notification) -> list[tuple[int, str]]:
    return list(
        OutboxAttempt.objects.filter(notification=notice)
        .order_by("number")
        .values_list("number", "outcome")
    )


def test_a_notice_arrives_as_text_and_html_with_its_headers(smtp, settings, triage_notice):
    request, reviewer = triage_notice.request, triage_notice.recipient
    before = timezone.now().replace(microsecond=0)

    tasks.send_notifications([triage_notice.event_id])  # what the worker runs after commit

    [mail] = smtp.recorder.to(reviewer.email)
    message = mail.message
    assert mail.mail_from == settings.DEFAULT_FROM_EMAIL and mail.rcpt_tos == [reviewer.email]
    assert message["From"] == settings.DEFAULT_FROM_EMAIL
    assert message["To"] == reviewer.email
    assert message["Subject"] == notices.render_email(triage_notice)[0]
    assert message["Subject"].startswith(f"[SOSA] {request.reference} ")
    # Stable: derived from the row, the same on every attempt (README: at least once).
    assert message["Message-ID"] == notices.message_id(triage_notice)
    assert message["Message-ID"] == f"<notice-{triage_notice.pk}@127.0.0.1>"
    sent_at = parsedate_to_datetime(message["Date"])  # "-0000": UTC, says RFC 5322
    sent_at = sent_at if sent_at.tzinfo else sent_at.replace(tzinfo=dt.UTC)
    assert before <= sent_at <= timezone.now() + dt.timedelta(seconds=1)

    assert message.get_content_type() == "multipart/alternative"
    text, html = message.iter_parts()
    assert text.get_content_type() == "text/plain" and html.get_content_type() == "text/html"
    for part in (text.get_content(), html.get_content()):
        assert request.reference in part and request.title in part
    assert f"/requests/{request.reference}/" in html.get_content()

    triage_notice.refresh_from_db()
    assert triage_notice.sent_at is not None and triage_notice.last_error == ""
    assert attempts(triage_notice) == [(1, "delivered")]


@pytest.mark.parametrize(
    ("answer", "outcome"),
    [("451 4.3.0 Try again later", "smtp 451"), ("554 5.7.1 Rejected", "smtp 554")],
)
def test_a_refused_message_stays_unsent_for_retry_then_goes_once(
    smtp, triage_notice, answer, outcome
):
    smtp.recorder.answer = answer
    reviewer = triage_notice.recipient

    tasks.send_notifications([triage_notice.event_id])

    triage_notice.refresh_from_db()
    assert smtp.recorder.data_commands >= 1 and smtp.recorder.to(reviewer.email) == []
    assert triage_notice.sent_at is None and triage_notice.failed_at is None
    assert triage_notice.attempts == 1 and triage_notice.next_attempt_at is not None
    assert answer.split()[0] in triage_notice.last_error
    assert attempts(triage_notice) == [(1, outcome)]

    # The server takes mail again; beat's periodic re-send, once the back-off has passed.
    smtp.recorder.answer = ACCEPT
    with time_machine.travel(triage_notice.next_attempt_at + dt.timedelta(seconds=1)):
        tasks.resend_unsent()
        tasks.resend_unsent()

    [mail] = smtp.recorder.to(reviewer.email)
    assert mail.message["Message-ID"] == notices.message_id(triage_notice)
    triage_notice.refresh_from_db()
    assert triage_notice.sent_at is not None
    assert attempts(triage_notice) == [(1, outcome), (2, "delivered")]


def test_a_mail_server_that_is_not_there_leaves_the_notice_for_retry(settings, triage_notice):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nothing listens
    settings.EMAIL_USE_TLS = False

    tasks.send_notifications([triage_notice.event_id])

    triage_notice.refresh_from_db()
    assert triage_notice.sent_at is None and triage_notice.failed_at is None
    assert triage_notice.next_attempt_at is not None
    assert "ConnectionRefusedError" in triage_notice.last_error
    assert attempts(triage_notice) == [(1, "connection refused")]
