"""Health in three tiers (sosa_portal/health.py): /healthz/live answers with no I/O at all,
/healthz/ready when the database and the broker answer, /healthz when everything does — no
unapplied migration, the outbox keeping up, a worker on each queue and beat's sweep seen lately.
JSON, never cached, 200 or 503; `manage.py health …` runs the same checks for containers."""

import contextlib
import datetime as dt
import io
import json
import os
import secrets
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError
from django.db.migrations import Migration
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from requests_app import tasks
from requests_app.models import Event, Heartbeat, Notification, Webhook, WebhookDelivery
from requests_app.models.heartbeats import BEAT, WORKER
from sosa_portal import health
from sosa_portal.celery import app as celery_app
from sosa_portal.celery import webhook_queue
from tests import factories as f
from tests.processes import ROOT, free_port, shared_database_url

pytestmark = pytest.mark.django_db
FULL = ["database", "broker", "migrations", "notice_lag", "webhook_lag", "worker", "beat"]


def all_queues() -> list[str]:
    return [celery_app.conf.task_default_queue, webhook_queue()]


def beats(*, worker_age: int = 5, beat_age: int = 20, queues=None) -> None:
    """A worker on every queue and beat's sweep, seen that many seconds ago."""
    now = timezone.now()
    Heartbeat.objects.record(
        "celery@host-a",
        kind=WORKER,
        queues=all_queues() if queues is None else queues,
        at=now - dt.timedelta(seconds=worker_age),
    )
    Heartbeat.objects.record(BEAT, kind=BEAT, at=now - dt.timedelta(seconds=beat_age))


@contextlib.contextmanager
def broker_at(url: str):
    """The Celery app's broker moved (the web process's view of it), then put back."""
    saved = celery_app.conf.broker_url
    celery_app.conf.broker_url = url
    celery_app._pool = None
    try:
        yield
    finally:
        celery_app.conf.broker_url = saved
        celery_app._pool = None


@pytest.fixture
def unsent_notice(django_user_model):
    recipient = django_user_model.objects.create(username="reader", email="reader@example.org")
    return Notification.objects.create(recipient=recipient, kind="triage")


def age(row_model, row, seconds: int) -> None:
    row_model.objects.filter(pk=row.pk).update(
        created_at=timezone.now() - dt.timedelta(seconds=seconds)
    )


def assert_never_cached(response) -> None:
    assert "no-store" in response["Cache-Control"] and "max-age=0" in response["Cache-Control"]
    assert response["Content-Type"] == "application/json"


# --- live ---------------------------------------------------------------------------------------


def test_live_answers_without_a_query_or_the_broker(client, monkeypatch, django_assert_num_queries):
    def must_not_run():
        raise AssertionError("live must do no I/O")

    monkeypatch.setattr(health, "check_database", must_not_run)
    monkeypatch.setattr(health, "check_broker", must_not_run)
    with django_assert_num_queries(0), broker_at(f"redis://127.0.0.1:{free_port()}/0"):
        response = client.get("/healthz/live")
        head = client.head("/healthz/live")

    assert response.status_code == 200 and head.status_code == 200
    assert response.json() == {"status": "ok"}
    assert_never_cached(response)


# --- ready --------------------------------------------------------------------------------------


def test_ready_is_200_with_the_database_and_broker_up_whatever_the_workers_do(client, redis_url):
    response = client.get("/healthz/ready")  # no heartbeat at all: not ready's business

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"status", "database", "broker"}
    assert body["status"] == "ok"
    assert body["database"] == {"ok": True, "detail": "postgresql"}
    assert body["broker"]["ok"] is True
    assert_never_cached(response)


def test_ready_is_503_when_the_broker_does_not_answer(client):
    with broker_at(f"redis://127.0.0.1:{free_port()}/0"):  # a closed port
        response = client.get("/healthz/ready")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["broker"]["ok"] is False and "Error" in body["broker"]["detail"]
    assert body["database"]["ok"] is True
    assert_never_cached(response)


def test_ready_and_full_are_503_when_the_database_check_fails(client, monkeypatch):
    def refused():
        raise OperationalError("could not connect to server: Connection refused")

    beats()
    monkeypatch.setattr(health.connection, "cursor", refused)
    ready = client.get("/healthz/ready")
    full = client.get("/healthz")
    monkeypatch.undo()

    assert ready.status_code == 503
    assert ready.json()["database"] == {
        "ok": False,
        "detail": "OperationalError: could not connect to server: Connection refused",
    }
    assert full.status_code == 503
    body = full.json()
    assert body["database"]["ok"] is False
    # What reads the database is not tried against one that does not answer.
    for name in ("migrations", "notice_lag", "webhook_lag", "worker", "beat"):
        assert body[name] == {"ok": False, "detail": "not checked: the database does not answer"}


# --- everything ---------------------------------------------------------------------------------


def test_full_is_200_when_everything_is_fresh(client, redis_url, unsent_notice):
    beats(worker_age=5, beat_age=20)
    age(Notification, unsent_notice, 30)  # waiting, but well inside the limit

    response = client.get("/healthz")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ok"
    assert list(body) == ["status", *FULL]
    assert all(set(body[name]) >= {"ok", "detail"} and body[name]["ok"] for name in FULL)
    assert body["migrations"]["detail"] == "all applied"
    assert body["notice_lag"]["limit_seconds"] == 900
    assert 30 <= body["notice_lag"]["age_seconds"] < 60
    assert body["webhook_lag"] == {
        "ok": True,
        "detail": "no webhook delivery waiting",
        "age_seconds": None,
        "limit_seconds": 900,
    }
    queue, webhooks = all_queues()
    assert body["worker"]["detail"] == (
        f"{queue}: celery@host-a reported 5 s ago; "
        f"{webhooks}: celery@host-a reported 5 s ago (limit 180 s)"
    )
    assert body["worker"]["limit_seconds"] == 180
    assert body["beat"]["detail"] == "the deadline sweep last ran 20 s ago (limit 180 s)"
    assert_never_cached(response)


def test_full_is_503_when_the_worker_heartbeat_is_stale(client):
    beats(worker_age=600)

    response = client.get("/healthz")

    assert response.status_code == 503
    worker = response.json()["worker"]
    assert worker["ok"] is False and worker["age_seconds"] >= 600
    assert "celery@host-a reported 600 s ago" in worker["detail"]
    assert response.json()["beat"]["ok"] is True  # the other processes are judged apart


def test_full_is_503_when_no_worker_takes_the_webhook_queue(client):
    beats(queues=[celery_app.conf.task_default_queue])

    worker = client.get("/healthz").json()["worker"]

    assert worker["ok"] is False and worker["age_seconds"] is None
    assert f"{webhook_queue()}: no worker has reported" in worker["detail"]


def test_full_is_503_when_beats_sweep_has_not_run_lately_or_ever(client):
    beats(beat_age=400)
    stale = client.get("/healthz")
    Heartbeat.objects.filter(name=BEAT).delete()
    never = client.get("/healthz")

    assert stale.status_code == 503 and never.status_code == 503
    assert stale.json()["beat"]["detail"] == "the deadline sweep last ran 400 s ago (limit 180 s)"
    assert never.json()["beat"]["detail"] == "no deadline sweep has run yet"
    assert stale.json()["worker"]["ok"] is True


def test_full_is_503_when_a_notice_has_waited_too_long(client, unsent_notice):
    beats()
    age(Notification, unsent_notice, 2 * 60 * 60)

    response = client.get("/healthz")

    assert response.status_code == 503
    lag = response.json()["notice_lag"]
    assert lag["ok"] is False and lag["age_seconds"] >= 7200 and lag["limit_seconds"] == 900
    assert lag["detail"].startswith("the oldest notice has waited 720")


def test_given_up_and_digest_held_notices_are_not_lag(client, unsent_notice):
    beats()
    age(Notification, unsent_notice, 2 * 60 * 60)
    Notification.objects.filter(pk=unsent_notice.pk).update(held_for_digest_at=timezone.now())
    held = client.get("/healthz")
    Notification.objects.filter(pk=unsent_notice.pk).update(
        held_for_digest_at=None, failed_at=timezone.now()
    )
    given_up = client.get("/healthz")

    assert held.json()["notice_lag"]["detail"] == "no notice waiting"
    assert given_up.json()["notice_lag"]["detail"] == "no notice waiting"


def test_full_is_503_when_a_webhook_delivery_has_waited_too_long(client, people, make_request):
    beats()
    event = Event.objects.filter(request=make_request("submitted")).first()
    hook = Webhook.objects.create(
        agency=f.AgencyFactory(nation=people.india), url="https://erp.example.org/hook"
    )
    delivery = WebhookDelivery.objects.create(webhook=hook, event=event, payload={})
    age(WebhookDelivery, delivery, 3600)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["webhook_lag"]["ok"] is False
    assert response.json()["webhook_lag"]["age_seconds"] >= 3600


def test_full_is_503_while_a_migration_is_unapplied(client, monkeypatch):
    beats()
    future = Migration("0999_not_yet", "requests_app")
    monkeypatch.setattr(
        MigrationExecutor, "migration_plan", lambda self, targets: [(future, False)]
    )

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["migrations"] == {
        "ok": False,
        "detail": "1 unapplied: requests_app.0999_not_yet",
    }


def test_the_limits_come_from_settings(client, settings):
    beats(worker_age=60, beat_age=60)
    assert client.get("/healthz").json()["worker"]["ok"] is True

    settings.SOSA_HEALTH_LIMITS = {"WORKER": "30", "BEAT": "nonsense"}
    body = client.get("/healthz").json()

    assert body["worker"]["ok"] is False and body["worker"]["limit_seconds"] == 30
    assert body["beat"] == {
        "ok": False,
        "detail": "ImproperlyConfigured: SOSA_HEALTH_LIMITS: BEAT='nonsense' is not seconds",
    }


# --- who writes the heartbeats, and the command containers run ----------------------------------


def test_the_sweep_beat_schedules_records_when_it_ran():
    before = timezone.now()
    tasks.sweep_deadlines()
    assert Heartbeat.objects.get(name=BEAT).beat_at >= before
    Heartbeat.objects.all().delete()
    call_command("sweep_deadlines", stdout=io.StringIO())  # cron's sweep is not beat's heartbeat
    assert not Heartbeat.objects.exists()


def printed(capsys) -> dict:
    return json.loads(capsys.readouterr().out)


def test_the_health_command_exits_1_and_prints_why_when_a_process_is_stale(capsys, redis_url):
    beats(worker_age=5, beat_age=400)

    call_command("health", "worker")
    assert printed(capsys)["worker"]["ok"] is True
    call_command("health", "worker", "--node", "celery@host-a")
    assert printed(capsys) == {
        "worker": {
            "ok": True,
            "detail": "celery@host-a reported 5 s ago (limit 180 s)",
            "age_seconds": 5,
            "limit_seconds": 180,
        }
    }
    with pytest.raises(CommandError, match="unhealthy: worker"):
        call_command("health", "worker", "--node", "celery@host-b")
    assert printed(capsys)["worker"]["detail"] == "celery@host-b has not reported"
    with pytest.raises(CommandError, match="unhealthy: beat"):
        call_command("health", "beat")
    with pytest.raises(CommandError, match=r"^unhealthy: beat$"):
        call_command("health", "full")


def test_the_health_command_checks_what_ready_checks(capsys, redis_url):
    call_command("health", "ready")
    assert printed(capsys)["broker"]["ok"] is True
    with broker_at(f"redis://127.0.0.1:{free_port()}/0"), pytest.raises(CommandError):
        call_command("health", "ready")
    assert printed(capsys)["broker"]["ok"] is False


@pytest.mark.django_db(transaction=True)
def test_the_command_a_container_runs_exits_0_when_fresh_and_1_when_not(postgres):
    beats(worker_age=5)
    env = {**os.environ, "DATABASE_URL": shared_database_url()}

    def health(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", "health", *args],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip

    mine = health("worker", "--node", "celery@host-a")
    gone = health("worker", "--node", "celery@host-b")

    assert mine.returncode == 0, mine.stderr
    assert json.loads(mine.stdout)["worker"]["ok"] is True
    assert gone.returncode == 1 and "unhealthy: worker" in gone.stderr


PROBE = """
import django
django.setup()
from django.test import Client
client = Client(HTTP_HOST="sosa.example.org")
print(*(client.get(path).status_code for path in ("/healthz/live", "/healthz/ready", "/healthz",
      "/accounts/login/")))
"""


def test_production_sends_pages_to_https_but_not_the_probes(tmp_path):
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "sosa.example.org",
        "VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "sosa_portal.settings",
    }
    for name in ("SECURE_SSL_REDIRECT", "DATABASE_URL", "REDIS_URL"):
        env.pop(name, None)
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    live, ready, full, page = map(int, result.stdout.split())

    assert page == 301
    assert live == 200 and ready in (200, 503) and full in (200, 503)
