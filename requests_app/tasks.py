"""Celery tasks: thin, idempotent, take ids; each calls one function of the domain."""

from __future__ import annotations

import datetime as dt

from celery import shared_task

from . import escalations, notifications, webhooks


@shared_task(acks_late=True, ignore_result=True)
def sweep_deadlines() -> dict:
    """Beat, every minute: escalate the clocks whose next rung has passed."""
    result = escalations.sweep_deadlines()
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
    return notifications.deliver_for_events(event_ids)


@shared_task(acks_late=True, ignore_result=True)
def resend_unsent() -> int:
    """Beat, every minute: deliver what was left unsent (broker down, worker killed, retries)."""
    return notifications.deliver_due()


@shared_task(acks_late=True, ignore_result=True)
def recompute_closure_clocks(nation_id: int, on: str) -> int:
    """A Closure was added or removed: recompute the due times of the open clocks it touches."""
    from partners.models import Nation

    nation = Nation.objects.filter(pk=nation_id).first()
    if nation is None:
        return 0
    return escalations.recompute_open_clocks(nation, on=dt.date.fromisoformat(on))


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
