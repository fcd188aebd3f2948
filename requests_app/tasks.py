"""Celery tasks: thin, idempotent, take ids; each calls one function of the domain.

Domain code queues these by name (`requests_app.tasks.<name>`), never by importing this module.
Beside them, the worker's heartbeat for the health checks (`WorkerHeartbeat`, a bootstep).
"""

from __future__ import annotations

import datetime as dt
import logging
import time

import structlog
from celery import bootsteps, shared_task
from django.db import connection

from partners.models import Nation
from sosa_portal.lib import metrics

from .models import Heartbeat
from .models.heartbeats import BEAT, WORKER
from .outbox import digest, notices, webhooks
from .services import postures, sweep

logger = logging.getLogger(__name__)
events = structlog.get_logger("sosa.sweep")  # docs/ops/logging.md

HEARTBEAT_SECONDS = 60.0


@shared_task(acks_late=True, ignore_result=True)
def sweep_deadlines() -> dict:
    """Beat, every minute: escalate the clocks whose next rung has passed."""
    started = time.perf_counter()
    result = sweep.sweep_deadlines()
    took = time.perf_counter() - started
    metrics.SWEEP_SECONDS.observe(took)
    metrics.SWEEP_ESCALATED.inc(result.clocks)
    events.info(
        "sweep.finished",
        clocks=result.clocks,
        escalations=result.escalations,
        duration_ms=round(took * 1000, 1),
    )
    # Beat's heartbeat for /healthz: the sweep it schedules has run (cron's does not count).
    Heartbeat.objects.record(BEAT, kind=BEAT)
    return {"clocks": result.clocks, "escalations": result.escalations}


@shared_task(
    acks_late=True,
    ignore_result=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
)
def send_notifications(event_ids: list[int]) -> int:
    """Send the unsent notices of these events (rows already sent or held elsewhere are skipped)."""
    return notices.deliver_for_events(event_ids)


@shared_task(acks_late=True, ignore_result=True)
def resend_unsent() -> int:
    """Beat, every minute: deliver what was left unsent (broker down, worker killed, retries)."""
    return notices.deliver_due()


@shared_task(acks_late=True, ignore_result=True)
def send_digests() -> int:
    """Beat, every 15 minutes: one e-mail to each person whose digest hour has come, listing
    the notices held for it (two runs at once send each digest once)."""
    return digest.send_due_digests()


@shared_task(acks_late=True, ignore_result=True)
def recompute_closure_clocks(nation_id: int, on: str) -> int:
    """A Closure was added or removed: recompute the due times of the open clocks it touches."""
    nation = Nation.objects.filter(pk=nation_id).first()
    if nation is None:
        return 0
    return sweep.recompute_open_clocks(nation, on=dt.date.fromisoformat(on))


@shared_task(acks_late=True, ignore_result=True)
def apply_posture(arrangement_id: int, notice_ids: list[int] | None = None) -> int:
    """An arrangement's posture changed: recount its open requests' clocks, then send the
    notices of the change (idempotent: a second run finds nothing left to recount)."""
    result = postures.apply_posture(arrangement_id)
    for pk in notice_ids or []:
        notices.deliver_one(pk)
    return result.clocks


@shared_task(
    acks_late=True,
    ignore_result=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
)
def send_webhooks(event_ids: list[int]) -> int:
    """POST the pending webhook deliveries of these events (done or held rows are skipped)."""
    return webhooks.deliver_for_events(event_ids)


@shared_task(acks_late=True, ignore_result=True)
def resend_webhooks() -> int:
    """Beat, every minute: deliver webhook rows left pending (broker down, retries due)."""
    return webhooks.deliver_due()


class WorkerHeartbeat(bootsteps.StartStopStep):
    """Each worker writes, at start and then every minute, that it is alive and which queues it
    consumes (registered in sosa_portal/celery.py; read by /healthz and `manage.py health
    worker`). It runs on the worker's own timer, so it reports the worker even while beat is
    down, and each worker of several has its row."""

    requires = ("celery.worker.components:Timer",)

    def __init__(self, worker, **kwargs):
        super().__init__(worker, **kwargs)
        self.entry = None

    def start(self, worker) -> None:
        self.beat(worker)
        self.entry = worker.timer.call_repeatedly(HEARTBEAT_SECONDS, self.beat, (worker,))

    def stop(self, worker) -> None:
        if self.entry is not None:
            self.entry.cancel()

    def beat(self, worker) -> None:
        queues = sorted(worker.app.amqp.queues.consume_from)
        try:
            Heartbeat.objects.record(worker.hostname, kind=WORKER, queues=queues)
        except Exception:  # the database away: the heartbeat's age says so, the worker goes on
            logger.warning("Could not record the heartbeat of %s", worker.hostname, exc_info=True)
        finally:
            # Between tasks (or on the timer's own thread): never hold a connection a minute.
            connection.close()
