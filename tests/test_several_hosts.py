"""Several hosts, proven here (issue 18, point 4): two web hosts (gunicorn, two processes each)
on two ports, two Celery workers and two beats — the second started by mistake — against one
PostgreSQL and one Redis.

Six requests run their whole DPAS life cycle over the API, their calls alternating between the
two web hosts, six at once. A third of the way through, one worker and one whole web host are
killed with SIGKILL; a call lost with the host is retried on the other with the same
`Idempotency-Key`, as an agency system would. Meanwhile both beats sweep twelve overdue clocks
and re-send what the dead worker held. Then:

- every action was applied once (each request's events, version and state);
- every notice went out once: one e-mail per `Message-ID`, two only for a notice whose worker
  died mid-send (its attempt log says "interrupted"; the receiver sees the same id);
- every clock was escalated once per rung (events and notices, not only the unique rows).

Run alone: `pytest -m several_hosts`.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth.models import Group
from django.db.models import Max

from partners.accounts.tokens import issue_token
from partners.models import Role
from requests_app.models import (
    Clock,
    Escalation,
    Event,
    Notification,
    OutboxAttempt,
    PriorityRequest,
)
from tests import factories as f
from tests.processes import (
    celery_beat,
    celery_worker,
    free_port,
    kill,
    redis_server,
    sent_message_ids,
    shared_database_url,
    wait_for,
    web_host,
)

pytestmark = [pytest.mark.several_hosts, pytest.mark.django_db(transaction=True)]

LIFE_CYCLES = 6
OVERDUE = 12
RUNGS = 3  # due soon, overdue, escalated (deadlines.LADDER): all passed 40 days on
QUEUE = "hosts"
# Beat every 2 s; a dead worker's claim runs out after 8 s; the re-send leaves notices younger
# than 1 s to the send their commit queued.
ENV = {
    "SOSA_BEAT_SECONDS": "2",
    "SOSA_OUTBOX_LEASE_SECONDS": "8",
    "SOSA_OUTBOX_GRACE_SECONDS": "1",
    "CONN_MAX_AGE": "0",
}


class Hosts:
    """The web hosts a client may call, in turn; a lost host is dropped from the rotation."""

    def __init__(self, bases: list[str]):
        self.bases = list(bases)
        self.lost: set[str] = set()
        self.calls: Counter[str] = Counter()
        self._turn = 0
        self._lock = threading.Lock()

    def next(self, avoid: str | None = None) -> str:
        with self._lock:
            alive = [base for base in self.bases if base not in self.lost]
            # Another host than the one that just failed, while there is one.
            alive = [base for base in alive if base != avoid] or alive
            assert alive, "every web host was lost"
            base = alive[self._turn % len(alive)]
            self._turn += 1
            return base

    def lose(self, base: str) -> None:
        with self._lock:
            self.lost.add(base)


def call(hosts: Hosts, key: str, path: str, body: dict, idempotency_key: str) -> dict:
    """POST as an agency system does: on a lost connection or a 5xx, the same call again, with
    the same `Idempotency-Key`, on another host."""
    base, failed = hosts.next(), None
    for _attempt in range(6):
        request = urllib.request.Request(
            base + path,
            data=json.dumps(body).encode(),
            method="POST",
            headers={
                "Authorization": f"Token {key}",
                "Content-Type": "application/json",
                "Idempotency-Key": idempotency_key,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                hosts.calls[base] += 1
                return json.loads(response.read())
        except urllib.error.HTTPError as refused:
            if refused.code < 500:
                raise AssertionError(f"{path}: {refused.code} {refused.read()[:300]!r}") from None
            failed = refused
        except (urllib.error.URLError, ConnectionError, http.client.HTTPException) as lost:
            failed = lost
            hosts.lose(base)
        time.sleep(0.2)
        base = hosts.next(avoid=base)
    raise AssertionError(f"{path}: no host answered: {failed!r}")


def steps(people, *, endorse: bool):
    """The DPAS route over the API: (action's URL name, actor, body)."""
    delivery = (dt.date.today() + dt.timedelta(days=120)).isoformat()
    route = [("submit", people.requester_in, {})]
    if endorse:
        route.append(("endorse", people.liaison_in, {"note": "India endorses it."}))
    route += [
        ("triage", people.liaison_us, {"assignee": people.reviewer_us.username}),
        ("determine", people.reviewer_us, {"rating": "DX", "program_symbol": "A1", "note": "G2."}),
        (
            "authorise",
            people.authority_us,
            {
                "bis_case_number": "BIS-26-0042",
                "rating": "DX",
                "program_symbol": "A1",
                "note": "OK",
            },
        ),
        ("forward", people.liaison_us, {"supplier": people.company_us.pk}),
        ("supplier-accept", people.supplier_us, {"committed_delivery_date": delivery}),
    ]
    return route


def test_two_web_hosts_two_workers_two_beats_and_two_kills_do_everything_once(
    people, make_request, redis_exe, tmp_path
):
    for role in Role.values:  # flushed by transactional tests
        Group.objects.get_or_create(name=role)
    # Twelve requests submitted 40 days ago: their triage clocks are past every rung.
    long_ago = dt.datetime.now(tz=dt.UTC) - dt.timedelta(days=40)
    overdue = [make_request("submitted", now=long_ago).pk for _ in range(OVERDUE)]
    drafts = [f.draft(people.requester_in, people.us, title=f"Host run {n}") for n in range(6)]
    route = steps(people, endorse=people.india.requires_endorsement)
    keys = {
        actor.pk: issue_token(actor, name="hosts", expires_at=None, via="test")[1]
        for _action, actor, _body in route
    }
    notices_before = Notification.objects.aggregate(last=Max("id"))["last"] or 0
    mail = tmp_path / "mail"
    mail.mkdir()
    logs = tmp_path / "logs"
    logs.mkdir()
    database = shared_database_url()

    with redis_server(redis_exe, free_port(), tmp_path) as broker:
        common = {"broker_url": broker.url, "queue": QUEUE}
        worker_env = {**ENV, "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend"}
        with (
            web_host(database, logs / "web-a.log", broker_url=broker.url, extra_env=ENV) as (
                web_a,
                web_a_process,
            ),
            web_host(database, logs / "web-b.log", broker_url=broker.url, extra_env=ENV) as (
                web_b,
                _,
            ),
            celery_worker(
                **common, mail_dir=mail, log=logs / "worker-1.log", name="one", **worker_env
            ) as worker_one,
            celery_worker(
                **common, mail_dir=mail, log=logs / "worker-2.log", name="two", **worker_env
            ),
            celery_beat(**common, schedule=tmp_path / "beat-1", log=logs / "beat-1.log", **ENV),
            celery_beat(**common, schedule=tmp_path / "beat-2", log=logs / "beat-2.log", **ENV),
        ):
            hosts = Hosts([web_a, web_b])
            total = LIFE_CYCLES * len(route)
            done = Counter[str]()
            killed_at: list[int] = []

            def life_cycle(draft: PriorityRequest) -> None:
                for action, actor, body in route:
                    path = f"/api/v1/requests/{draft.reference}/{action}/"
                    call(hosts, keys[actor.pk], path, body, uuid.uuid4().hex)
                    done["calls"] += 1
                    if done["calls"] >= total // 3 and not killed_at:
                        killed_at.append(done["calls"])
                        kill(worker_one)  # SIGKILL, mid-run: other calls are in flight
                        kill(web_a_process)

            with ThreadPoolExecutor(LIFE_CYCLES) as pool:
                list(pool.map(life_cycle, drafts))

            def all_out() -> bool:
                waiting = Notification.objects.filter(
                    id__gt=notices_before,
                    sent_at__isnull=True,
                    failed_at__isnull=True,
                    held_for_digest_at__isnull=True,
                )
                escalated = Escalation.objects.filter(clock__request_id__in=overdue)
                return not waiting.exists() and escalated.count() >= RUNGS * OVERDUE

            assert wait_for(all_out, timeout=60, interval=0.5), (
                Notification.objects.filter(sent_at__isnull=True).values_list("id", "last_error")[
                    :20
                ],
                Escalation.objects.count(),
            )
            time.sleep(2 * float(ENV["SOSA_BEAT_SECONDS"]))  # both beats sweep again: no more

    # Both hosts served, one was lost mid-run and its calls went on on the other.
    assert hosts.calls[web_a] > 0 and hosts.calls[web_b] > 0, hosts.calls
    assert killed_at and killed_at[0] < total
    assert hosts.lost == {web_a}  # its calls failed and went again to the other host
    # Every action applied once.
    actions = [action.replace("-", "_") for action, _actor, _body in route]
    for draft in drafts:
        draft.refresh_from_db()
        assert draft.state == "accepted"
        taken = list(
            Event.objects.filter(request=draft, action__in=actions)
            .order_by("id")
            .values_list("action", flat=True)
        )
        assert taken == actions, (draft.reference, taken)
    # Every clock escalated once per rung: the rows, the clocks, their events and notices.
    clocks = Clock.objects.filter(request_id__in=overdue, stopped_at__isnull=True)
    assert clocks.count() == OVERDUE
    per_clock = Counter(
        Escalation.objects.filter(clock__in=clocks).values_list("clock_id", "level")
    )
    assert sorted(set(per_clock.values())) == [1] and len(per_clock) == RUNGS * OVERDUE
    assert set(clocks.values_list("level", flat=True)) == {RUNGS - 1}
    escalation_events = Event.objects.filter(request_id__in=overdue, action="escalate")
    assert escalation_events.count() == OVERDUE  # one sweep passed all three rungs of each
    assert Counter(escalation_events.values_list("request_id", flat=True)) == Counter(overdue)
    alarms = Notification.objects.filter(event__in=escalation_events)
    assert alarms.exists()
    # Every notice went out once: one e-mail per Message-ID, unless its worker died mid-send.
    new = Notification.objects.filter(id__gt=notices_before)
    mailed = Counter(sent_message_ids(mail))
    interrupted = set(
        OutboxAttempt.objects.filter(outcome="interrupted").values_list(
            "notification_id", flat=True
        )
    )
    for notice in new.exclude(sent_at__isnull=True).select_related("recipient"):
        if not notice.recipient.email:
            continue
        copies = sum(n for mid, n in mailed.items() if mid.startswith(f"<notice-{notice.pk}@"))
        allowed = {1, 2} if notice.pk in interrupted else {1}
        assert copies in allowed, (notice.pk, notice.kind, copies)
    assert not new.filter(sent_at__isnull=True, held_for_digest_at__isnull=True).exists()
    # Both beats sent sweeps (the second one by mistake), yet nothing above was doubled.
    for beat in ("beat-1", "beat-2"):
        assert (logs / f"{beat}.log").read_text().count("sweep-deadlines") >= 2
