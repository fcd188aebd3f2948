"""The outbox with real processes: a Celery worker over Redis, a broker outage, a killed worker.

These need PostgreSQL (the worker subprocess shares the test database) and Redis; with
REQUIRE_SERVICES=1 (CI) they fail rather than skip when either is missing.
"""

import datetime as dt
import uuid
from collections import Counter

import pytest
from django.db import transaction

from requests_app import tasks
from requests_app.models import Escalation, Notification
from requests_app.services.sweep import sweep_deadlines
from sosa_portal.celery import app as celery_app
from tests.processes import (
    celery_worker,
    free_port,
    kill,
    redis_server,
    sent_mails,
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


def test_a_worker_killed_mid_send_loses_nothing_and_sends_nothing_twice(
    postgres, redis_url, real_broker, breached, tmp_path, people
):
    # Everyone on the request hears of level 1 ("overdue"): more notices in flight.
    Notification.objects.all().delete()
    queue = real_broker(redis_url)
    mail_dir = tmp_path / "mail"
    markers = tmp_path / "markers"
    with celery_worker(
        broker_url=redis_url,
        queue=queue,
        mail_dir=mail_dir,
        log=tmp_path / "slow.log",
        EMAIL_BACKEND="tests.email_backends.SlowFileBackend",
        SLOW_EMAIL_MARKERS=str(markers),
        SLOW_EMAIL_SECONDS="3",
    ) as slow_worker:
        with transaction.atomic():
            sweep_deadlines()  # after commit: send_notifications goes to the slow worker
        assert wait_for(lambda: markers.exists() and any(markers.iterdir()), 30)
        kill(slow_worker)  # SIGKILL while it holds a claimed notice
    assert any(n.sent_at is None for n in escalation_notices())

    with celery_worker(
        broker_url=redis_url, queue=queue, mail_dir=mail_dir, log=tmp_path / "worker.log"
    ):
        tasks.resend_unsent.delay()
        assert wait_for(lambda: all(n.sent_at for n in escalation_notices()), 60)
    assert_each_notice_mailed_once(mail_dir)
