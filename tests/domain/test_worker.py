"""The outbox with real processes: a Celery worker over Redis, a broker outage, a killed worker.

These need PostgreSQL (the worker subprocess shares the test database) and Redis; with
REQUIRE_SERVICES=1 (CI) they fail rather than skip when either is missing.
"""

import datetime as dt
import json
import socket
import uuid
from collections import Counter

import pytest
import structlog
from django.db import transaction
from django.utils import timezone

from requests_app import tasks
from requests_app.models import Escalation, Heartbeat, Notification
from requests_app.outbox import notices
from requests_app.services.sweep import sweep_deadlines
from sosa_portal import health
from sosa_portal.celery import app as celery_app
from tests.processes import (
    celery_worker,
    free_port,
    kill,
    redis_server,
    sent_mails,
    sent_message_ids,
    wait_for,
)

pytestmark = pytest.mark.django_db(transaction=True)
# Forwarded 30 days ago: every supplier clock is past due whatever today is.
LONG_AGO = dt.timedelta(days=30)


@pytest.fixture
def breached(make_request):
    """Three India→US requests whose DX supplier clocks ran out long ago."""
    forwarded = dt.datetime.now(tz=dt.UTC) - LONG_AGO
    return [
        make_request("with_supplier", now=forwarded, title=f"Breached order {n}") for n in range(3)
    ]


@pytest.fixture
def real_broker():
    """Switch this process from eager tasks to a real broker and a private queue."""
    conf = celery_app.conf
    saved = (conf.broker_url, conf.task_default_queue, conf.task_always_eager)

    def use(url: str) -> str:
        queue = f"test-{uuid.uuid4().hex[:8]}"
        conf.broker_url, conf.task_default_queue, conf.task_always_eager = url, queue, False
        celery_app._pool = None  # forget connections to the previous broker
        celery_app.amqp._producer_pool = None
        return queue

    yield use
    conf.broker_url, conf.task_default_queue, conf.task_always_eager = saved
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def escalation_notices() -> list[Notification]:
    return list(Notification.objects.filter(kind__in=["due_soon", "overdue", "escalated"]))


def assert_each_notice_mailed_once(mail_dir) -> None:
    notices = escalation_notices()
    assert notices, "the sweep wrote no notices"
    assert all(notice.sent_at for notice in notices)
    subjects = Counter(sent_mails(mail_dir))
    expected = Counter(
        f"[SOSA] {n.payload['reference']} {n.kind.replace('_', ' ').capitalize()}: "
        f"{n.payload['title']}"
        for n in notices
    )
    assert subjects == expected


def test_a_real_worker_sweeps_a_breached_clock_and_mails_each_notice_once(
    postgres, redis_url, real_broker, breached, tmp_path
):
    queue = real_broker(redis_url)
    mail_dir = tmp_path / "mail"
    with celery_worker(
        broker_url=redis_url, queue=queue, mail_dir=mail_dir, log=tmp_path / "worker.log"
    ):
        tasks.sweep_deadlines.delay()  # what beat sends every minute
        assert wait_for(
            lambda: len(escalation_notices()) >= 3 and all(n.sent_at for n in escalation_notices()),
            60,
        ), (tmp_path / "worker.log").read_text()[-3000:]
        assert_each_notice_mailed_once(mail_dir)
        # A second sweep and a re-send find nothing more to do.
        tasks.sweep_deadlines.delay()
        tasks.resend_unsent.delay()
        wait_for(lambda: False, 3)
    assert_each_notice_mailed_once(mail_dir)
    assert Escalation.objects.filter(clock__request__in=breached).count() == 3 * 3


def test_a_real_worker_reports_its_heartbeat_and_beats_sweep_records_its_run(
    postgres, redis_url, real_broker, tmp_path
):
    queue = real_broker(redis_url)
    node = f"test-{queue}@{socket.gethostname()}"
    log = tmp_path / "worker.log"
    with celery_worker(broker_url=redis_url, queue=queue, mail_dir=tmp_path, log=log):
        # At start, on the worker's own timer: no beat needed to see it alive.
        assert wait_for(lambda: Heartbeat.objects.filter(name=node).exists(), 30), log.read_text()
        row = Heartbeat.objects.get(name=node)
        assert row.kind == "worker" and row.queue_names == [queue, f"{queue}-webhooks"]
        now = timezone.now()
        assert health.check_workers(now, node=node)["ok"] is True
        assert health.check_workers(now)["ok"] is True  # both queues of this app are taken
        assert health.check_beat(now)["ok"] is False

        # Queued while a request is handled: the worker's lines carry that request's id.
        structlog.contextvars.bind_contextvars(request_id="req-test-follows-1")
        try:
            tasks.sweep_deadlines.delay()  # what beat sends every minute
        finally:
            structlog.contextvars.clear_contextvars()
        assert wait_for(lambda: health.check_beat(timezone.now())["ok"], 30), log.read_text()
        assert wait_for(lambda: "sweep.finished" in log.read_text(), 10), log.read_text()
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    swept = next(line for line in lines if line["event"] == "sweep.finished")
    assert swept["request_id"] == "req-test-follows-1"
    assert swept["task"] == "requests_app.tasks.sweep_deadlines"


def test_a_broker_outage_loses_nothing_and_sends_nothing_twice(
    postgres, real_broker, breached, tmp_path, redis_exe
):
    mail_dir = tmp_path / "mail"
    port = free_port()
    folder = tmp_path / "redis"
    folder.mkdir()
    with redis_server(redis_exe, port, folder) as redis:
        queue = real_broker(redis.url)
        redis.stop()
        # The sweep runs while the broker is down: escalations and outbox rows are written,
        # the after-commit send fails quietly, nothing is sent.
        result = sweep_deadlines()
        assert result.escalations == 9
        notices = escalation_notices()
        assert len(notices) == 3 and not any(n.sent_at for n in notices)

        redis.start()
        with celery_worker(
            broker_url=redis.url, queue=queue, mail_dir=mail_dir, log=tmp_path / "worker.log"
        ):
            tasks.resend_unsent.delay()  # beat's next tick once the broker is back
            assert wait_for(lambda: all(n.sent_at for n in escalation_notices()), 60)
            tasks.resend_unsent.delay()
            wait_for(lambda: False, 3)
    assert_each_notice_mailed_once(mail_dir)


def kill_a_slow_worker_mid_send(redis_url, queue, tmp_path, **slow) -> Notification:
    """Sweep, let a worker with a slow mail server take the notices, SIGKILL it mid-send; the
    one notice it had claimed: counted, never recorded, still held."""
    markers = tmp_path / "markers"
    with celery_worker(
        broker_url=redis_url,
        queue=queue,
        mail_dir=tmp_path / "mail",
        log=tmp_path / "slow.log",
        EMAIL_BACKEND="tests.email_backends.SlowFileBackend",
        SLOW_EMAIL_MARKERS=str(markers),
        **slow,
    ) as slow_worker:
        with transaction.atomic():
            sweep_deadlines()  # after commit: send_notifications goes to the slow worker
        assert wait_for(lambda: markers.exists() and any(markers.iterdir()), 30)
        kill(slow_worker)
    (notice,) = [n for n in escalation_notices() if n.attempts]
    assert (notice.attempts, notice.sent_at) == (1, None) and notice.claimed_until
    assert [a.outcome for a in notice.attempt_log.all()] == ["sending"]
    return notice


def test_a_worker_killed_mid_send_loses_nothing_and_sends_nothing_twice(
    postgres, redis_url, real_broker, breached, tmp_path, people, settings
):
    # Everyone on the request hears of level 1 ("overdue"): more notices in flight.
    Notification.objects.all().delete()
    queue = real_broker(redis_url)
    mail_dir = tmp_path / "mail"
    in_flight = kill_a_slow_worker_mid_send(redis_url, queue, tmp_path, SLOW_EMAIL_SECONDS="3")

    with celery_worker(
        broker_url=redis_url, queue=queue, mail_dir=mail_dir, log=tmp_path / "worker.log"
    ):
        tasks.resend_unsent.delay()
        # The rest go out; the one in flight waits for its lease (its worker might be alive).
        assert wait_for(
            lambda: all(n.sent_at for n in escalation_notices() if n.pk != in_flight.pk), 60
        )
    in_flight.refresh_from_db()
    assert in_flight.sent_at is None

    # Beat's re-send once the lease has run out (here, in this process, writing files too).
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(mail_dir)
    later = timezone.now() + notices.NOTICES.lease + dt.timedelta(seconds=1)
    assert notices.deliver_due(now=later, grace_seconds=0) == 1
    assert_each_notice_mailed_once(mail_dir)
    in_flight.refresh_from_db()
    assert in_flight.attempts == 2
    assert [a.outcome for a in in_flight.attempt_log.all()] == ["interrupted", "delivered"]


def test_a_mail_that_left_before_its_worker_died_goes_again_once_with_the_same_message_id(
    postgres, redis_url, real_broker, breached, tmp_path, settings
):
    queue = real_broker(redis_url)
    mail_dir = tmp_path / "mail"
    in_flight = kill_a_slow_worker_mid_send(
        redis_url,
        queue,
        tmp_path,
        SLOW_EMAIL_SECONDS="30",
        SLOW_EMAIL_AFTER="1",  # the mail server took it; the worker dies before recording it
    )
    assert sent_message_ids(mail_dir) == [notices.message_id(in_flight)]

    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(mail_dir)
    now = timezone.now()
    others = len(escalation_notices()) - 1
    # The rest go out at once; the one in flight only after its lease, and then once.
    assert notices.deliver_due(now=now, grace_seconds=0) == others
    later = now + notices.NOTICES.lease + dt.timedelta(seconds=1)
    assert notices.deliver_due(now=later, grace_seconds=0) == 1
    assert notices.deliver_due(now=later + dt.timedelta(hours=2), grace_seconds=0) == 0

    assert Counter(sent_message_ids(mail_dir)) == {
        notices.message_id(n): 2 if n.pk == in_flight.pk else 1 for n in escalation_notices()
    }
    in_flight.refresh_from_db()
    assert (in_flight.attempts, in_flight.sent_at) == (2, later)
    assert [a.outcome for a in in_flight.attempt_log.all()] == ["interrupted", "delivered"]
