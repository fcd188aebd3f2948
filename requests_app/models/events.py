"""The audit trail of request actions: one append-only `Event` per action."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from sosa_portal.lib.models import AppendOnlyModel, AppendOnlyQuerySet

from .requests import PriorityRequest


class EventQuerySet(AppendOnlyQuerySet):
    """Refuses update, delete and bulk_update: events are only ever added."""


class Event(AppendOnlyModel):
    """Append-only audit of everything that happened to a request."""

    request = models.ForeignKey(  # indexed by event_request_idx
        PriorityRequest, on_delete=models.PROTECT, related_name="events", db_index=False
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    action = models.CharField(max_length=32)
    from_state = models.CharField(max_length=22, blank=True)
    to_state = models.CharField(max_length=22, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # The writing transaction (PostgreSQL's pg_current_xact_id(), set by the column's default
    # there; 0 on SQLite, whose writers run one at a time). The event feed reads in (tx, id)
    # order, up to the oldest transaction still running: a poller never passes an event that
    # commits later (queries/feed.py).
    tx = models.BigIntegerField(db_default=0, editable=False)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["request", "created_at"], name="event_request_idx"),
            models.Index(fields=["tx", "id"], name="event_feed_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.request_id} {self.action} {self.from_state}→{self.to_state}"
