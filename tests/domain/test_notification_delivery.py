"""How a notice reaches its person (issue 16, point 8): e-mailed now (the default), in the portal
only (recorded as out, never e-mailed nor retried), or held for one daily digest sent once at
their local hour — claimed like an outbox row, so nothing is lost and nothing goes twice.
Overdue and escalated notices are always e-mailed at once. Moments are passed explicitly."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import IntegrityError, transaction

from requests_app import services, tasks
from requests_app.exceptions import InvalidInput
from requests_app.models import (
    Notification,
    NotificationDigest,
    NotificationPreference,
    OutboxAttempt,
)
from requests_app.outbox import digest, notices
from requests_app.services.notifications import CHOOSABLE_KINDS

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")
KOLKATA = ZoneInfo("Asia/Kolkata")
CHOSEN = dt.datetime(2026, 12, 1, 10, 0, tzinfo=NEW_YORK)  # a Tuesday morning in New York


def at(day: int, hour: int, minute: int = 0, zone=NEW_YORK) -> dt.datetime:
    return dt.datetime(2026, 12, day, hour, minute, tzinfo=zone)


def triage_notice(people, make_request) -> Notification:
    """reviewer.us's notice that liaison.us assigned them a request (not yet sent)."""
    request = make_request("in_review")
    return Notification.objects.get(request=request, recipient=people.reviewer_us, kind="triage")


def mail_to(user) -> list:
    return [message for message in mail.outbox if message.to == [user.email]]


# --- in-app only --------------------------------------------------------------------------------


def test_an_in_app_only_notice_is_never_emailed_nor_retried(people, make_request):
    services.set_preferences(people.reviewer_us, deliveries={"triage": "in_app"}, digest_hour=8)
    notice = triage_notice(people, make_request)
    mail.outbox.clear()

    assert notices.deliver_one(notice.pk, now=CHOSEN) is True

    notice.refresh_from_db()
    assert mail.outbox == []
    assert notice.sent_at == CHOSEN and notice.held_for_digest_at is None
    assert list(OutboxAttempt.objects.filter(notification=notice).values_list("outcome")) == [
        ("in-app only",)
    ]
    assert notices.deliver_due(now=CHOSEN + dt.timedelta(days=1), grace_seconds=0) == 0
    assert Notification.objects.filter(pk=notice.pk, read_at__isnull=True).exists()  # listed


def test_other_kinds_are_still_emailed_now(people, make_request):
    services.set_preferences(people.reviewer_us, deliveries={"decline": "in_app"}, digest_hour=8)
    notice = triage_notice(people, make_request)
    mail.outbox.clear()
    assert notices.deliver_one(notice.pk, now=CHOSEN) is True
    [message] = mail_to(people.reviewer_us)
    assert notice.request.reference in message.subject
    assert "liaison.us accepted it for review and assigned it to reviewer.us." in message.body


# --- the daily digest ---------------------------------------------------------------------------


def held_triage(people, make_request, hour: int = 8) -> Notification:
    services.set_preferences(
        people.reviewer_us, deliveries={"triage": "digest"}, digest_hour=hour, now=CHOSEN
    )
    notice = triage_notice(people, make_request)
    assert notices.deliver_one(notice.pk, now=CHOSEN) is False
    notice.refresh_from_db()
    return notice


def test_a_digest_notice_is_held_then_sent_once_at_the_persons_hour(people, make_request):
    notice = held_triage(people, make_request)
    mail.outbox.clear()

    # Held: not e-mailed, and no re-send takes it.
    assert notice.held_for_digest_at == CHOSEN and notice.sent_at is None
    assert notices.deliver_due(now=CHOSEN + dt.timedelta(hours=3), grace_seconds=0) == 0
    assert not OutboxAttempt.objects.filter(notification=notice).exists()
    # Chosen at 10:00: today's 08:00 has passed, the first digest is tomorrow's.
    assert digest.send_due_digests(now=at(1, 23, 45)) == 0
    assert digest.send_due_digests(now=at(2, 7, 59)) == 0
    assert mail.outbox == []

    assert digest.send_due_digests(now=at(2, 8, 0)) == 1

    [message] = mail_to(people.reviewer_us)
    assert (
        "daily digest" in message.subject and "1 notice since your last digest" in message.subject
    )
    assert notice.request.reference in message.body and notice.request.title in message.body
    assert "Assigned to you: liaison.us accepted it for review" in message.body
    assert message.extra_headers["Message-ID"].startswith(f"<digest-{people.reviewer_us.pk}-")
    html = message.alternatives[0][0]
    assert f"/requests/{notice.request.reference}/" in html
    notice.refresh_from_db()
    assert notice.sent_at == at(2, 8, 0)
    # Nothing twice: later runs the same day find nothing.
    assert digest.send_due_digests(now=at(2, 8, 15)) == 0
    assert digest.send_due_digests(now=at(2, 20, 0)) == 0
    assert len(mail.outbox) == 1


def test_one_digest_lists_every_held_notice_of_the_person(people, make_request):
    services.set_preferences(
        people.liaison_us,
        deliveries={"submit": "digest", "answer": "digest"},
        digest_hour=9,
        now=CHOSEN,
    )
    requests = [make_request("submitted", title=f"Valves {n}") for n in range(3)]
    for pk in Notification.objects.filter(recipient=people.liaison_us).values_list("pk", flat=True):
        notices.deliver_one(pk, now=CHOSEN)
    mail.outbox.clear()

    assert digest.send_due_digests(now=at(2, 9, 0)) == 1

    [message] = mail.outbox
    assert "3 notices since your last digest" in message.subject
    for request in requests:
        assert request.reference in message.body
    assert not digest.held().exists()


def test_a_notice_held_after_a_quiet_spell_waits_for_the_next_digest_hour(people, make_request):
    notice = held_triage(people, make_request)
    assert digest.send_due_digests(now=at(2, 8, 0)) == 1
    mail.outbox.clear()
    # Quiet for days; then a notice held on Friday afternoon goes out on Saturday morning.
    Notification.objects.filter(pk=notice.pk).update(sent_at=None, held_for_digest_at=at(4, 14, 0))
    assert digest.send_due_digests(now=at(4, 14, 15)) == 0
    assert digest.send_due_digests(now=at(5, 7, 45)) == 0
    assert digest.send_due_digests(now=at(5, 8, 0)) == 1


def test_the_digest_hour_is_the_persons_own_local_hour(people, make_request):
    profile = people.reviewer_us.profile
    profile.time_zone = "Asia/Kolkata"  # a US reviewer posted in New Delhi
    profile.save()
    held_triage(people, make_request)
    mail.outbox.clear()
    # 08:00 in New Delhi is 21:30 the evening before in New York.
    assert digest.send_due_digests(now=at(2, 7, 59, KOLKATA)) == 0
    assert digest.send_due_digests(now=at(2, 8, 0, KOLKATA)) == 1


def test_the_slot_is_the_last_time_the_local_clock_struck_the_hour():
    assert digest.digest_slot(at(2, 9, 0), NEW_YORK, 8) == at(2, 8, 0)
    assert digest.digest_slot(at(2, 7, 0), NEW_YORK, 8) == at(1, 8, 0)
    assert digest.digest_slot(at(2, 8, 0, KOLKATA), KOLKATA, 8) == dt.datetime(
        2026, 12, 2, 2, 30, tzinfo=dt.UTC
    )


def test_two_runs_at_once_send_the_digest_once(people, make_request):
    held_triage(people, make_request)
    mail.outbox.clear()
    now = at(2, 8, 0)
    [first] = digest.due_digests(now)
    [second] = digest.due_digests(now)  # a second beat run read the same row

    assert digest.send_digest(first, now=now) is True
    assert digest.send_digest(second, now=now) is False  # its claim finds the row changed

    assert len(mail.outbox) == 1


def test_a_digest_whose_worker_died_goes_again_after_its_lease_under_the_same_id(
    people, make_request
):
    notice = held_triage(people, make_request)
    mail.outbox.clear()
    now = at(2, 8, 0)
    [due] = digest.due_digests(now)
    with time_machine.travel(now, tick=False):  # the lease runs from the real clock too
        assert digest._claim(due.digest, now)  # claimed, then the worker died before sending

    assert digest.send_due_digests(now=now + dt.timedelta(minutes=1)) == 0  # the lease holds
    notice.refresh_from_db()
    assert notice.sent_at is None
    assert digest.send_due_digests(now=now + digest.LEASE + dt.timedelta(minutes=1)) == 1
    [message] = mail.outbox
    assert message.extra_headers["Message-ID"] == digest.message_id(due.digest, due.slot)


def test_a_failed_digest_keeps_its_notices_rests_and_goes_later(settings, people, make_request):
    notice = held_triage(people, make_request)
    mail.outbox.clear()
    now = at(2, 8, 0)
    settings.EMAIL_BACKEND = "tests.email_backends.BrokenBackend"

    assert digest.send_due_digests(now=now) == 0

    row = NotificationDigest.objects.get(user=people.reviewer_us)
    assert row.attempts == 1 and "SMTP server went away" in row.last_error
    notice.refresh_from_db()
    assert notice.sent_at is None and notice.held_for_digest_at is not None
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert digest.send_due_digests(now=now + dt.timedelta(seconds=30)) == 0  # resting
    assert digest.send_due_digests(now=now + dt.timedelta(minutes=2)) == 1
    row.refresh_from_db()
    assert (row.attempts, row.last_error, row.claimed_until) == (0, "", None)


def test_notices_read_in_the_portal_meanwhile_are_not_emailed_again(people, make_request):
    notice = held_triage(people, make_request)
    services.mark_request_read(people.reviewer_us, notice.request)
    mail.outbox.clear()

    assert digest.send_due_digests(now=at(2, 8, 0)) == 0

    assert mail.outbox == []
    notice.refresh_from_db()
    assert notice.sent_at == at(2, 8, 0)  # done with: not carried to tomorrow's digest
    assert digest.send_due_digests(now=at(3, 8, 0)) == 0


def test_a_digest_preference_written_without_the_settings_page_gets_the_default_hour(
    people, make_request
):
    NotificationPreference.objects.create(user=people.reviewer_us, kind="triage", delivery="digest")
    notice = triage_notice(people, make_request)
    notices.deliver_one(notice.pk, now=CHOSEN)
    mail.outbox.clear()
    assert digest.send_due_digests(now=at(1, 10, 15)) == 0  # held after today's 08:00
    assert NotificationDigest.objects.get(user=people.reviewer_us).hour == 8
    assert digest.send_due_digests(now=at(2, 8, 0)) == 1


def test_a_digest_never_carries_a_comments_words(people, make_request):
    services.set_preferences(
        people.reviewer_us, deliveries={"mention": "digest"}, digest_hour=8, now=CHOSEN
    )
    request = make_request("in_review")
    services.add_comment(request, by=people.liaison_us, body="@reviewer.us the NSN is wrong")
    mention = Notification.objects.get(recipient=people.reviewer_us, kind="mention")
    notices.deliver_one(mention.pk, now=CHOSEN)
    mail.outbox.clear()

    assert digest.send_due_digests(now=at(2, 8, 0)) == 1

    [message] = mail.outbox
    assert "liaison.us mentioned you in a comment." in message.body
    assert "NSN is wrong" not in message.body + message.alternatives[0][0]


# --- alarms never wait --------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["overdue", "escalated", "reminder_overdue"])
def test_an_alarm_is_emailed_at_once_whatever_the_person_chose(people, make_request, kind):
    services.set_preferences(
        people.reviewer_us,
        deliveries=dict.fromkeys(CHOOSABLE_KINDS, "digest"),
        digest_hour=8,
        now=CHOSEN,
    )
    request = make_request("in_review")
    alarm = Notification.objects.create(
        recipient=people.reviewer_us,
        kind=kind,
        request=request,
        payload={"reference": request.reference, "title": request.title, "state": "in_review"},
    )
    mail.outbox.clear()

    assert notices.deliver_one(alarm.pk, now=CHOSEN) is True

    assert len(mail_to(people.reviewer_us)) == 1
    alarm.refresh_from_db()
    assert alarm.held_for_digest_at is None and alarm.sent_at == CHOSEN


def test_nobody_may_hold_or_silence_an_alarm(people):
    with pytest.raises(InvalidInput) as refused:
        services.set_preferences(
            people.reviewer_us, deliveries={"overdue": "digest"}, digest_hour=8
        )
    assert "overdue" in refused.value.errors
    with pytest.raises(IntegrityError), transaction.atomic():
        NotificationPreference.objects.create(
            user=people.reviewer_us, kind="escalated", delivery="in_app"
        )


def test_a_delivery_or_an_hour_that_does_not_exist_is_refused(people):
    with pytest.raises(InvalidInput) as refused:
        services.set_preferences(
            people.reviewer_us, deliveries={"triage": "pigeon"}, digest_hour=24
        )
    assert set(refused.value.errors) == {"triage", "digest_hour"}
    assert not NotificationPreference.objects.exists()


def test_beat_sends_the_digests_every_quarter_hour(settings, people, make_request):
    entry = settings.CELERY_BEAT_SCHEDULE["send-digests"]
    assert entry["task"] == "requests_app.tasks.send_digests"
    assert entry["schedule"].minute == {0, 15, 30, 45}
    held_triage(people, make_request)
    mail.outbox.clear()
    with time_machine.travel(at(2, 8, 0), tick=False):
        assert tasks.send_digests() == 1
    assert len(mail.outbox) == 1
