"""The escalation ladder and the sweep (DESIGN §5), with frozen time."""

import datetime as dt
import threading
from collections import Counter

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection

from partners.models import Closure
from requests_app import services
from requests_app.models import Clock, Escalation, Event, Notification
from requests_app.services.sweep import sweep_deadlines
from tests.helpers import DUE, DUE_SOON, FORWARDED, KOLKATA, MINUTE, NEW_YORK

# FORWARDED, DUE_SOON and DUE (tests/helpers.py): a DX supplier clock forwarded Wed 25 Nov 2026
# 10:00 New York, due Thu 10 Dec 17:00 EST.
ESCALATED = dt.datetime(2026, 12, 14, 17, 0, tzinfo=NEW_YORK)  # two working days after due


def levels(clock) -> list[int]:
    return sorted(Escalation.objects.filter(clock=clock).values_list("level", flat=True))


def recipients(kind: str) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


@pytest.fixture
def with_supplier(make_request):
    request = make_request("with_supplier", now=FORWARDED)
    clock = Clock.objects.get(request=request, stage="supplier_response", stopped_at=None)
    return request, clock


@pytest.mark.django_db
def test_a_dx_supplier_clock_climbs_the_ladder_at_working_day_moments(with_supplier, people):
    request, clock = with_supplier
    assert clock.due_at == DUE
    assert clock.next_escalation_at == DUE_SOON

    with time_machine.travel(DUE_SOON - MINUTE, tick=False):
        assert sweep_deadlines().escalations == 0
    with time_machine.travel(DUE_SOON + MINUTE, tick=False):
        assert sweep_deadlines().escalations == 1
    clock.refresh_from_db()
    assert levels(clock) == [0]
    assert clock.next_escalation_at == DUE
    # The assignee follows the stage: after authorisation, the liaison officer who forwards.
    assert recipients("due_soon") == {"liaison.us"}

    with time_machine.travel(DUE - MINUTE, tick=False):
        assert sweep_deadlines().escalations == 0
    with time_machine.travel(DUE, tick=False):
        sweep_deadlines()
    assert levels(clock) == [0, 1]
    assert recipients("overdue") == {"liaison.us", "liaison.in"}

    with time_machine.travel(ESCALATED - MINUTE, tick=False):
        assert sweep_deadlines().escalations == 0
    request.refresh_from_db()
    assert request.escalated_at is None
    with time_machine.travel(ESCALATED + MINUTE, tick=False):
        sweep_deadlines()
    assert levels(clock) == [0, 1, 2]
    assert recipients("escalated") == {"senior.us"}
    request.refresh_from_db()
    clock.refresh_from_db()
    assert request.escalation_level == 2
    assert request.escalated_at is not None
    assert clock.next_escalation_at is None  # top of the ladder: the sweep never picks it again
    escalate_events = Event.objects.filter(request=request, action="escalate")
    assert [event.data["name"] for event in escalate_events] == ["due_soon", "overdue", "escalated"]


@pytest.mark.django_db
def test_a_transition_stops_the_clock_and_it_never_escalates_afterwards(with_supplier, people):
    request, clock = with_supplier
    services.supplier_accept(
        request,
        by=people.supplier_us,
        committed_delivery_date=dt.date(2027, 3, 1),
        now=FORWARDED + dt.timedelta(days=1),
    )
    result = sweep_deadlines(now=ESCALATED + dt.timedelta(days=5))
    assert result.escalations == 0
    assert levels(clock) == []
    assert not Notification.objects.filter(kind__in=["due_soon", "overdue", "escalated"]).exists()


@pytest.mark.django_db
def test_running_the_sweep_twice_notifies_each_recipient_once_per_level(with_supplier):
    _request, clock = with_supplier
    first = sweep_deadlines(now=DUE + MINUTE)
    second = sweep_deadlines(now=DUE + MINUTE)
    assert first.clocks == 1 and second.clocks == 0
    per_recipient = Counter(
        Notification.objects.filter(kind="overdue").values_list("recipient__username", "kind")
    )
    assert set(per_recipient.values()) == {1}
    assert Escalation.objects.filter(clock=clock).count() == 2


@pytest.mark.django_db
def test_a_late_sweep_records_every_level_passed_but_notifies_only_the_highest(with_supplier):
    _request, clock = with_supplier
    sweep_deadlines(now=ESCALATED + dt.timedelta(hours=1))
    assert levels(clock) == [0, 1, 2]
    assert recipients("escalated") == {"senior.us"}
    assert not Notification.objects.filter(kind__in=["due_soon", "overdue"]).exists()


@pytest.mark.django_db
def test_the_needs_info_clock_only_reminds_the_requester(make_request, people):
    submitted = dt.datetime(2026, 12, 1, 9, 0, tzinfo=NEW_YORK)  # Tue
    request = make_request("submitted", now=submitted)
    services.request_info(
        request, by=people.liaison_us, question="Which tail numbers?", now=submitted
    )
    answer_clock = Clock.objects.get(request=request, stage="answer")
    # 5 of India's working days (the requester's move), to 17:00 in New Delhi.
    assert answer_clock.due_at == dt.datetime(2026, 12, 8, 17, 0, tzinfo=KOLKATA)
    sweep_deadlines(now=dt.datetime(2026, 12, 20, 12, 0, tzinfo=NEW_YORK))
    assert levels(answer_clock) == [0, 1]
    assert recipients("reminder_overdue") == {"requester.in"}
    assert not Notification.objects.filter(kind__in=["overdue", "escalated"]).exists()
    answer_clock.refresh_from_db()
    assert answer_clock.next_escalation_at is None  # reminders only: no level 2


@pytest.mark.django_db
def test_a_paused_clock_does_not_escalate(make_request, people):
    submitted = dt.datetime(2026, 12, 1, 9, 0, tzinfo=NEW_YORK)
    request = make_request("submitted", now=submitted)
    services.request_info(request, by=people.liaison_us, question="Which fleet?", now=submitted)
    triage_clock = Clock.objects.get(request=request, stage="triage")
    sweep_deadlines(now=dt.datetime(2027, 1, 20, 12, 0, tzinfo=NEW_YORK))
    assert levels(triage_clock) == []


@pytest.mark.django_db
def test_escalation_mail_names_the_request_and_the_due_time_in_the_recipients_zone(
    with_supplier, people, django_capture_on_commit_callbacks
):
    request, _clock = with_supplier
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sweep_deadlines(now=DUE + MINUTE)  # eager tasks: sent after commit
    to_liaison_in = [m for m in mail.outbox if m.to == [people.liaison_in.email]]
    assert len(to_liaison_in) == 1
    message = to_liaison_in[0]
    assert request.reference in message.subject and "Overdue" in message.subject
    # In the acting nation's terms, and 17:00 in New York is 03:30 the next morning in New Delhi.
    assert "Thu 10 Dec, close of business in Washington, 17:00 EST" in message.body
    assert "(Fri 11 Dec 03:30 your time)" in message.body
    assert "DX-A1" in message.body
    assert f"/requests/{request.reference}/" in message.body
    html = message.alternatives[0][0]
    assert request.reference in html and "Overdue" in html
    assert Notification.objects.filter(kind="overdue", sent_at__isnull=True).count() == 0


@pytest.mark.django_db
def test_a_failing_mail_server_is_retried_with_backoff_then_marked_failed(
    with_supplier, settings, django_capture_on_commit_callbacks
):
    from requests_app.outbox import notices as notifications

    settings.EMAIL_BACKEND = "tests.email_backends.BrokenBackend"
    with (
        time_machine.travel(DUE + MINUTE, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        sweep_deadlines()
    notice = Notification.objects.filter(kind="overdue").first()
    assert notice.sent_at is None and notice.attempts == 1
    assert "SMTP" in notice.last_error
    first_retry = notice.next_attempt_at
    assert first_retry is not None
    # Not retried before its time, then retried with growing gaps until it gives up.
    now = first_retry - MINUTE
    assert notifications.deliver_due(now=now, grace_seconds=0) == 0
    for _ in range(notifications.MAX_ATTEMPTS - 1):
        notice.refresh_from_db()
        now = notice.next_attempt_at
        notifications.deliver_due(now=now, grace_seconds=0)
    notice.refresh_from_db()
    assert notice.attempts == notifications.MAX_ATTEMPTS
    assert notice.failed_at is not None and notice.sent_at is None
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notifications.deliver_due(now=now + dt.timedelta(days=1), grace_seconds=0) == 0


@pytest.mark.django_db
def test_unsent_notices_are_delivered_by_the_periodic_resend(
    with_supplier, settings, django_capture_on_commit_callbacks
):
    from requests_app.outbox import notices as notifications

    settings.EMAIL_BACKEND = "tests.email_backends.BrokenBackend"
    with django_capture_on_commit_callbacks(execute=True):
        sweep_deadlines(now=DUE + MINUTE)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox.clear()
    later = DUE + dt.timedelta(days=1)
    unsent = Notification.objects.filter(sent_at__isnull=True).count()
    assert unsent >= Notification.objects.filter(kind="overdue").count() == 2
    delivered = notifications.deliver_due(now=later)
    assert delivered == unsent == len(mail.outbox)
    assert Notification.objects.filter(sent_at__isnull=True).count() == 0
    assert notifications.deliver_due(now=later) == 0  # nothing twice


@pytest.mark.django_db
def test_manage_py_sweep_deadlines_runs_the_same_sweep(with_supplier, capsys):
    _request, clock = with_supplier
    with time_machine.travel(DUE + MINUTE, tick=False):
        call_command("sweep_deadlines")
    assert "1 clocks" in capsys.readouterr().out
    assert levels(clock) == [0, 1]


@pytest.mark.django_db
def test_adding_a_closure_moves_the_due_time_of_open_clocks_it_touches(
    with_supplier, people, django_capture_on_commit_callbacks
):
    request, clock = with_supplier
    with django_capture_on_commit_callbacks(execute=True):
        Closure.objects.create(nation=people.us, date=dt.date(2026, 12, 4), name="Snow day")
    clock.refresh_from_db()
    request.refresh_from_db()
    assert clock.due_at == dt.datetime(2026, 12, 11, 17, 0, tzinfo=NEW_YORK)
    assert request.due_at == clock.due_at
    assert "Snow day" in clock.explanation
    with django_capture_on_commit_callbacks(execute=True):
        Closure.objects.filter(nation=people.us).delete()
    clock.refresh_from_db()
    assert clock.due_at == DUE


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_notify_each_recipient_once_per_level(postgres, make_request):
    for _ in range(12):
        make_request("with_supplier", now=FORWARDED)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def sweep() -> None:
        try:
            barrier.wait()
            results.append(sweep_deadlines(now=DUE + MINUTE, batch_size=3))
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(result.clocks for result in results) == 12
    assert Escalation.objects.count() == 24  # levels 0 and 1 for each clock, once
    per_notice = Counter(
        Notification.objects.filter(kind="overdue").values_list("request_id", "recipient_id")
    )
    # Two readers each: the assignee (the liaison officer who forwards) and India's officer.
    assert len(per_notice) == 12 * 2 and set(per_notice.values()) == {1}
