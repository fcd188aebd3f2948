"""Two officers acting on one request at once: one wins, the other gets a conflict, nothing lost.

PostgreSQL only (SQLite serialises writers, so there is no race to test). Each thread has its own
database connection, so the tests commit for real (`transaction=True`).

How the race is forced: both threads wait on a barrier, then call the service. Whichever takes
the row lock first is held at its notification step (inside the transaction, lock still held)
until PostgreSQL reports another backend waiting for a lock, i.e. the rival is blocked on the
same `SELECT … FOR UPDATE`. Only then does the first one commit, and the rival reads the row the
winner wrote. Without the hold, one thread could finish before the other starts and the test
would prove nothing.
"""

import datetime as dt
import threading
import time
from collections.abc import Callable

import pytest
from django.contrib.auth.models import Group
from django.db import connection

from partners.models import Role
from requests_app import services
from requests_app.exceptions import InvalidInput, InvalidTransition, StaleVersion
from requests_app.models import Delivery, Event, PriorityRequest
from requests_app.outbox import notices as notifications
from requests_app.services import events
from tests import factories as f

pytestmark = pytest.mark.django_db(transaction=True)
WAIT_SECONDS = 10


@pytest.fixture(autouse=True)
def _postgres_with_role_groups(postgres):
    # Transactional tests flush the database after each test, role groups from the data
    # migration included: put them back.
    for role in Role.values:
        Group.objects.get_or_create(name=role)


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    # Commits are real here, so on_commit hooks run: keep the send tasks off the broker.
    monkeypatch.setattr(notifications, "enqueue_sending", lambda event_ids: True)


@pytest.fixture
def liaison_us2(people):
    return f.make_user("liaison2.us", "liaison", people.us, serves=(people.india,))


def rival_is_waiting_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock' "
            "AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0] > 0


class HoldFirstLock:
    """Patch `queue_for_action` so the first action to get there keeps its row lock until a
    rival backend is blocked on it (see the module docstring)."""

    def __init__(self):
        self.first = threading.Lock()
        self.rival_waited = False

    def install(self, monkeypatch) -> None:
        original = events.queue_for_action

        def held(request, event):
            if self.first.acquire(blocking=False):
                deadline = time.monotonic() + WAIT_SECONDS
                while time.monotonic() < deadline:
                    if rival_is_waiting_for_a_lock():
                        self.rival_waited = True
                        break
                    time.sleep(0.01)
            return original(request, event)

        monkeypatch.setattr(events, "queue_for_action", held)


def race(*calls: Callable[[], object]) -> list[object]:
    """Start the calls together in threads, each on its own connection; results or errors."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(index: int, call: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=WAIT_SECONDS)
            results[index] = call()
        except Exception as exc:  # the loser's conflict is the point of the test
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=3 * WAIT_SECONDS)
    assert not any(thread.is_alive() for thread in threads), "a racing thread hung"
    return results


def winners_and_losers(results):
    wins = [r for r in results if isinstance(r, PriorityRequest)]
    losses = [r for r in results if isinstance(r, Exception)]
    return wins, losses


@pytest.mark.parametrize(
    ("pass_version", "conflict"),
    [(True, StaleVersion), (False, InvalidTransition)],
    ids=["same-version", "no-version"],
)
def test_two_liaisons_triaging_at_once_one_wins_and_the_other_is_told(
    people, make_request, liaison_us2, monkeypatch, pass_version, conflict
):
    request = make_request("submitted")
    loaded = request.version if pass_version else None
    hold = HoldFirstLock()
    hold.install(monkeypatch)

    results = race(
        lambda: services.triage(
            request.pk, by=people.liaison_us, assignee=people.reviewer_us, version=loaded
        ),
        lambda: services.triage(
            request.pk, by=liaison_us2, assignee=people.liaison_us, version=loaded
        ),
    )

    wins, losses = winners_and_losers(results)
    assert hold.rival_waited, "the second triage never waited on the row lock"
    assert len(wins) == 1 and len(losses) == 1, results
    assert isinstance(losses[0], conflict)
    row = PriorityRequest.objects.get(pk=request.pk)
    assert row.state == "in_review"
    assert row.version == request.version + 1
    assert row.assignee_id == wins[0].assignee_id
    assert Event.objects.filter(request=row, action="triage").count() == 1


def test_a_triage_and_a_decline_on_the_same_version_do_not_both_happen(
    people, make_request, liaison_us2, monkeypatch
):
    request = make_request("submitted")
    hold = HoldFirstLock()
    hold.install(monkeypatch)

    results = race(
        lambda: services.triage(
            request.pk, by=people.liaison_us, assignee=people.reviewer_us, version=request.version
        ),
        lambda: services.decline(
            request.pk, by=liaison_us2, reason="Not a SOSA case.", version=request.version
        ),
    )

    wins, losses = winners_and_losers(results)
    assert hold.rival_waited, "the second action never waited on the row lock"
    assert len(wins) == 1 and len(losses) == 1, results
    assert isinstance(losses[0], StaleVersion)
    row = PriorityRequest.objects.get(pk=request.pk)
    assert row.state == wins[0].state
    assert row.state in ("in_review", "resolved")
    assert row.version == request.version + 1
    acted = Event.objects.filter(request=row, action__in=["triage", "decline"])
    assert acted.count() == 1
    assert acted.get().to_state == row.state


def test_references_drawn_at_once_are_all_different(db):
    threads = 8
    results = race(*[lambda: services.next_reference("IN", 2031)] * threads)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(results) == [f"IN-2031-{n:05d}" for n in range(1, threads + 1)]

    results = race(*[lambda: services.next_reference("IN", 2031)] * threads)
    assert sorted(results) == [f"IN-2031-{n:05d}" for n in range(threads + 1, 2 * threads + 1)]


@pytest.mark.parametrize(
    ("pass_version", "quantity", "conflict", "state"),
    [(True, 4, StaleVersion, "resolved"), (False, 3, InvalidInput, "accepted")],
    ids=["same-version", "no-version"],
)
def test_two_officials_recording_the_same_delivery_at_once_count_it_once(
    people, make_request, monkeypatch, pass_version, quantity, conflict, state
):
    """The supplier and the requester both record a delivery of the 4 gyroscopes: one wins, the
    other is told (a stale version, or only 1 left to deliver); never more than 4 delivered."""
    request = make_request("accepted")
    item = request.items.get()
    loaded = request.version if pass_version else None
    hold = HoldFirstLock()
    hold.install(monkeypatch)
    today = dt.date.today() - dt.timedelta(days=1)

    results = race(
        lambda: services.record_delivery(
            request.pk, by=people.supplier_us, item=item.pk, quantity=quantity, delivered_on=today,
            version=loaded,
        ),
        lambda: services.record_delivery(
            request.pk, by=people.requester_in, item=item.pk, quantity=quantity, delivered_on=today,
            version=loaded,
        ),
    )  # fmt: skip

    wins, losses = winners_and_losers(results)
    assert hold.rival_waited, "the second delivery never waited on the row lock"
    assert len(wins) == 1 and len(losses) == 1, results
    assert isinstance(losses[0], conflict)
    item.refresh_from_db()
    assert item.quantity_delivered == quantity
    assert Delivery.objects.filter(item=item).count() == 1
    assert PriorityRequest.objects.get(pk=request.pk).state == state
