"""The outbox under load and across a crash: every webhook delivery is POSTed once while events
are written, two workers send and the periodic re-send fires at the same time (on PostgreSQL
and on SQLite), and a delivery whose worker died mid-POST goes again, once, after its lease,
under the same delivery id; the log counts every attempt.

The receiver is a `ThreadingHTTPServer` on 127.0.0.1 started by the test.
"""

from __future__ import annotations

import datetime as dt
import os
import queue
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.utils import timezone

from partners.models import Role
from requests_app import services
from requests_app.models import WebhookDelivery
from requests_app.outbox import engine, notices, webhooks
from requests_app.services.webhooks import register
from tests import factories as f
from tests.processes import ROOT, kill, shared_database_url, wait_for
from tests.receivers import Call, Receiver, http_receiver, verifies

COMMENTS = 40  # each one event, delivered to two agencies' webhooks


@pytest.fixture
def receiver():
    with http_receiver() as received:
        yield received


@pytest.fixture
def shared_people(postgres, people, monkeypatch):
    """The people, in a PostgreSQL database that other threads and processes see; notices are
    left unsent (these tests are about webhooks)."""
    for role in Role.values:  # flushed by transactional tests
        Group.objects.get_or_create(name=role)
    monkeypatch.setattr(notices, "enqueue_sending", lambda event_ids: True)
    return people


def first_try_fails_for_every_fifth(receiver: Receiver):
    """The receiver answers 500 to the first POST of every fifth delivery, 200 otherwise."""

    def answer(call: Call) -> int:
        first = sum(c.delivery_id == call.delivery_id for c in receiver.calls) == 1
        return 500 if call.delivery_id % 5 == 0 and first else 200

    return answer


def assert_each_posted_once_and_counted(receiver: Receiver, log: dict[int, list[str]]) -> None:
    """`log`: each delivery's attempt outcomes, in order. One POST per delivery, a second only
    after a 500; the attempt count is the number of POSTs."""
    posts = receiver.posts_per_delivery()
    assert set(posts) == set(log)
    for pk, outcomes in log.items():
        expected = ["http 500", "delivered"] if pk % 5 == 0 else ["delivered"]
        assert (pk, outcomes) == (pk, expected)
        assert posts[pk] == len(outcomes)


class ThreadedLoad:
    """Two writers add comments (each commit hands its event to the workers, as the on-commit
    send does), two workers send what they are handed, and the periodic re-send fires in a
    loop, all at once, until everything written is out."""

    def __init__(self, requests, author):
        self.requests, self.author = requests, author
        self.inboxes: list[queue.Queue] = [queue.Queue(), queue.Queue()]
        self.written, self.stop = threading.Event(), threading.Event()

    def hand_to_both_workers(self, event_ids: list[int]) -> bool:
        # The broker hands each send task to both workers (a redelivery, at worst).
        for inbox in self.inboxes:
            inbox.put(event_ids)
        return True

    def write(self) -> None:
        def writer(first: int) -> None:
            try:
                for n in range(first, COMMENTS, 2):
                    services.add_comment(
                        self.requests[n % 3], by=self.author, body=f"Chasing, {n}."
                    )
            finally:
                connection.close()

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        self.written.set()

    def settled(self) -> bool:
        left = engine.pending(webhooks.WEBHOOKS, timezone.now()).exists()
        return self.written.is_set() and not left

    def worker(self, n: int):
        def loop() -> None:
            inbox = self.inboxes[n]
            while not self.stop.is_set():
                try:
                    webhooks.deliver_for_events(inbox.get(timeout=0.05))
                except queue.Empty:
                    if self.settled() and inbox.empty():
                        return

        return loop

    def resend(self) -> None:
        while not self.stop.is_set() and not self.settled():
            webhooks.deliver_due(grace_seconds=0)


def run_until_done(*loops, stop: threading.Event) -> None:
    """Run each loop in a thread of its own (its own database connection) until `stop`."""
    errors: list[BaseException] = []

    def guarded(loop):
        try:
            loop()
        except BaseException as exc:  # surfaced below, not lost in a thread
            errors.append(exc)
            stop.set()
        finally:
            connection.close()

    threads = [threading.Thread(target=guarded, args=(loop,)) for loop in loops]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors, errors
    assert not any(thread.is_alive() for thread in threads)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_each_delivery_is_posted_once_while_two_workers_and_the_resend_race(
    shared_people, receiver, monkeypatch
):
    people = shared_people
    for agency, path in (
        (people.requester_in.profile.agency, "/in"),
        (people.requester_us.profile.agency, "/us"),
    ):
        register(agency=agency, url=receiver.url + path, event_kinds=["comment"], by=None)
    requests = [
        services.submit(f.draft(people.requester_in, people.us), by=people.requester_in)
        for _ in range(3)
    ]
    receiver.answer = first_try_fails_for_every_fifth(receiver)
    receiver.delay = 0.005
    load = ThreadedLoad(requests, people.liaison_us)
    monkeypatch.setattr(webhooks, "enqueue_sending", load.hand_to_both_workers)

    run_until_done(load.write, load.worker(0), load.worker(1), load.resend, stop=load.stop)
    # The 500s come round again after their back-off: one re-send, a few minutes on.
    webhooks.deliver_due(now=timezone.now() + dt.timedelta(minutes=2), grace_seconds=0)

    deliveries = WebhookDelivery.objects.prefetch_related("attempt_log")
    assert deliveries.count() == 2 * COMMENTS
    assert all(d.delivered_at and d.claimed_until is None for d in deliveries)
    assert_each_posted_once_and_counted(
        receiver,
        {d.pk: [a.outcome for a in d.attempt_log.all()] for d in deliveries},
    )
    assert all(d.attempts == d.attempt_log.count() for d in deliveries)


def python(*args: str, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def finished(process: subprocess.Popen, timeout: float = 60) -> str:
    output, _ = process.communicate(timeout=timeout)
    assert process.returncode == 0, output.decode(errors="replace")[-3000:]
    return output.decode(errors="replace")


def test_on_sqlite_each_delivery_is_posted_once_while_two_worker_processes_and_the_resend_race(
    receiver, tmp_path
):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("REDIS_URL", "DJANGO_SETTINGS_MODULE")
    }
    env |= {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'outbox.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "sosa_portal.settings",
    }
    finished(python("manage.py", "migrate", "--noinput", env=env))
    finished(python("-m", "tests.outbox_load", "seed", receiver.url, env=env))
    receiver.answer = first_try_fails_for_every_fifth(receiver)
    receiver.delay = 0.005
    stop = str(tmp_path / "stop")

    senders = [
        python("-m", "tests.outbox_load", role, stop, env=env)
        for role in ("work", "work", "resend")
    ]
    try:
        finished(python("-m", "tests.outbox_load", "write", str(COMMENTS), env=env))
        Path(stop).touch()
        for sender in senders:
            finished(sender)
    finally:
        for sender in senders:
            kill(sender)
    # The 500s come round again after their back-off: one re-send, a few minutes on.
    finished(python("-m", "tests.outbox_load", "catch_up", "120", env=env))

    with sqlite3.connect(tmp_path / "outbox.sqlite3") as db:
        rows = db.execute(
            "SELECT id, attempts, delivered_at, claimed_until FROM requests_app_webhookdelivery"
        ).fetchall()
        log: dict[int, list[str]] = {pk: [] for pk, *_ in rows}
        for pk, outcome in db.execute(
            "SELECT delivery_id, outcome FROM requests_app_outboxattempt ORDER BY id"
        ):
            log[pk].append(outcome)
    assert len(rows) == 2 * COMMENTS
    assert all(delivered_at and claimed_until is None for _, _, delivered_at, claimed_until in rows)
    assert_each_posted_once_and_counted(receiver, log)
    assert all(attempts == len(log[pk]) for pk, attempts, *_ in rows)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_delivery_whose_worker_died_mid_post_goes_again_once_after_the_lease_with_its_id(
    shared_people, receiver, monkeypatch
):
    people = shared_people
    monkeypatch.setattr(webhooks, "enqueue_sending", lambda event_ids: True)
    register(
        agency=people.requester_us.profile.agency,
        url=receiver.url,
        event_kinds=["submit"],
        by=None,
    )
    services.submit(f.draft(people.requester_in, people.us), by=people.requester_in)
    delivery = WebhookDelivery.objects.get()

    receiver.gate = threading.Event()  # the receiver holds the POST: the worker dies waiting
    env = {**os.environ, "DATABASE_URL": shared_database_url(), "CONN_MAX_AGE": "0"}
    worker = python("-m", "tests.outbox_load", "deliver", str(delivery.pk), env=env)
    try:
        assert wait_for(lambda: len(receiver.calls) == 1, timeout=30)
    finally:
        kill(worker)
    receiver.gate.set()

    # The attempt was counted before the POST; the log shows it never answered.
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.delivered_at) == (1, None)
    assert [a.outcome for a in delivery.attempt_log.all()] == ["sending"]
    # Within the lease nobody sends it again (its worker might still be at it)…
    now = timezone.now()
    assert webhooks.deliver_due(now=now, grace_seconds=0) == 0
    assert webhooks.deliver_one(delivery.pk) is False
    assert len(receiver.calls) == 1
    # …after it, the re-send does, once.
    after_lease = now + webhooks.WEBHOOKS.lease + dt.timedelta(seconds=1)
    assert webhooks.deliver_due(now=after_lease, grace_seconds=0) == 1
    assert webhooks.deliver_due(now=after_lease + dt.timedelta(hours=1), grace_seconds=0) == 0

    first, again = receiver.calls
    assert first.delivery_id == again.delivery_id == delivery.pk
    assert first.body == again.body
    # Each attempt is signed with its own time over the same body.
    assert all(verifies(call, delivery.webhook.secret) for call in (first, again))
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and delivery.delivered_at == after_lease
    assert [a.outcome for a in delivery.attempt_log.all()] == ["interrupted", "delivered"]
