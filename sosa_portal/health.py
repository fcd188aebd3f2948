"""Health in three tiers: JSON, never cached, 200 when every check is ok, else 503.

- `/healthz/live`: the process answers. No I/O at all: a probe that restarts the process on
  failure must not restart it because the database is away.
- `/healthz/ready`: the database and the broker answer (send this process traffic).
- `/healthz`: everything: those two, no unapplied migration, the outbox keeping up (the oldest
  unsent notice and the oldest pending webhook delivery), a worker seen lately on each queue and
  beat's deadline sweep run lately (heartbeats: `requests_app/models/heartbeats.py`).

Each check is `{"ok", "detail"}`; an age comes with `age_seconds` and its `limit_seconds`
(`SOSA_HEALTH_LIMITS` overrides `DEFAULT_LIMITS`). `manage.py health ready|full|worker|beat`
runs the same checks for container health checks (docker-compose.yml).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from requests_app.models import Heartbeat
from requests_app.models.heartbeats import BEAT
from requests_app.outbox import notices, webhooks
from sosa_portal.celery import app as celery_app
from sosa_portal.celery import webhook_queue

Check = dict[str, Any]

# Seconds. OUTBOX: the oldest notice or webhook delivery still to go out (retries back off for
# 1+2+4+8 minutes before giving up); WORKER: a worker's heartbeat (written every minute); BEAT:
# the last deadline sweep (scheduled every minute).
DEFAULT_LIMITS = {"OUTBOX": 900, "WORKER": 180, "BEAT": 180}
# The checks that read the database: not run when it does not answer.
DATABASE_CHECKS = ("migrations", "notice_lag", "webhook_lag", "worker", "beat")


def limit_seconds(name: str) -> int:
    value = settings.SOSA_HEALTH_LIMITS.get(name, DEFAULT_LIMITS[name])
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"SOSA_HEALTH_LIMITS: {name}={value!r} is not seconds") from None


def result(ok: bool, detail: str, **extra: Any) -> Check:
    return {"ok": ok, "detail": detail, **extra}


def failed(exc: Exception) -> Check:
    return result(False, f"{type(exc).__name__}: {exc}")


def seconds_since(moment: dt.datetime, now: dt.datetime) -> int:
    return max(0, round((now - moment).total_seconds()))  # another host's clock may run ahead


def check_database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return result(True, connection.vendor)
    except Exception as exc:  # any driver error means "down"
        return failed(exc)


def check_broker() -> Check:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            return result(True, conn.transport_cls if isinstance(conn.transport_cls, str) else "ok")
    except Exception as exc:
        return failed(exc)


def check_migrations() -> Check:
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if not plan:
        return result(True, "all applied")
    names = [f"{migration.app_label}.{migration.name}" for migration, _ in plan]
    more = f" and {len(names) - 5} more" if len(names) > 5 else ""
    return result(False, f"{len(names)} unapplied: {', '.join(names[:5])}{more}")


def check_lag(what: str, oldest: Callable[[], dt.datetime | None], now: dt.datetime) -> Check:
    limit = limit_seconds("OUTBOX")
    created_at = oldest()
    if created_at is None:
        return result(True, f"no {what} waiting", age_seconds=None, limit_seconds=limit)
    age = seconds_since(created_at, now)
    return result(
        age <= limit,
        f"the oldest {what} has waited {age} s (limit {limit} s)",
        age_seconds=age,
        limit_seconds=limit,
    )


def check_workers(now: dt.datetime, *, node: str | None = None) -> Check:
    """A fresh heartbeat from a worker on each queue the portal sends to; with `node`, from
    that worker alone (a container checking itself)."""
    limit = limit_seconds("WORKER")
    rows = list(Heartbeat.objects.workers())
    if node is not None:
        row = next((row for row in rows if row.name == node), None)
        if row is None:
            return result(False, f"{node} has not reported", age_seconds=None, limit_seconds=limit)
        age = seconds_since(row.beat_at, now)
        return result(
            age <= limit,
            f"{node} reported {age} s ago (limit {limit} s)",
            age_seconds=age,
            limit_seconds=limit,
        )
    parts: list[str] = []
    ages: list[int | None] = []
    for queue in (celery_app.conf.task_default_queue, webhook_queue()):
        freshest = max(
            (row for row in rows if queue in row.queue_names),
            key=lambda row: row.beat_at,
            default=None,
        )
        if freshest is None:
            parts.append(f"{queue}: no worker has reported")
            ages.append(None)
            continue
        age = seconds_since(freshest.beat_at, now)
        parts.append(f"{queue}: {freshest.name} reported {age} s ago")
        ages.append(age)
    known = [age for age in ages if age is not None]
    worst = max(known) if len(known) == len(ages) else None  # None: a queue nobody consumes
    return result(
        worst is not None and worst <= limit,
        "; ".join(parts) + f" (limit {limit} s)",
        age_seconds=worst,
        limit_seconds=limit,
    )


def check_beat(now: dt.datetime) -> Check:
    limit = limit_seconds("BEAT")
    row = Heartbeat.objects.filter(name=BEAT).first()
    if row is None:
        return result(False, "no deadline sweep has run yet", age_seconds=None, limit_seconds=limit)
    age = seconds_since(row.beat_at, now)
    return result(
        age <= limit,
        f"the deadline sweep last ran {age} s ago (limit {limit} s)",
        age_seconds=age,
        limit_seconds=limit,
    )


def guarded(check: Callable[[], Check]) -> Check:
    """The check, or its error as a failed check: one broken check never hides the others."""
    try:
        return check()
    except Exception as exc:  # a bad SOSA_HEALTH_LIMITS value included: it names itself
        return failed(exc)


def ready_checks() -> dict[str, Check]:
    return {"database": check_database(), "broker": check_broker()}


def full_checks(now: dt.datetime | None = None) -> dict[str, Check]:
    checks = ready_checks()
    if not checks["database"]["ok"]:
        skipped = result(False, "not checked: the database does not answer")
        return {**checks, **dict.fromkeys(DATABASE_CHECKS, skipped)}
    now = now or timezone.now()
    checks["migrations"] = guarded(check_migrations)
    checks["notice_lag"] = guarded(lambda: check_lag("notice", notices.oldest_unsent, now))
    checks["webhook_lag"] = guarded(
        lambda: check_lag("webhook delivery", webhooks.oldest_unsent, now)
    )
    checks["worker"] = guarded(lambda: check_workers(now))
    checks["beat"] = guarded(lambda: check_beat(now))
    return checks


def checks_for(tier: str, *, node: str | None = None) -> dict[str, Check]:
    """The checks of `manage.py health <tier>`: ready, full, worker (or one worker) or beat."""
    now = timezone.now()
    if tier == "ready":
        return ready_checks()
    if tier == "full":
        return full_checks(now)
    if tier == "worker":
        return {"worker": guarded(lambda: check_workers(now, node=node))}
    if tier == "beat":
        return {"beat": guarded(lambda: check_beat(now))}
    raise ValueError(f"no health tier {tier!r}")


def healthy(checks: dict[str, Check]) -> bool:
    return all(check["ok"] for check in checks.values())


def respond(checks: dict[str, Check]) -> JsonResponse:
    ok = healthy(checks)
    return JsonResponse({"status": "ok" if ok else "error", **checks}, status=200 if ok else 503)


@never_cache
@require_safe
def live(request):
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def ready(request):
    return respond(ready_checks())


@never_cache
@require_safe
def healthz(request):
    return respond(full_checks())
